import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { startServer } from './server.ts'

// pnpm server --host 127.0.0.1 --tcp-port N --ws-port N --control-port N --data DIR
const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    'tcp-port': { type: 'string', default: '9443' },
    'ws-port': { type: 'string', default: '9444' },
    'control-port': { type: 'string', default: '9445' },
    data: { type: 'string', default: '.server-data' },
    'no-strict-pfs': { type: 'boolean', default: false },
    'temp-key-max-expires-in': { type: 'string' },
    'bind-slack-seconds': { type: 'string' },
    'expose-keys': { type: 'boolean', default: false },
    'replace-bindings': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
})

const port = (name: string, v: string | undefined): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`--${name} must be a port number`)
    process.exit(2)
  }
  return n
}
const optionalNumber = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v))

const log = (level: string) => (event: string, fields?: Record<string, string | number | boolean>) =>
  console.log(`${level} ${event}${fields === undefined ? '' : ' ' + JSON.stringify(fields)}`)

const server = await startServer({
  host: values.host,
  tcpPort: port('tcp-port', values['tcp-port']),
  wsPort: port('ws-port', values['ws-port']),
  controlPort: port('control-port', values['control-port']),
  dataDir: resolve(values.data),
  strictPfs: !values['no-strict-pfs'],
  tempKeyMaxExpiresIn: optionalNumber(values['temp-key-max-expires-in']),
  bindSlackSeconds: optionalNumber(values['bind-slack-seconds']),
  exposeKeyBytes: values['expose-keys'],
  bindingMode: values['replace-bindings'] ? 'replace' : 'many',
  logger: values.verbose ? { info: log('info'), warn: log('warn') } : { info: () => {}, warn: log('warn') },
})

console.log(`tcp      ${server.host}:${server.tcpPort} (abridged, intermediate, padded, obfuscated)`)
console.log(`ws       ws://${server.host}:${server.wsPort}/apiws (obfuscated, subprotocol binary)`)
console.log(`control  http://${server.host}:${server.controlPort} (GET /rsa.pem /info /stats, POST /faults)`)
console.log(`rsa fingerprint ${server.fingerprint} (data ${resolve(values.data)})`)
console.log(server.rsaPublicKeyPem.trim())
console.log('pfs-server ready')

const stop = (): void => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
