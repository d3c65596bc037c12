/**
 * The simulated network between the engine (EngineEnv.openSocket) and the conformance
 * server core (createServerCore().accept): an in-process socket pair whose every delivery
 * is a virtual timer. Latency and jitter are drawn from the seed; order within a direction
 * is kept, as TCP under a WebSocket keeps it. Link faults: refused opens, dropped
 * connections, and half-open ones (bytes vanish, nobody is told).
 */
import type { ServerCore } from '@pfs-web/server'
import type { SocketLike } from '../env.ts'
import type { SeededRandom } from './seeded-random.ts'
import type { VirtualTime } from './virtual-time.ts'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

export interface LinkConditions {
  /** One-way delay, ms. */
  latencyMs: number
  /** Extra delay drawn uniformly from [0, jitterMs] per delivery (order is still kept). */
  jitterMs: number
  /** New connections are refused (onerror + onclose) while this holds. */
  refuse: boolean
}

/** Who ended a socket, as the engine saw it: it closed it itself, or the server or the link did. */
export interface SocketEnd {
  by: 'engine' | 'dropped'
  /** Virtual ms. */
  at: number
}

export interface NetStats {
  opened: number
  refused: number
  /** Open times (virtual ms) of every socket the engine asked for. */
  openTimes: number[]
}

class SimLink {
  readonly socket: SocketLike
  private state = CONNECTING
  private toServerDue = 0
  private toClientDue = 0
  /** Half-open: both directions silently drop. */
  blackholed = false
  /** The server's id for this connection, once it accepted it (KeyConnectionUse.connection). */
  serverId: number | null = null
  private server: { receive(b: Uint8Array): void; ended(): void } | null = null

  constructor(
    private readonly net: SimNet,
    readonly id: number,
    private readonly mediaOnly = false,
  ) {
    const link = this
    this.socket = {
      binaryType: 'arraybuffer',
      get readyState() {
        return link.state
      },
      send: (data) => link.clientSend(data),
      close: () => link.clientClose(),
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
    }
  }

  get isOpen(): boolean {
    return this.state !== CLOSED
  }

  start(): void {
    const net = this.net
    net.time.setTimer('net', net.delay(), () => {
      if (this.state === CLOSED) return
      if (net.conditions.refuse) {
        net.stats.refused++
        this.state = CLOSED
        net.forget(this, 'dropped')
        this.socket.onerror?.({})
        this.socket.onclose?.({ code: 1006, reason: 'refused' })
        return
      }
      const server = net.core.accept(
        {
          write: (bytes) => this.serverSend(bytes),
          close: () => this.serverClose(),
        },
        'ws',
        this.mediaOnly,
      )
      this.server = server
      this.serverId = server.id
      net.accepted(this)
      this.state = OPEN
      this.socket.onopen?.({})
    })
  }

  private clientSend(data: Uint8Array): void {
    if (this.state !== OPEN || this.blackholed) return
    const bytes = data.slice()
    this.toServerDue = Math.max(this.toServerDue, this.net.time.now + this.net.delay())
    this.net.time.setTimer('net', this.toServerDue - this.net.time.now, () => {
      if (!this.blackholed) this.server?.receive(bytes)
    })
  }

  private serverSend(bytes: Uint8Array): void {
    if (this.state !== OPEN || this.blackholed) return
    const copy = bytes.slice()
    this.toClientDue = Math.max(this.toClientDue, this.net.time.now + this.net.delay())
    this.net.time.setTimer('net', this.toClientDue - this.net.time.now, () => {
      if (this.state !== OPEN || this.blackholed) return
      this.socket.onmessage?.({ data: copy.buffer })
    })
  }

  /** The engine closed it: the server hears of it after a delay. */
  private clientClose(): void {
    if (this.state === CLOSED) return
    this.state = CLOSED
    this.net.forget(this, 'engine')
    const server = this.server
    this.server = null
    if (server) this.net.time.setTimer('net', this.net.delay(), () => server.ended())
  }

  /** The server closed it (or a fault cut it): the engine hears of it after a delay. */
  private serverClose(): void {
    const server = this.server
    this.server = null
    if (this.state === CLOSED) return
    this.net.time.setTimer('net', this.net.delay(), () => {
      if (this.state === CLOSED) return
      this.state = CLOSED
      this.net.forget(this, 'dropped')
      this.socket.onclose?.({ code: 1006, reason: 'closed by server' })
    })
    void server
  }

  /** A fault: the link dies; both ends notice. */
  cut(): void {
    if (this.state === CLOSED) return
    const server = this.server
    this.server = null
    server?.ended()
    this.state = CLOSED
    this.net.forget(this, 'dropped')
    this.socket.onclose?.({ code: 1006, reason: 'cut' })
  }
}

export class SimNet {
  conditions: LinkConditions = { latencyMs: 5, jitterMs: 0, refuse: false }
  readonly stats: NetStats = { opened: 0, refused: 0, openTimes: [] }
  private readonly links = new Set<SimLink>()
  /** Open links by the server's id for their connection (KeyConnectionUse.connection). */
  private readonly byServerId = new Map<number, SimLink>()
  /** How and when each accepted link ended, by the server's id for it. */
  private readonly ended = new Map<number, SocketEnd>()
  private nextId = 1

  constructor(
    readonly time: VirtualTime,
    readonly core: ServerCore,
    private readonly random: SeededRandom,
  ) {}

  /** EngineEnv.openSocket; a URL on /apiws_media reaches the server's media-only side. */
  open(url = ''): SocketLike {
    const link = new SimLink(this, this.nextId++, url.endsWith('/apiws_media'))
    this.links.add(link)
    this.stats.opened++
    this.stats.openTimes.push(this.time.now)
    link.start()
    return link.socket
  }

  delay(): number {
    const { latencyMs, jitterMs } = this.conditions
    return latencyMs + (jitterMs > 0 ? this.random.unit() * jitterMs : 0)
  }

  forget(link: SimLink, by: SocketEnd['by']): void {
    this.links.delete(link)
    if (link.serverId === null) return
    this.byServerId.delete(link.serverId)
    this.ended.set(link.serverId, { by, at: this.time.now })
  }

  accepted(link: SimLink): void {
    if (link.serverId !== null) this.byServerId.set(link.serverId, link)
  }

  /** How the socket the server knows as connection `serverId` ended; null while the engine holds it open. */
  socketEnd(serverId: number): SocketEnd | null {
    return this.ended.get(serverId) ?? null
  }

  /** Sockets the engine opened that neither side has closed. */
  get openCount(): number {
    return this.links.size
  }

  /** Cuts every open connection (the network went away). */
  cutAll(): void {
    for (const link of [...this.links]) link.cut()
  }

  /** Cuts one open connection, chosen by the seed; false when there is none. */
  cutOne(): boolean {
    const all = [...this.links].filter((l) => l.isOpen)
    if (all.length === 0) return false
    this.random.pick(all).cut()
    return true
  }

  /** Makes one open connection half-open: from now on nothing crosses it either way. */
  blackholeOne(): boolean {
    const all = [...this.links].filter((l) => l.isOpen && !l.blackholed)
    if (all.length === 0) return false
    this.random.pick(all).blackholed = true
    return true
  }
}
