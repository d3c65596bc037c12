// The page of a fresh create-vite app that embeds @pfs-web/client the way a web messenger
// would: start the client, connect, make a call, and branch on an error that crossed the
// worker boundary. The consumer e2e copies this over the template's src/main.ts and reads
// the outcome from #app.
import { createPfsClient, EngineError, isPfsError, type DcStateView } from '@pfs-web/client'

/** Written to public/ by the e2e: where the conformance server is and its RSA key. */
interface ServerInfo {
  wsUrl: string
  rsaPublicKeyPem: string
}

const out = document.querySelector<HTMLDivElement>('#app')!

async function run(): Promise<Record<string, unknown>> {
  const info = (await (await fetch('/pfs-server.json')).json()) as ServerInfo
  const client = createPfsClient({
    dcs: [{ id: 2, url: info.wsUrl }],
    defaultDcId: 2,
    rsaPublicKeys: [info.rsaPublicKeyPem],
    layer: 228,
    app: {
      apiId: 1,
      deviceModel: 'consumer-app',
      systemVersion: navigator.userAgent,
      appVersion: '0.0.0',
      systemLangCode: 'en',
      langPack: '',
      langCode: 'en',
    },
    // This app is served under a CSP without 'wasm-unsafe-eval', worker script included.
    webAssembly: false,
  })
  const state: DcStateView = await client.connect()
  const config = await client.getConfig()
  // DC 99 has no address: the worker throws EngineError('UNKNOWN_DC').
  const refused: unknown = await client.getConfig(99).then(
    () => null,
    (error: unknown) => error,
  )
  await client.close()
  return {
    status: state.status,
    bound: state.bound,
    thisDc: config.thisDc,
    refusedIsEngineError: refused instanceof EngineError,
    refusedName: isPfsError(refused) ? refused.name : null,
    refusedCode: isPfsError(refused) ? refused.code : null,
  }
}

run().then(
  (result) => {
    out.dataset.state = 'ok'
    out.textContent = JSON.stringify(result)
  },
  (error: unknown) => {
    out.dataset.state = 'error'
    out.textContent = String(error)
  },
)
