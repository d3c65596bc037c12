import { describe, expect, it } from 'vitest'
import { CONTAINER_BYTES, CONTAINER_MAX_MESSAGES, DEFAULT_PACK_LIMITS, INNER_HEADER_BYTES, pack, sharesContainer, stepFlush, type FlushAction, type FlushEvent, type FlushState, type PackLimits } from './batch.ts'

const small = (n: number, bytes = 8): { id: number; bytes: number }[] => Array.from({ length: n }, (_, i) => ({ id: i, bytes }))
const sizes = (packets: number[][]): number[] => packets.map((p) => p.length)

describe('pack', () => {
  it.each<{ rule: string; items: { id: number; bytes: number }[]; limits?: PackLimits; want: number[][] }>([
    { rule: 'issue #17: calls issued together share one container', items: small(32), want: [small(32).map((i) => i.id)] },
    { rule: 'issue #17: a lone call goes alone', items: small(1), want: [[0]] },
    { rule: 'nothing ready, nothing sent', items: [], want: [] },
    {
      rule: 'mtproto-tl §4: a container holds at most maxCalls; the rest start the next one, in order',
      items: small(5),
      limits: { maxCalls: 2, maxBytes: 1 << 20 },
      want: [[0, 1], [2, 3], [4]],
    },
    {
      rule: 'byte budget: the call that would pass it starts the next container',
      items: small(4, 100 - INNER_HEADER_BYTES),
      limits: { maxCalls: 100, maxBytes: 250 },
      want: [[0, 1], [2, 3]],
    },
    {
      rule: 'byte budget: a call filling it exactly still fits',
      items: small(2, 125 - INNER_HEADER_BYTES),
      limits: { maxCalls: 100, maxBytes: 250 },
      want: [[0, 1]],
    },
    {
      rule: 'a call over the byte budget goes alone, and the calls around it keep their order',
      items: [
        { id: 0, bytes: 8 },
        { id: 1, bytes: 512 * 1024 },
        { id: 2, bytes: 8 },
        { id: 3, bytes: 8 },
      ],
      want: [[0], [1], [2, 3]],
    },
  ])('$rule', ({ items, limits, want }) => {
    expect(pack(items, limits)).toEqual(want)
  })

  it('mtproto-tl §4 (1024 per container): the default leaves room for acks riding along', () => {
    const packets = pack(small(3000))
    expect(sizes(packets)).toEqual([1020, 1020, 960])
    expect(DEFAULT_PACK_LIMITS.maxCalls + 4).toBe(1024)
    // never reorders: packets concatenated are the queue
    expect(packets.flat()).toEqual(small(3000).map((i) => i.id))
  })

  it('byte budget by default: 32 KiB of calls per container', () => {
    // 2 KiB bodies: 15 fit (15 × 2064 = 30,960), the 16th would pass 32,768
    expect(sizes(pack(small(40, 2048)))).toEqual([15, 15, 10])
  })
})

describe('sharesContainer', () => {
  const fits = CONTAINER_BYTES - INNER_HEADER_BYTES
  it.each<{ rule: string; bodies: number[]; want: boolean }>([
    { rule: 'a lone message goes alone, not in a container', bodies: [40], want: false },
    { rule: 'nothing to send is no container', bodies: [], want: false },
    { rule: 'mtproto-tl §4 msg_container: two or more messages share one', bodies: [40, 24], want: true },
    { rule: 'mtproto-tl §4: at most 1024 messages per container', bodies: Array<number>(CONTAINER_MAX_MESSAGES).fill(24), want: true },
    { rule: 'mtproto-tl §4: a 1025th message means no container', bodies: Array<number>(CONTAINER_MAX_MESSAGES + 1).fill(24), want: false },
    { rule: 'a body filling the byte budget with its inner header still shares', bodies: [fits, 24], want: true },
    { rule: 'a body over the byte budget goes alone, as pack() sends it alone', bodies: [fits + 4, 24], want: false },
  ])('$rule', ({ bodies, want }) => {
    expect(sharesContainer(bodies)).toBe(want)
  })

  it('whatever pack() puts together, with acks riding along, still shares one container', () => {
    const calls = [...small(3000), { id: 3000, bytes: 40_000 }, ...small(20, 2048)]
    const byId = new Map(calls.map((c) => [c.id, c.bytes]))
    for (const packet of pack(calls)) {
      const bodies = [...packet.map((id) => byId.get(id) as number), 24, 24, 24, 24]
      expect(sharesContainer(bodies)).toBe(packet.length > 1 || (byId.get(packet[0] as number) as number) + INNER_HEADER_BYTES <= CONTAINER_BYTES)
    }
  })
})

describe('stepFlush', () => {
  function run(events: FlushEvent[], start: FlushState = 'idle'): { state: FlushState; actions: FlushAction[] } {
    let state = start
    const actions: FlushAction[] = []
    for (const e of events) {
      const r = stepFlush(state, e)
      state = r.state
      actions.push(...r.actions)
    }
    return { state, actions }
  }

  it.each<{ rule: string; events: FlushEvent[]; want: FlushAction['type'][]; end: FlushState }>([
    { rule: 'issue #17: a lone call waits one macrotask, then flushes', events: [{ type: 'wanted' }, { type: 'fired' }], want: ['arm-macrotask', 'flush'], end: 'idle' },
    {
      rule: 'issue #17: calls in the same turn arm one macrotask and share its flush',
      events: [{ type: 'wanted' }, { type: 'wanted' }, { type: 'wanted' }, { type: 'fired' }],
      want: ['arm-macrotask', 'flush'],
      end: 'idle',
    },
    {
      rule: 'a call after the flush arms the next macrotask',
      events: [{ type: 'wanted' }, { type: 'fired' }, { type: 'wanted' }],
      want: ['arm-macrotask', 'flush', 'arm-macrotask'],
      end: 'armed',
    },
  ])('$rule', ({ events, want, end }) => {
    const r = run(events)
    expect(r.actions.map((a) => a.type)).toEqual(want)
    expect(r.state).toBe(end)
  })
})
