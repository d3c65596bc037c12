/**
 * Keep-alive for the connection that carries traffic (mtproto-tl.md, ping_delay_disconnect:
 * "a ping every 60 s with a delay of 75 s"): an idle connection is pinged so nothing on the
 * way cuts it, and the server closes it when the client has gone.
 */
export const KEEPALIVE = {
  /** How often the traffic connection is pinged. */
  intervalMs: 60_000,
  /** The server closes the connection if no ping follows within this many seconds. */
  disconnectDelayS: 75,
} as const
