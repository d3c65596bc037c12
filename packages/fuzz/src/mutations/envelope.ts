/**
 * Envelope and packet families (encryption.md §1, §4–5): the msg_id, session, salt, seq_no,
 * length field and padding of a well-sealed packet, the TL bytes inside it, and the sealed
 * bytes themselves. Each hits the first packet that answers a call.
 */
import { TlReader, decodeObject } from '@pfs-web/tl'
import type { Prng } from '../prng.ts'
import type { Envelope } from '../server/hooks.ts'
import { drawDamage, flipBytes } from './damage.ts'
import { once, type Family } from './case-spec.ts'
import { concat } from '../bytes.ts'

const DAY = 86_400n << 32n

/** Whether an envelope carries an rpc_result (alone or in a container). */
function answers(e: Envelope): boolean {
  try {
    const obj = decodeObject(new TlReader(e.body))
    return obj._ === 'rpc_result' || (obj._ === 'msg_container' && obj.messages.some((m) => m.body._ === 'rpc_result'))
  } catch {
    return false
  }
}

function onAnswerEnvelope(f: (e: Envelope) => Envelope): (e: Envelope) => Envelope | undefined {
  return once((e: Envelope) => (answers(e) ? f({ ...e }) : undefined))
}

function drawMsgId(rng: Prng): { what: string; apply(id: bigint): bigint } {
  const choices: [string, (id: bigint) => bigint][] = [
    ['even', (id) => id & ~1n],
    ['≡ 3 for an answer', (id) => id | 3n],
    ['zero', () => 0n],
    ['-1', () => -1n],
    ['random', () => rng.long()],
    ['400 s past', (id) => id - (400n << 32n)],
    ['a day past', (id) => id - DAY],
    ['ten years past', (id) => id - 3650n * DAY],
    ['60 s ahead', (id) => id + (60n << 32n)],
    ['a day ahead', (id) => id + DAY],
    ['30 days ahead', (id) => id + 30n * DAY],
    ['bit 63 flipped', (id) => BigInt.asIntN(64, id ^ (1n << 63n))],
    ['-2^40-1', () => -(2n ** 40n) - 1n],
    ['max int64', () => 2n ** 63n - 1n],
    ['previous server id', (id) => id - 4n],
  ]
  const [what, apply] = rng.pick(choices)
  return { what, apply }
}

export const msgId: Family = {
  name: 'msg-id',
  weight: 12,
  make(rng) {
    const draw = drawMsgId(rng)
    return { family: this.name, what: draw.what, action: 'calls', hooks: { envelope: onAnswerEnvelope((e) => ({ ...e, msgId: draw.apply(e.msgId) })) } }
  },
}

export const session: Family = {
  name: 'session',
  weight: 6,
  make(rng) {
    const field = rng.pick(['session_id random', 'session_id 0', 'salt random', 'seq_no random', 'seq_no negative'] as const)
    const value = rng.long()
    return {
      family: this.name,
      what: field,
      action: 'calls',
      hooks: {
        envelope: onAnswerEnvelope((e) => {
          switch (field) {
            case 'session_id random':
              return { ...e, sessionId: value }
            case 'session_id 0':
              return { ...e, sessionId: 0n }
            case 'salt random':
              return { ...e, salt: value }
            case 'seq_no random':
              return { ...e, seqno: Number(value & 0x7fffffffn) }
            case 'seq_no negative':
              return { ...e, seqno: -1 - Number(value & 0xffffn) }
          }
        }),
      },
    }
  },
}

export const length: Family = {
  name: 'length',
  weight: 8,
  make(rng) {
    const kind = rng.pick(['length +4', 'length -4', 'length +1', 'length 0', 'length 2^31', 'length 2^32-1', 'padding 0', 'padding 4', 'padding 11', 'padding 1028', 'padding 2048'] as const)
    return {
      family: this.name,
      what: kind,
      action: 'calls',
      hooks: {
        envelope: onAnswerEnvelope((e) => {
          const n = e.body.length
          switch (kind) {
            case 'length +4':
              return { ...e, lengthField: n + 4 }
            case 'length -4':
              return { ...e, lengthField: n - 4 }
            case 'length +1':
              return { ...e, lengthField: n + 1 }
            case 'length 0':
              return { ...e, lengthField: 0 }
            case 'length 2^31':
              return { ...e, lengthField: 2 ** 31 }
            case 'length 2^32-1':
              return { ...e, lengthField: 2 ** 32 - 1 }
            default: {
              const padding = Number(kind.slice('padding '.length))
              // the seal pads to 16 with random bytes past this: the counted padding is what the engine sees
              return { ...e, padding }
            }
          }
        }),
      },
    }
  },
}

export const tlBytes: Family = {
  name: 'tl-bytes',
  weight: 14,
  make(rng) {
    const d = drawDamage(rng)
    return {
      family: this.name,
      what: d.what,
      action: 'calls',
      hooks: {
        envelope: onAnswerEnvelope((e) => {
          const body = d.apply(e.body)
          return { ...e, body, lengthField: body.length, padding: 12 + ((16 - ((32 + body.length + 12) % 16)) % 16) }
        }),
      },
    }
  },
}

export const packet: Family = {
  name: 'packet',
  weight: 6,
  make(rng) {
    const part = rng.pick(['auth_key_id', 'msg_key', 'ciphertext', 'truncated', 'trailing bytes'] as const)
    let armed = true
    return {
      family: this.name,
      what: part,
      action: 'calls',
      hooks: {
        // the first packet after the call goes out is the answer's (or a notice about it)
        packet: (bytes) => {
          if (!armed || bytes.length < 40) return undefined
          armed = false
          switch (part) {
            case 'auth_key_id':
              return concat(flipBytes(bytes.subarray(0, 8), rng, 1), bytes.subarray(8))
            case 'msg_key':
              return concat(bytes.subarray(0, 8), concat(flipBytes(bytes.subarray(8, 24), rng, 1), bytes.subarray(24)))
            case 'ciphertext':
              return flipBytes(bytes, rng, rng.range(1, 4), 24)
            case 'truncated':
              return bytes.subarray(0, 16 * rng.range(0, Math.floor(bytes.length / 16) - 1))
            case 'trailing bytes':
              return concat(bytes, rng.bytes(rng.range(1, 15)))
          }
        },
      },
    }
  },
}

