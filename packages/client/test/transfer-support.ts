/** What the transfer test and benchmark share: the caller's TL for a location, and reading and hashing a download. */

/** inputDocumentFileLocation#bad07584 id access_hash:0 file_reference:'' thumb_size:'', as a caller's TL writes it. */
export function documentLocation(id: bigint): Uint8Array {
  const out = new Uint8Array(28)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0xbad07584, true)
  view.setBigInt64(4, id, true)
  return out
}

export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The stream's bytes, up to `room` of them. */
export async function readAll(stream: ReadableStream<Uint8Array>, room: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(room)
  const reader = stream.getReader()
  let at = 0
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    out.set(r.value, at)
    at += r.value.length
  }
  return out.subarray(0, at)
}
