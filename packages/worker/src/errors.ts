import { PfsError } from '@pfs-web/errors'

/**
 * Engine-level failures a caller can branch on:
 * - 'NOT_INITIALIZED' init() was not called; 'UNKNOWN_DC' no address for the DC;
 * - 'NOT_BOUND' a non-whitelisted method before the temp key is bound (pfs §1.3);
 * - 'TIMEOUT' / 'CANCELLED' the per-call deadline or cancel(callId);
 * - 'CLOSED' the engine was closed; 'LOGGED_OUT' the DC's keys were dropped by logout().
 */
export class EngineError extends PfsError {}

/**
 * A client MUST check of the DH handshake failed (auth-key.md steps 1–9), e.g.
 * 'NONCE_MISMATCH', 'SERVER_NONCE_MISMATCH', 'NO_RSA_KEY', 'BAD_ANSWER_HASH',
 * 'BAD_NEW_NONCE_HASH', 'DH_GEN_FAIL', 'UNEXPECTED_MESSAGE', 'TOO_MANY_RETRIES',
 * 'BAD_SERVER_TIME' (server_time outside policy/session/msg-id's plausible range).
 * The runtime restarts the handshake on a new connection.
 */
export class HandshakeError extends PfsError {}

/**
 * An inbound encrypted packet failed a receive check (encryption.md §4): 'AUTH_KEY_ID_MISMATCH',
 * 'BAD_LENGTH', 'MSG_KEY_MISMATCH', 'BAD_PADDING', 'SESSION_MISMATCH', 'BAD_MSG_ID',
 * 'BAD_MSG_TIME' (a message that may move the clock carries an implausible time),
 * 'MALFORMED'. Nothing from such a packet is used; the connection is reconnected.
 */
export class PacketError extends PfsError {}
