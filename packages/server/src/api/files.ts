/** upload.saveFilePart parts kept in memory, so 512 KiB messages have somewhere to go. */
export class FileStore {
  private readonly files = new Map<bigint, Map<number, Buffer>>()

  savePart(fileId: bigint, part: number, bytes: Uint8Array): void {
    let parts = this.files.get(fileId)
    if (parts === undefined) {
      parts = new Map()
      this.files.set(fileId, parts)
    }
    parts.set(part, Buffer.from(bytes))
  }

  /** The parts concatenated in order, sliced; null when the file id is unknown. */
  read(fileId: bigint, offset: number, limit: number): Buffer | null {
    const parts = this.files.get(fileId)
    if (parts === undefined) return null
    const whole = Buffer.concat([...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b))
    return whole.subarray(offset, offset + limit)
  }

  clear(): void {
    this.files.clear()
  }
}
