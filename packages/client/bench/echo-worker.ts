/**
 * The Comlink floor: a worker that answers each call with its argument. Timing it beside
 * the engine worker shows how much of a small call is the thread hop itself.
 */
import { expose } from 'comlink'

const api = Object.freeze({
  echo: (bytes: Uint8Array): Uint8Array => bytes,
})
export type EchoApi = typeof api

expose(api)
