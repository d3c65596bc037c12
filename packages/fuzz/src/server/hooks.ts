/**
 * Where a case's mutation reaches into the fuzz server: one hook per layer of what the
 * server sends, from TL objects down to the obfuscated byte stream. A hook returns
 * undefined to leave its input alone. The server runs the honest protocol around them.
 */
import type { TlObject, TlOf } from '@pfs-web/tl'

/** One message the server is about to send in an encrypted packet. */
export interface OutMessage {
  /** A TL object, or bytes already serialized (a mutation may hand over anything). */
  body: TlObject | Uint8Array
  /** Odd seq_no (content-related) or even. */
  content: boolean
  /** An answer to a client message (msg_id ≡ 1 mod 4) or not (≡ 3). */
  answer: boolean
  /** Set by a mutation to force the msg_id. */
  msgId?: bigint
  seqno?: number
}

/** The server's msg_id numbering (time-based, increasing), for hooks that build containers. */
export interface MsgIdSource {
  next(answer: boolean): bigint
}

/** The plaintext envelope of one encrypted packet, before sealing (encryption.md §1). */
export interface Envelope {
  salt: bigint
  sessionId: bigint
  msgId: bigint
  seqno: number
  body: Uint8Array
  /** message_data_length as written; the body length unless a mutation lies. */
  lengthField: number
  /** Random padding bytes after the body (12..1024 and 16-aligned when honest). */
  padding: number
}

/** The link a packet goes out on, for hooks that close it or go silent. */
export interface LinkControl {
  close(): void
  /** From now on nothing more is sent to the engine on this link. */
  mute(): void
  /** Sends raw bytes (already obfuscated) as one socket message. */
  sendRaw(bytes: Uint8Array): void
  /** Obfuscates and sends transport bytes (frames or pieces of frames). */
  sendPlain(bytes: Uint8Array): void
}

export interface HandshakeSecrets {
  nonce: Uint8Array
  serverNonce: Uint8Array
  newNonce: Uint8Array | null
  /** SHA1(auth_key)[0:8], once the key is computed. */
  auxHash: Uint8Array | null
  /** encrypted_answer for any server_DH_inner_data, as the honest server would encrypt it. */
  encryptInner(inner: TlObject): Uint8Array
}

export type HandshakeStep = 'res-pq' | 'server-dh-params' | 'dh-gen'

export interface HandshakeHooks {
  /** server_DH_inner_data before it is hashed and encrypted: an authentic but hostile answer. */
  inner?(inner: TlOf<'server_DH_inner_data'>): TlObject | undefined
  /** An answer about to go; 'drop' sends nothing. */
  answer?(step: HandshakeStep, answer: TlObject, secrets: HandshakeSecrets): TlObject | 'drop' | undefined
  /** The unencrypted packet (auth_key_id 0 ‖ msg_id ‖ length ‖ body). */
  packet?(bytes: Uint8Array): Uint8Array | undefined
}

export interface ServerHooks {
  handshake?: HandshakeHooks
  /** Which of the temp/perm handshakes the handshake hooks apply to (default any). */
  handshakeKind?: 'perm' | 'temp'
  /** The result of auth.bindTempAuthKey before it is wrapped in rpc_result. */
  bind?(result: TlObject): TlObject | 'drop' | undefined
  /** Messages about to be packed into one packet on a traffic (non-handshake) link. */
  messages?(messages: OutMessage[], ids: MsgIdSource): OutMessage[] | undefined
  /** Each message's serialized body. */
  body?(bytes: Uint8Array): Uint8Array | undefined
  envelope?(envelope: Envelope): Envelope | undefined
  /** The sealed packet: auth_key_id ‖ msg_key ‖ encrypted data. */
  packet?(bytes: Uint8Array): Uint8Array | undefined
  /** A packet's padded-intermediate frame bytes; may send itself through `link` and return []. */
  frames?(frame: Uint8Array, link: LinkControl): Uint8Array[] | undefined
  /** Obfuscated bytes about to go on the socket. */
  stream?(bytes: Uint8Array, link: LinkControl): Uint8Array | undefined
  /** Right after the engine's 64-byte obfuscation header arrived. */
  accepted?(link: LinkControl): void
}
