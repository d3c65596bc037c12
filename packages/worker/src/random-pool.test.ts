import { describe, expect, it } from 'vitest'
import { pooledRandom } from './random-pool.ts'

/** A source counting its calls, handing out 1, 2, 3, … so every byte can be traced. */
function countingSource() {
  let next = 1
  const calls: number[] = []
  const source = (n: number): Uint8Array => {
    calls.push(n)
    return Uint8Array.from({ length: n }, () => next++ & 0xff)
  }
  return { source, calls }
}

describe('pooledRandom', () => {
  it('issue #17: small draws share one block from the source, and no byte is handed out twice', () => {
    const { source, calls } = countingSource()
    const random = pooledRandom(source, 64)
    const got = [random(1), random(12), random(3)]
    expect(calls).toEqual([64])
    expect(got.map((b) => [...b])).toEqual([[1], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], [14, 15, 16]])
  })

  it('a draw the block cannot finish takes a fresh block', () => {
    const { source, calls } = countingSource()
    const random = pooledRandom(source, 64)
    for (let i = 0; i < 4; i++) random(16)
    expect(calls).toEqual([64])
    expect([...random(1)]).toEqual([65])
    expect(calls).toEqual([64, 64])
  })

  it('large draws go to the source, whole', () => {
    const { source, calls } = countingSource()
    const random = pooledRandom(source, 64)
    expect(random(256)).toHaveLength(256)
    expect(calls).toEqual([256])
  })

  it('each draw is its own copy, and what was handed out is wiped from the block', () => {
    const blocks: Uint8Array[] = []
    const random = pooledRandom((n) => {
      const b = new Uint8Array(n).fill(7)
      blocks.push(b)
      return b
    }, 64)
    const a = random(8)
    a.fill(0)
    expect([...random(8)]).toEqual(Array(8).fill(7))
    expect([...blocks[0]!.subarray(0, 16)]).toEqual(Array(16).fill(0))
    expect(blocks[0]![16]).toBe(7)
  })
})
