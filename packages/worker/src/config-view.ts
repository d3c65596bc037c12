/**
 * help.getConfig's answer as the engine's ConfigView, read by hand: the view takes only the
 * fields config leads with, and a generated decoder for all of config's fifty-odd fields
 * (and the types only they hold) cost the worker bundle 0.9 kB gzipped for nothing. The
 * page decodes the whole object with its own TL when it wants it (tl/scripts/client-profile.ts).
 *
 *   config#cc1a241e flags:# … date:int expires:int test_mode:Bool this_dc:int
 *     dc_options:Vector<DcOption> …
 *   dcOption#18b7a10d flags:# … id:int ip_address:string port:int secret:flags.10?bytes
 */
import { readVector, TlReader, VECTOR_ID } from '@pfs-web/tl/client'
import type { ConfigView } from './api.ts'
import { EngineError } from './errors.ts'

const CONFIG = 0xcc1a241e
const DC_OPTION = 0x18b7a10d
/** Smallest dcOption: id, flags, id, an empty string (4 bytes), port. */
const MIN_DC_OPTION_BYTES = 20

export function readConfigView(bytes: Uint8Array): ConfigView {
  const r = new TlReader(bytes)
  const id = (want: number, name: string): void => {
    if (r.uint32() !== want) throw new EngineError('UNEXPECTED_RESULT', `expected ${name}`)
  }
  id(CONFIG, 'config')
  r.uint32()
  const date = r.int32()
  const expires = r.int32()
  const testMode = r.bool()
  const thisDc = r.int32()
  id(VECTOR_ID, 'Vector<DcOption>')
  // a count the bytes cannot hold is a TlError before anything is allocated for it
  const dcOptions = readVector(r, MIN_DC_OPTION_BYTES, () => {
    id(DC_OPTION, 'dcOption')
    const flags = r.uint32()
    const option = { id: r.int32(), ipAddress: r.string(), port: r.int32() }
    if (flags & 1024) r.bytes()
    return option
  })
  return { date, expires, thisDc, testMode, dcOptions }
}
