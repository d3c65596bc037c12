/** Ports of the e2e run, away from the interactive demo's defaults (5173, 9443–9445). */
export const E2E_PORTS = { web: 15173, tcp: 19443, ws: 19444, control: 19445 } as const

export const baseUrl = `http://127.0.0.1:${E2E_PORTS.web}`
export const controlUrl = `http://127.0.0.1:${E2E_PORTS.control}`
export const serverDataDir = '.server-data/e2e'

/** The Firefox smoke's demo and server (e2e/firefox), apart from both of the above. */
export const FIREFOX_PORTS = { web: 17173, tcp: 17443, ws: 17444, control: 17445 } as const
export const firefoxBaseUrl = `http://127.0.0.1:${FIREFOX_PORTS.web}`
export const firefoxControlUrl = `http://127.0.0.1:${FIREFOX_PORTS.control}`
export const firefoxServerDataDir = '.server-data/firefox'
