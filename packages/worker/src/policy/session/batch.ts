/**
 * Which calls share a packet and when the queue is flushed (issue #17). Calls issued in
 * one turn leave together in one msg_container (mtproto-tl.md §4 "msg_container"), so 32
 * calls cost one frame and one encryption, not 32. Pure: the call driver performs it.
 */

/** mtproto-tl.md §4: at most 1024 messages per container. */
export const CONTAINER_MAX_MESSAGES = 1024
/**
 * Room the lane keeps in each container for what rides along with the calls: msgs_ack
 * (one per 8192 pending ids; the ack policy keeps far fewer waiting). mtcute 0.30.3 stops
 * at 1020 inner messages for the same reason.
 */
export const RIDE_ALONG_ROOM = 4
/**
 * Bytes of calls per container. No limit is documented below the 1 MiB packet; mtcute
 * 0.30.3 stops filling a container at 32 KiB, which keeps one slow frame from holding
 * back many small answers. A call bigger than this goes alone.
 */
export const CONTAINER_BYTES = 32 * 1024
/** msg_id (8) + seqno (4) + bytes (4) in front of each body inside a container. */
export const INNER_HEADER_BYTES = 16

/**
 * Whether messages with these body lengths go out as one msg_container or each in a packet
 * of its own (mtproto-tl.md §4): two or more, at most CONTAINER_MAX_MESSAGES, and none
 * that would not fit a container's byte budget by itself (such a body goes alone, as
 * pack() sends a call over the budget alone). The lane asks this for what it sends,
 * riders such as acks included; pack() keeps the calls within it.
 */
export function sharesContainer(bodyBytes: readonly number[]): boolean {
  if (bodyBytes.length < 2 || bodyBytes.length > CONTAINER_MAX_MESSAGES) return false
  for (const b of bodyBytes) if (b + INNER_HEADER_BYTES > CONTAINER_BYTES) return false
  return true
}

export interface PackLimits {
  maxCalls: number
  maxBytes: number
}

export const DEFAULT_PACK_LIMITS: PackLimits = {
  maxCalls: CONTAINER_MAX_MESSAGES - RIDE_ALONG_ROOM,
  maxBytes: CONTAINER_BYTES,
}

export interface Packable<T> {
  id: T
  /** Length of the body as it will be sent (after any initConnection wrapping). */
  bytes: number
}

/**
 * Splits ready calls, oldest first, into packets: each packet is sent as one container
 * (or alone when it holds one call). Greedy in queue order, never reordering, so msg_ids
 * rise in the order the calls were issued; a packet closes when the next call would pass
 * `maxCalls` or `maxBytes`, and a call over `maxBytes` on its own forms a packet alone.
 */
export function pack<T>(items: readonly Packable<T>[], limits: PackLimits = DEFAULT_PACK_LIMITS): T[][] {
  const packets: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const item of items) {
    const cost = item.bytes + INNER_HEADER_BYTES
    if (current.length > 0 && (current.length >= limits.maxCalls || bytes + cost > limits.maxBytes)) {
      packets.push(current)
      current = []
      bytes = 0
    }
    current.push(item.id)
    bytes += cost
  }
  if (current.length > 0) packets.push(current)
  return packets
}

/**
 * When to flush: the first call wanting out arms one macrotask, and every call issued
 * before it fires joins the same flush. So a lone call waits at most one macrotask, and a
 * burst of calls in one turn is one flush.
 */
export type FlushState = 'idle' | 'armed'

export type FlushEvent = { type: 'wanted' } | { type: 'fired' }

export type FlushAction = { type: 'arm-macrotask' } | { type: 'flush' }

export function stepFlush(state: FlushState, event: FlushEvent): { state: FlushState; actions: FlushAction[] } {
  switch (event.type) {
    case 'wanted':
      return state === 'armed' ? { state, actions: [] } : { state: 'armed', actions: [{ type: 'arm-macrotask' }] }
    case 'fired':
      return { state: 'idle', actions: [{ type: 'flush' }] }
  }
}
