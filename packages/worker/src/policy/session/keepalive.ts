/**
 * Keep-alive (mtproto-tl.md, ping_delay_disconnect: "a ping every 60 s with a delay of
 * 75 s"): an idle connection is pinged so nothing on the way cuts it, and the server closes
 * it when the client has gone.
 *
 * Which lanes (issue #15, the #17 loose end): the server closes a socket 75 s after the
 * last ping_delay_disconnect, so a lane left unpinged is closed. The DC's main connection
 * carries updates and is always pinged and always reopened. A pool connection (upload,
 * download, media) is pinged only while it carried a call within the last interval; once
 * idle it is left to the server to close, and a close while it owes nothing parks it
 * until its next call instead of reconnecting at once (no churn for idle sockets).
 */
export const KEEPALIVE = {
  /** How often the traffic connection is pinged. */
  intervalMs: 60_000,
  /** The server closes the connection if no ping follows within this many seconds. */
  disconnectDelayS: 75,
} as const

/** The DC's main connection, or a member of one of its pools. */
export type LaneRole = 'main' | 'pool'

/**
 * Whether the keep-alive pings the traffic lane now; `lastCallAt` is local ms (null: never).
 * A pool lane still owing an answer is pinged however old its last call, or the server
 * would close it under a slow call and force a resend.
 */
export function pingsLane(role: LaneRole, now: number, lastCallAt: number | null, owesAnswers: boolean): boolean {
  return role === 'main' || owesAnswers || (lastCallAt !== null && now - lastCallAt < KEEPALIVE.intervalMs)
}

/** After the lane's socket closed: reconnect now (with backoff), or wait for the next call. */
export function reopensAtOnce(role: LaneRole, owesAnswers: boolean): boolean {
  return role === 'main' || owesAnswers
}
