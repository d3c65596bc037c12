import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { InnerForm } from '@pfs-web/control-client'
import { generateRsaPrivatePem } from './primitives/rsa-key.ts'
import type { DcRef } from './handshake/dc.ts'

export interface StoredPermKey {
  id: bigint
  key: Buffer
  dc: DcRef
  form: InnerForm
  createdAt: number
}

interface StoredPermKeyJson {
  id: string
  key: string
  dc: DcRef
  /** Absent in files written before the legacy forms were accepted: those keys were all `_dc`. */
  form?: InnerForm
  createdAt: number
}

/**
 * The server's disk: its RSA private key (created on first start) and the perm keys, which
 * survive a restart. Temp keys are never written (pfs §1.1: the server keeps them in RAM).
 */
export class DataDir {
  constructor(readonly path: string) {
    mkdirSync(path, { recursive: true })
  }

  rsaPrivatePem(): string {
    const file = join(this.path, 'rsa-private.pem')
    if (!existsSync(file)) writeFileSync(file, generateRsaPrivatePem(), { mode: 0o600 })
    return readFileSync(file, 'utf8')
  }

  loadPermKeys(): StoredPermKey[] {
    const file = join(this.path, 'perm-keys.json')
    if (!existsSync(file)) return []
    const rows = JSON.parse(readFileSync(file, 'utf8')) as StoredPermKeyJson[]
    return rows.map((r) => ({
      id: BigInt(r.id),
      key: Buffer.from(r.key, 'hex'),
      dc: r.dc,
      form: r.form ?? 'p_q_inner_data_dc',
      createdAt: r.createdAt,
    }))
  }

  savePermKeys(keys: Iterable<StoredPermKey>): void {
    const rows: StoredPermKeyJson[] = [...keys].map((k) => ({
      id: k.id.toString(),
      key: k.key.toString('hex'),
      dc: k.dc,
      form: k.form,
      createdAt: k.createdAt,
    }))
    const file = join(this.path, 'perm-keys.json')
    writeFileSync(file + '.tmp', JSON.stringify(rows), { mode: 0o600 })
    renameSync(file + '.tmp', file)
  }
}
