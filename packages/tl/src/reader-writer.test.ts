import { describe, expect, it } from 'vitest'
import { codeOf } from '../test/error-code.ts'
import { fromHex, toHex } from '../test/hex.ts'
import { TlReader, TlWriter } from './index.ts'

const written = (f: (w: TlWriter) => void): string => {
  const w = new TlWriter(0)
  f(w)
  return toHex(w.finish())
}


describe('TlWriter / TlReader primitives (mtproto-tl.md §1)', () => {
  it('§1 example: p = 1513098571 as bytes is 04 5A 30 0D 4B 00 00 00', () => {
    expect(written((w) => w.bytes(fromHex('5A300D4B')))).toBe('045A300D4B000000')
  })

  it('§1 example: an 8-byte value is 08 + 8 bytes + 00 00 00', () => {
    expect(written((w) => w.bytes(fromHex('1122334455667788')))).toBe('08112233445566778800000000'.slice(0, 24))
  })

  it('§1 example: a 256-byte value starts FE 00 01 00 and has no padding', () => {
    const v = new Uint8Array(256).fill(7)
    const out = fromHex(written((w) => w.bytes(v)))
    expect(toHex(out.subarray(0, 4))).toBe('FE000100')
    expect(out.length).toBe(260)
    expect(new TlReader(out).bytes()).toEqual(v)
  })

  it.each([
    { len: 0, size: 4 },
    { len: 3, size: 4 },
    { len: 4, size: 8 },
    { len: 253, size: 256 },
    { len: 254, size: 260 },
    { len: 255, size: 260 },
    { len: 1000, size: 1004 },
  ])('bytes of length $len takes $size bytes and round-trips', ({ len, size }) => {
    const v = Uint8Array.from({ length: len }, (_, i) => (i * 31) & 0xff)
    const out = new TlWriter().bytes(v).finish()
    expect(out.length).toBe(size)
    const r = new TlReader(out)
    expect(r.bytes()).toEqual(v)
    expect(r.remaining).toBe(0)
  })

  it('§1: Bool is boxed: boolTrue = B5 75 72 99, boolFalse = 37 97 79 BC', () => {
    expect(written((w) => w.bool(true))).toBe('B5757299')
    expect(written((w) => w.bool(false))).toBe('379779BC')
    const r = new TlReader(fromHex('B5757299379779BC'))
    expect([r.bool(), r.bool()]).toEqual([true, false])
  })

  it('§0: ids are little-endian uint32: #be7e8ef1 is sent as F1 8E 7E BE', () => {
    expect(written((w) => w.uint32(0xbe7e8ef1))).toBe('F18E7EBE')
    expect(new TlReader(fromHex('15C4B51C')).peekUint32()).toBe(0x1cb5c415)
  })

  it('int, long, double are little-endian and signed where the schema says so', () => {
    expect(written((w) => w.int32(-2))).toBe('FEFFFFFF')
    expect(written((w) => w.int64(0x0102030405060708n))).toBe('0807060504030201')
    expect(written((w) => w.int64(-1n))).toBe('FFFFFFFFFFFFFFFF')
    expect(written((w) => w.double(1))).toBe('000000000000F03F')
    const r = new TlReader(fromHex('FEFFFFFF FEFFFFFF FFFFFFFFFFFFFFFF 000000000000F03F'))
    expect([r.int32(), r.uint32(), r.int64(), r.double()]).toEqual([-2, 0xfffffffe, -1n, 1])
  })

  it('§1: int128/int256 are raw bytes, never byte-swapped', () => {
    const n = fromHex('406709F612FADFBEC3F0289D0AA67EEF')
    expect(written((w) => w.int128(n))).toBe('406709F612FADFBEC3F0289D0AA67EEF')
    const n256 = Uint8Array.from({ length: 32 }, (_, i) => i)
    const r = new TlReader(new TlWriter().int128(n).int256(n256).finish())
    expect(r.int128()).toEqual(n)
    expect(r.int256()).toEqual(n256)
  })

  it('strings are UTF-8', () => {
    const r = new TlReader(new TlWriter().string('Привет, 🌍').finish())
    expect(r.string()).toBe('Привет, 🌍')
  })

  it('grows geometrically past its initial capacity and finish() is exactly `length` bytes', () => {
    const w = new TlWriter(1)
    for (let i = 0; i < 1000; i++) w.int32(i)
    expect(w.length).toBe(4000)
    const out = w.finish()
    expect(out.length).toBe(4000)
    expect(new TlReader(out, 3996).int32()).toBe(999)
  })

  it('reset() empties the writer and zeroes what it held: padding written after it is zero again', () => {
    const w = new TlWriter(16).raw(new Uint8Array(12).fill(0xff))
    w.reset()
    expect(toHex(w.bytes(new Uint8Array([1])).finish())).toBe('01010000')
    w.reset(16)
    w.raw(new Uint8Array(100).fill(0xee))
    w.reset(16)
    expect(toHex(w.int32(1).bytes(new Uint8Array([2])).finish())).toBe('010000000102' + '0000')
  })

  it('setInt32At patches a length written before its body', () => {
    const w = new TlWriter().int32(0).int64(5n)
    w.setInt32At(0, 8)
    expect(toHex(w.finish())).toBe('080000000500000000000000')
  })

  it('reads are copies: mutating the input does not change a value already read', () => {
    const buf = fromHex('04AABBCCDD000000')
    const v = new TlReader(buf).bytes()
    buf[1] = 0
    expect(toHex(v)).toBe('AABBCCDD')
  })

  it('honours offset and end', () => {
    const buf = fromHex('01000000 02000000 03000000')
    const r = new TlReader(buf, 4, 8)
    expect([r.offset, r.remaining]).toEqual([4, 4])
    expect(r.int32()).toBe(2)
    expect(codeOf(() => r.int32())).toBe('TRUNCATED')
  })
})

