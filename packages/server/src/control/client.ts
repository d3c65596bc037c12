import { ControlError } from '../errors.ts'
import type { FaultAction, FaultState } from '../faults.ts'
import type { ServerStats } from '../stats.ts'
import type { ServerInfo } from './types.ts'

/**
 * Typed client for the control port, on fetch only, so it runs in Node and in browsers.
 * `baseUrl` is e.g. `http://127.0.0.1:9445`.
 */
export class ControlClient {
  constructor(private readonly baseUrl: string) {}

  info(): Promise<ServerInfo> {
    return this.get('/info') as Promise<ServerInfo>
  }

  stats(): Promise<ServerStats> {
    return this.get('/stats') as Promise<ServerStats>
  }

  async rsaPem(): Promise<string> {
    const res = await fetch(this.baseUrl + '/rsa.pem')
    if (!res.ok) throw new ControlError(res.status)
    return res.text()
  }

  faultState(): Promise<FaultState> {
    return this.get('/faults') as Promise<FaultState>
  }

  async fault(action: FaultAction | FaultAction[]): Promise<FaultState> {
    const res = await fetch(this.baseUrl + '/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(action),
    })
    return (await this.parse(res)) as FaultState
  }

  /** Test-only: a temp key's bytes as hex (the server must run with exposeKeyBytes). */
  async tempKeyHex(id: string): Promise<string | null> {
    const res = await fetch(`${this.baseUrl}/keys/temp/${id}`)
    if (res.status === 404) return null
    return ((await this.parse(res)) as { hex: string }).hex
  }

  private async get(path: string): Promise<unknown> {
    return this.parse(await fetch(this.baseUrl + path))
  }

  private async parse(res: Response): Promise<unknown> {
    const body = (await res.json()) as unknown
    if (!res.ok) {
      const code = typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : res.status
      throw new ControlError(code)
    }
    return body
  }
}
