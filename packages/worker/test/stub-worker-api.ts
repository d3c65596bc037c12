import { PfsError } from '@pfs-web/errors'
import type { WorkerApi } from '../src/api.ts'

/** A WorkerApi whose every method rejects with 'NOT_STUBBED' unless overridden. */
export function stubWorkerApi(overrides: Partial<WorkerApi>): WorkerApi {
  const missing = (name: string) => () => Promise.reject(new PfsError('NOT_STUBBED', name))
  return {
    init: missing('init'),
    connect: missing('connect'),
    invoke: missing('invoke'),
    cancel: missing('cancel'),
    getConfig: missing('getConfig'),
    getNearestDc: missing('getNearestDc'),
    saveFilePart: missing('saveFilePart'),
    getFile: missing('getFile'),
    states: missing('states'),
    subscribe: missing('subscribe'),
    onUpdate: missing('onUpdate'),
    onKeyEvent: missing('onKeyEvent'),
    rotateNow: missing('rotateNow'),
    lifecycle: missing('lifecycle'),
    logout: missing('logout'),
    close: missing('close'),
    ...overrides,
  }
}
