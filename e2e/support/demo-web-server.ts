import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

interface DemoPorts {
  web: number
  tcp: number
  ws: number
  control: number
}

/** Playwright's webServer entry for scripts/start-demo.mjs on `ports`, fresh data, keys exposed. */
export function demoWebServer(ports: DemoPorts, dataDir: string) {
  return {
    command: [
      `node scripts/start-demo.mjs --fresh --expose-keys --data ${dataDir}`,
      `--port ${ports.web} --tcp-port ${ports.tcp} --ws-port ${ports.ws} --control-port ${ports.control}`,
    ].join(' '),
    cwd: repoRoot,
    url: `http://127.0.0.1:${ports.web}/demo-config.json`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  }
}
