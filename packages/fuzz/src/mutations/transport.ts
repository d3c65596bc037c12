/**
 * Transport families (transports.md §1–4): padded-intermediate frames and the obfuscated
 * stream around them, as a hostile server may shape them.
 */
import type { Prng } from '../prng.ts'
import type { LinkControl } from '../server/hooks.ts'
import { flipBytes } from './damage.ts'
import type { Family } from './case-spec.ts'
import { concat } from '../bytes.ts'

const word = (v: number): Uint8Array => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, v >>> 0, true)
  return b
}
const frameOf = (payload: Uint8Array): Uint8Array => concat(word(payload.length), payload)

function drawFraming(rng: Prng): { what: string; apply(frame: Uint8Array, link: LinkControl): Uint8Array[] } {
  const choices: [string, (f: Uint8Array, link: LinkControl) => Uint8Array[]][] = [
    ['length past 2 MiB', (f) => [concat(word(rng.range(2 * 1024 * 1024 + 1, 2 ** 31 - 1)), f.subarray(4))]],
    ['length 0', (f) => [concat(word(0), f.subarray(4))]],
    ['short payload', (f) => [frameOf(rng.bytes(rng.range(1, 15))), f]],
    ['length word with bit 31 (a quick ack)', (f) => [word(0x80000000 | rng.u32()), f]],
    ['quick ack word before the frame', (f) => [word((0x80000000 | rng.u32()) >>> 0), f]],
    ['length shorter than the packet', (f) => [concat(word(Math.max(0, f.length - 4 - 4 * rng.range(1, 8))), f.subarray(4))]],
    ['split into 1-byte messages', (f, link) => (([...f].forEach((b) => link.sendPlain(Uint8Array.of(b))), []))],
    ['transport error -404 before the frame', (f) => [frameOf(word(-404)), f]],
    ['transport error -429', () => [frameOf(word(-429))]],
    ['transport error -444', () => [frameOf(word(-444))]],
    ['transport error random', (f) => [frameOf(word(rng.u32() | 0x80000000)), f]],
    ['frame twice (replayed packet)', (f) => [f, f]],
    ['truncated, then the link closes', (f, link) => (link.sendPlain(f.subarray(0, rng.range(1, f.length - 1))), link.close(), [])],
    ['truncated, then the link goes silent', (f, link) => (link.sendPlain(f.subarray(0, rng.range(1, f.length - 1))), link.mute(), [])],
    ['frame dropped, link silent', (_f, link) => (link.mute(), [])],
  ]
  const [what, apply] = rng.pick(choices)
  return { what, apply }
}

export const framing: Family = {
  name: 'framing',
  weight: 6,
  make(rng) {
    const d = drawFraming(rng)
    let armed = true
    return {
      family: this.name,
      what: d.what,
      action: 'calls',
      hooks: {
        frames: (frame, link) => {
          if (!armed) return undefined
          armed = false
          return d.apply(frame, link)
        },
      },
    }
  },
}

function drawStream(rng: Prng): { what: string; onAccept?(link: LinkControl): void; apply?(bytes: Uint8Array): Uint8Array } {
  const choices: (() => ReturnType<typeof drawStream>)[] = [
    () => ({ what: 'flipped keystream bits', apply: (b) => flipBytes(b, rng, rng.range(1, 4)) }),
    () => ({ what: 'keystream desync (bytes dropped)', apply: (b) => b.subarray(Math.min(b.length, rng.range(1, 8))) }),
    () => ({ what: 'keystream desync (bytes inserted)', apply: (b) => concat(rng.bytes(rng.range(1, 8)), b) }),
    () => ({ what: 'garbage instead of the stream', apply: (b) => rng.bytes(b.length) }),
    () => ({ what: 'link closed after the header', onAccept: (link) => link.close() }),
    () => ({ what: 'garbage answers the header', onAccept: (link) => link.sendRaw(rng.bytes(rng.range(1, 200))) }),
    () => ({ what: 'silence after the header', onAccept: (link) => link.mute() }),
  ]
  return rng.pick(choices)()
}

export const stream: Family = {
  name: 'obfuscation',
  weight: 5,
  make(rng) {
    const d = drawStream(rng)
    let armed = true
    const first = <A extends unknown[], R>(f: ((...a: A) => R) | undefined) =>
      f === undefined
        ? undefined
        : (...a: A): R | undefined => {
            if (!armed) return undefined
            armed = false
            return f(...a)
          }
    const onAccept = first(d.onAccept)
    const apply = first(d.apply)
    return {
      family: this.name,
      what: d.what,
      // a fresh connection: drop the current one so the next header is the case's
      action: 'calls',
      dropLinks: true,
      hooks: {
        ...(onAccept ? { accepted: (link: LinkControl) => void onAccept(link) } : {}),
        ...(apply ? { stream: (bytes: Uint8Array) => apply(bytes) } : {}),
      },
    }
  },
}

