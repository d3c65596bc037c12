/**
 * The one place that teaches Comlink how our values cross the worker boundary. Both sides
 * call `registerWireHandlers()` before the first message.
 *
 * Errors: Comlink's built-in throw handler keeps name/message/stack and drops `code`, so a
 * thrown PfsError would arrive as a bare Error. We carry `{name, code, message}` (never the
 * stack or cause, which may quote internals) and rebuild the registered class by name, so
 * `instanceof RpcError` and `err.code` work on the other side. An unknown name rebuilds as
 * PfsError with the same code and keeps the original name for diagnostics.
 *
 * Bytes: `transferBytes()` marks a Uint8Array to move rather than copy. It is explicit per
 * call site (not a blanket handler) because moving detaches the sender's buffer.
 */
import { releaseProxy, transfer, transferHandlers, type TransferHandler } from 'comlink'
import { FloodWaitError, PfsError, RpcError, TransportError, type PfsErrorShape } from '@pfs-web/errors'
import { CryptoError, SecurityError } from '@pfs-web/crypto'
import { EngineError, HandshakeError, PacketError } from './errors.ts'
import { StorageError } from './edge/storage/errors.ts'

// Comlink's default handler for non-PfsError throws; captured before we replace it.
const builtinThrow = transferHandlers.get('throw')

interface Thrown {
  value: unknown
}

interface PfsWireError {
  pfsError: PfsErrorShape
}

type PfsErrorClass = abstract new (...args: never[]) => PfsError

/** The boundary itself refused a message: 'NOT_EXPOSED'. */
export class WireError extends PfsError {
  declare readonly code: string
  constructor(code: string, message?: string) {
    super(code, message)
  }
}

const errorClasses = new Map<string, PfsErrorClass>()

/**
 * Makes `cls` rebuildable by name on this side. Classes are looked up by `cls.name`, so two
 * classes of one name cannot both cross; the later registration wins.
 */
export function registerErrorClass(cls: PfsErrorClass): void {
  errorClasses.set(cls.name, cls)
}

for (const cls of [PfsError, RpcError, FloodWaitError, TransportError, CryptoError, SecurityError, EngineError, HandshakeError, PacketError, StorageError, WireError]) {
  registerErrorClass(cls)
}

function isPfsWireError(value: unknown): value is PfsWireError {
  if (typeof value !== 'object' || value === null || !('pfsError' in value)) return false
  const e: unknown = value.pfsError
  return typeof e === 'object' && e !== null && 'name' in e && 'code' in e && 'message' in e &&
    typeof e.name === 'string' && typeof e.message === 'string' && (typeof e.code === 'string' || typeof e.code === 'number')
}

export function errorToWire(error: PfsError): PfsWireError {
  return { pfsError: { name: error.name, code: error.code, message: error.message } }
}

/**
 * Rebuilds through PfsError's constructor with `new.target` set to the registered class:
 * subclasses differ in their constructor signatures but all set code/name/message there.
 */
export function errorFromWire(wire: PfsWireError): PfsError {
  const { name, code, message } = wire.pfsError
  const cls = errorClasses.get(name) ?? PfsError
  const error: PfsError = Reflect.construct(PfsError, [code, message], cls)
  if (error.name !== name) error.name = name
  return error
}

interface PlainWireError {
  plainError: { name: string; message: string }
}

function isPlainWireError(value: unknown): value is PlainWireError {
  if (typeof value !== 'object' || value === null || !('plainError' in value)) return false
  const e: unknown = value.plainError
  return typeof e === 'object' && e !== null && 'name' in e && 'message' in e && typeof e.name === 'string' && typeof e.message === 'string'
}

/**
 * Anything thrown, as plain data for the call port: a PfsError as errorToWire does, any
 * other throw as a bare name and message (no stack or cause, which may quote internals).
 */
export function thrownToWire(thrown: unknown): PfsWireError | PlainWireError {
  if (thrown instanceof PfsError) return errorToWire(thrown)
  if (thrown instanceof Error) return { plainError: { name: thrown.name, message: thrown.message } }
  return { plainError: { name: 'Error', message: String(thrown) } }
}

/** The error thrownToWire described: the registered PfsError class, else an Error of that name. */
export function thrownFromWire(wire: unknown): Error {
  if (isPfsWireError(wire)) return errorFromWire(wire)
  if (!isPlainWireError(wire)) return new WireError('BAD_ANSWER', 'the worker sent an unreadable error')
  const error = new Error(wire.plainError.message)
  error.name = wire.plainError.name
  return error
}

const throwHandler: TransferHandler<Thrown, unknown> = {
  canHandle: (value): value is Thrown => builtinThrow?.canHandle(value) ?? false,
  serialize(thrown) {
    if (thrown.value instanceof PfsError) return [errorToWire(thrown.value), []]
    if (!builtinThrow) throw new PfsError('WIRE_UNAVAILABLE', 'Comlink has no throw handler')
    return builtinThrow.serialize(thrown)
  },
  deserialize(serialized) {
    if (isPfsWireError(serialized)) throw errorFromWire(serialized)
    if (!builtinThrow) throw new PfsError('WIRE_UNAVAILABLE', 'Comlink has no throw handler')
    return builtinThrow.deserialize(serialized) as Thrown
  },
}

/** Idempotent; call once per realm (page and worker) before wrapping or exposing. */
export function registerWireHandlers(): void {
  transferHandlers.set('throw', throwHandler)
}

/**
 * Marks `bytes` to be moved to the other side. A view that does not span its whole buffer
 * is copied first: structured clone would otherwise ship (and transfer would detach) every
 * byte of the underlying buffer, which may hold unrelated plaintext.
 */
export function transferBytes(bytes: Uint8Array): Uint8Array {
  const owned = ownedBytes(bytes)
  return transfer(owned, [owned.buffer])
}

/** `bytes` when it spans its whole ArrayBuffer, else a copy that does (see transferBytes). */
export function ownedBytes(bytes: Uint8Array<ArrayBufferLike>): Uint8Array<ArrayBuffer> {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : bytes.slice()
}

/**
 * Frees the MessageChannel behind a Comlink proxy (a listener or an unsubscribe handed
 * across). Typed as unknown because the declared API types do not show the proxy.
 */
export function releaseRemote(value: unknown): void {
  if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) return
  const release: unknown = Reflect.get(value, releaseProxy)
  if (typeof release === 'function') release.call(value)
}
