/**
 * help.getConfig's answer as the engine's ConfigView, read by hand: the view takes only the
 * fields config leads with, and a generated decoder for all of config's fifty-odd fields
 * (and the types only they hold) cost the worker bundle 0.7 kB gzipped for nothing. The
 * page decodes the whole object with its own TL when it wants it (tl/scripts/client-profile.ts).
 *
 *   config#cc1a241e flags:# … date:int expires:int test_mode:Bool this_dc:int
 *     dc_options:Vector<DcOption> …
 *   dcOption#18b7a10d flags:# … id:int ip_address:string port:int secret:flags.10?bytes
 */
import { TlReader } from '@pfs-web/tl/client'
import type { ConfigView } from './api.ts'
import { EngineError } from './errors.ts'

const CONFIG = 0xcc1a241e
const DC_OPTION = 0x18b7a10d
const VECTOR = 0x1cb5c415
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
  id(VECTOR, 'Vector<DcOption>')
  const count = r.int32()
  // a count the bytes cannot hold is refused before anything is allocated for it
  if (count < 0 || count * MIN_DC_OPTION_BYTES > r.remaining) throw new EngineError('UNEXPECTED_RESULT', `dc_options: ${count} entries`)
  const dcOptions: ConfigView['dcOptions'] = []
  for (let i = 0; i < count; i++) {
    id(DC_OPTION, 'dcOption')
    const flags = r.uint32()
    const option = { id: r.int32(), ipAddress: r.string(), port: r.int32() }
    if (flags & 1024) r.bytes()
    dcOptions.push(option)
  }
  return { date, expires, thisDc, testMode, dcOptions }
}
