/** GET /info */
export interface ServerInfo {
  host: string
  tcpPort: number
  wsPort: number
  controlPort: number
  wsUrl: string
  /** Decimal TL long. */
  fingerprint: string
  /** The 8 fingerprint bytes as sent on the wire, hex. */
  fingerprintHex: string
  rsaPublicKeyPem: string
}
