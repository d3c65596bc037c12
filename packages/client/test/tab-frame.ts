/**
 * A second browsing context for the tab suites: an iframe that loads this module gets
 * `pfsTab(options)`, a client made in its own realm. Removing the iframe ends that realm
 * the way closing a tab does, without close(): its Web Locks are released.
 */
import { createPfsClient, type PfsClient, type PfsClientOptions } from '../src/client.ts'

declare global {
  interface Window {
    pfsTab?: (options: PfsClientOptions) => PfsClient
  }
}

window.pfsTab = (options) => createPfsClient(options)
