/** What the MTProto core may do to the connection a packet came from. */
export interface ConnectionHandle {
  readonly id: number
  /** Accepted on a media-only endpoint: a temp key made here must carry a negative dc. */
  readonly mediaOnly?: boolean
  send(payload: Uint8Array): void
  sendTransportError(code: number): void
  close(): void
  /** ping_delay_disconnect: close after `ms` unless called again (a new call replaces the timer). */
  closeAfter(ms: number): void
  readonly closed: boolean
}
