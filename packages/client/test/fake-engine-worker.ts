/// <reference lib="webworker" />
/** Test worker: the scripted engine served through the product's exposeOn. */
import { exposeOn } from '@pfs-web/worker'
import { createFakeEngine } from './fake-engine.ts'

exposeOn(self, createFakeEngine())