describe('malformed input and bad values throw TlError with a code', () => {
  it.each([
    { rule: 'int32 past the end', hex: '010203', read: (r: TlReader) => r.int32(), code: 'TRUNCATED' },
    { rule: 'int64 past the end', hex: '01020304', read: (r: TlReader) => r.int64(), code: 'TRUNCATED' },
    { rule: 'int128 past the end', hex: '00'.repeat(15), read: (r: TlReader) => r.int128(), code: 'TRUNCATED' },
    { rule: 'empty bytes', hex: '', read: (r: TlReader) => r.bytes(), code: 'TRUNCATED' },
    { rule: 'short length past the end', hex: '08AABBCC', read: (r: TlReader) => r.bytes(), code: 'LENGTH_PAST_END' },
    { rule: 'long length past the end', hex: 'FEFFFFFF00000000', read: (r: TlReader) => r.bytes(), code: 'LENGTH_PAST_END' },
    { rule: 'long length header cut short', hex: 'FE0001', read: (r: TlReader) => r.bytes(), code: 'TRUNCATED' },
    { rule: '0xFF length marker', hex: 'FF000000', read: (r: TlReader) => r.bytes(), code: 'BAD_VALUE' },
    { rule: 'Bool neither id', hex: '15C4B51C', read: (r: TlReader) => r.bool(), code: 'BAD_BOOL' },
    { rule: 'peek past the end', hex: '0102', read: (r: TlReader) => r.peekUint32(), code: 'TRUNCATED' },
    { rule: 'negative raw length', hex: '', read: (r: TlReader) => r.raw(-1), code: 'BAD_VALUE' },
    { rule: 'limit past the end', hex: '00000000', read: (r: TlReader) => r.limit(8), code: 'LENGTH_PAST_END' },
  ])('reader: $rule → $code', ({ hex, read, code }) => {
    expect(codeOf(() => read(new TlReader(fromHex(hex))))).toBe(code)
  })

  it('reader: bounds outside the buffer are refused', () => {
    expect(codeOf(() => new TlReader(new Uint8Array(4), 2, 8))).toBe('BAD_VALUE')
    expect(codeOf(() => new TlReader(new Uint8Array(4), 3, 2))).toBe('BAD_VALUE')
  })

  it.each([
    { rule: 'int32 above 2^31-1', write: (w: TlWriter) => w.int32(0x80000000), code: 'BAD_VALUE' },
    { rule: 'int32 fraction', write: (w: TlWriter) => w.int32(1.5), code: 'BAD_VALUE' },
    { rule: 'uint32 negative', write: (w: TlWriter) => w.uint32(-1), code: 'BAD_VALUE' },
    { rule: 'int64 above 2^63-1', write: (w: TlWriter) => w.int64(1n << 63n), code: 'BAD_VALUE' },
    { rule: 'int128 of 15 bytes', write: (w: TlWriter) => w.int128(new Uint8Array(15)), code: 'BAD_VALUE' },
    { rule: 'int256 of 16 bytes', write: (w: TlWriter) => w.int256(new Uint8Array(16)), code: 'BAD_VALUE' },
    { rule: 'bytes of 2^24', write: (w: TlWriter) => w.bytes(new Uint8Array(1 << 24)), code: 'BYTES_TOO_LONG' },
  ])('writer: $rule → $code', ({ write, code }) => {
    expect(codeOf(() => write(new TlWriter()))).toBe(code)
  })

  it('writer: bytes of 2^24 - 1 still fit the 3-byte prefix', () => {
    const out = new TlWriter().bytes(new Uint8Array(0xffffff)).finish()
    expect(toHex(out.subarray(0, 4))).toBe('FEFFFFFF')
    expect(out.length).toBe(4 + 0xffffff + 1)
  })
})
