/**
 * When a query goes wrapped in invokeWithLayer(initConnection(...)) (pfs-and-errors.md §1.5,
 * api/invoking "Saving client info"): the first API query after a temp key is bound, and
 * after every reconnect, carries the client's layer and app info; once the server answered
 * a wrapped query (a result or an error: either way it read the wrapper) plain queries
 * follow. CONNECTION_NOT_INITED / CONNECTION_LAYER_INVALID ask for the wrapper again.
 */

/** `needed`: wrap the next query. `done`: the server has this connection's client info. */
export type InitState = 'needed' | 'done'

export type InitEvent =
  /** The key was bound, or its connection opened again. */
  | { type: 'bound' }
  | { type: 'reopened' }
  /** An answer arrived to a query; `wrapped`: that query carried initConnection. */
  | { type: 'answered'; wrapped: boolean }
  /** rpc_error CONNECTION_NOT_INITED or CONNECTION_LAYER_INVALID. */
  | { type: 'not-inited' }

export function stepInit(state: InitState, event: InitEvent): InitState {
  switch (event.type) {
    case 'bound':
    case 'reopened':
    case 'not-inited':
      return 'needed'
    case 'answered':
      return event.wrapped ? 'done' : state
  }
}

/** Whether the next query goes out wrapped. */
export function wrapsNext(state: InitState): boolean {
  return state === 'needed'
}
