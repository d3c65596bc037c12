import sample from '../../test/vectors/auth-key-sample.json'

const hex = (s: string): Uint8Array => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? [])

/**
 * Hands out the official auth-key sample's secrets the first time each size is asked for
 * (nonce 16, new_nonce 32, b 256, client padding 12) and real randomness otherwise,
 * keeping the scripted buffers it gave (`given`) and every 2048-bit draw (`bs`) so a test
 * can check they were wiped.
 */
export function sampleRandom() {
  const scripted = new Map<number, Uint8Array>([
    [16, hex(sample.nonce)],
    [32, hex(sample.new_nonce)],
    [256, hex(sample.b)],
    [12, hex(sample.client_dh_padding)],
  ])
  const given = new Map<number, Uint8Array>()
  const bs: Uint8Array[] = []
  const random = (n: number): Uint8Array => {
    const s = scripted.get(n)
    scripted.delete(n)
    if (s) given.set(n, s)
    const out = s ?? crypto.getRandomValues(new Uint8Array(n))
    if (n === 256) bs.push(out)
    return out
  }
  return { random, given, bs }
}
