import { ControlError } from './errors.ts'
import type { ControlRefusal, FaultAction, FaultState, ServerInfo, ServerStats, TempKeyBytes } from './protocol.ts'

/** The part of fetch this client calls; tests pass a fake. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>

type Method = 'GET' | 'POST'

/**
 * Typed client for the conformance server's control port, on fetch only, so Node tests,
 * the demo page and the browser suites share it. `baseUrl` is e.g. `http://127.0.0.1:9445`,
 * or a same-origin prefix such as the demo's `/control`. Every failure is a ControlError.
 */
export class ControlClient {
  constructor(
    private readonly baseUrl: string,
    // Called through an arrow: a bare `fetch` stored on an object throws "Illegal invocation" in browsers.
    private readonly fetchFn: Fetch = (url, init) => fetch(url, init),
  ) {}

  info(): Promise<ServerInfo> {
    return this.json('GET', '/info')
  }

  stats(): Promise<ServerStats> {
    return this.json('GET', '/stats')
  }

  async rsaPem(): Promise<string> {
    return (await this.send('GET', '/rsa.pem')).text()
  }

  faultState(): Promise<FaultState> {
    return this.json('GET', '/faults')
  }

  /** Applies the faults in order; resolves once they are in force, with the new state. */
  fault(action: FaultAction | readonly FaultAction[]): Promise<FaultState> {
    return this.json('POST', '/faults', action)
  }

  /**
   * Test-only: a temp key's bytes as hex, for leak scans (the server must run with
   * exposeKeyBytes), or null once the server no longer holds the key.
   */
  async tempKeyHex(id: string): Promise<string | null> {
    try {
      return (await this.json<TempKeyBytes>('GET', `/keys/temp/${encodeURIComponent(id)}`)).hex
    } catch (err) {
      if (err instanceof ControlError && err.code === 'NO_SUCH_KEY') return null
      throw err
    }
  }

  private async json<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body)
    try {
      return (await res.json()) as T
    } catch (cause) {
      throw new ControlError('BAD_RESPONSE', `${method} ${path}: the answer is not JSON`, { cause })
    }
  }

  /** One request; a refusal becomes the ControlError the server threw. */
  private async send(method: Method, path: string, body?: unknown): Promise<Response> {
    // The answers are live server state, never something a cache may replay.
    const init: RequestInit =
      body === undefined
        ? { method, cache: 'no-store' }
        : { method, cache: 'no-store', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
    let res: Response
    try {
      res = await this.fetchFn(this.baseUrl + path, init)
    } catch (cause) {
      throw new ControlError('UNREACHABLE', `${method} ${path}: no answer`, { cause })
    }
    if (res.ok) return res
    const refusal: unknown = await res.json().catch(() => null)
    if (isRefusal(refusal)) throw new ControlError(refusal.error, refusal.message || undefined)
    throw new ControlError(res.status, `${method} ${path}: HTTP ${res.status}`)
  }
}

function isRefusal(body: unknown): body is ControlRefusal {
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string'
}
