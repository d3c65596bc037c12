/**
 * One rival's small-call loop alone, for profiling (issue #17): the server in a child
 * process, one client (pfs-web, or RIVAL=mtcute), help.getNearestDc at 1 and at 32 in
 * flight (IN_FLIGHT=1 for one case). Prints calls/s, WebSocket frames and bytes per call each way and client
 * CPU ms per call; with PROFILE=file.cpuprofile, a CPU profile of the measured rounds only
 * (after connect and warm-up). Run: PROFILE=/tmp/calls.cpuprofile tsx packages/worker/bench/profile-calls.ts
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import WebSocket from 'ws'
import { drive, mtcuteRival, pfsWebRival, startServerProcess } from './rivals.ts'

const CALLS = Number(process.env.CALLS ?? 2000)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
/** IN_FLIGHT=1 profiles one case alone (default both, 1 and 32). */
const IN_FLIGHT = (process.env.IN_FLIGHT ?? '1,32').split(',').map(Number)

const server = await startServerProcess()
try {
  const rival = process.env.RIVAL === 'mtcute' ? await mtcuteRival(server) : pfsWebRival(server)
  let sends = 0
  let received = 0
  let bytesOut = 0
  let bytesIn = 0
  const size = (data: unknown): number => (data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0)
  const send = WebSocket.prototype.send
  WebSocket.prototype.send = function (this: WebSocket, ...args: Parameters<WebSocket['send']>) {
    sends++
    bytesOut += size(args[0])
    return send.apply(this, args)
  } as WebSocket['send']
  const emit = WebSocket.prototype.emit
  WebSocket.prototype.emit = function (this: WebSocket, name: string, ...args: unknown[]) {
    if (name === 'message') {
      received++
      bytesIn += size(args[0])
    }
    return emit.call(this, name, ...args)
  } as WebSocket['emit']
  const warm = await rival.client(server.wsPort, false)
  await warm.firstAnswer()
  await warm.close()
  const client = await rival.client(server.wsPort, true)
  await client.firstAnswer()
  await drive(client.call, 500, 32)
  const inspector = new Session()
  if (process.env.PROFILE) {
    inspector.connect()
    await inspector.post('Profiler.enable')
    // the default 1 ms interval leaves a few µs-per-call function with a handful of samples
    await inspector.post('Profiler.setSamplingInterval', { interval: Number(process.env.SAMPLE_US ?? 50) })
    await inspector.post('Profiler.start')
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const inFlight of IN_FLIGHT) {
      const [s0, r0, bo0, bi0] = [sends, received, bytesOut, bytesIn]
      const { perS, cpuMs } = await drive(client.call, CALLS, inFlight)
      const perCall = (n: number): string => (n / CALLS).toFixed(2)
      console.log(`${inFlight} in flight: ${perS.toFixed(0)} calls/s, ${cpuMs.toFixed(3)} ms CPU/call, ${perCall(sends - s0)} frames out, ${perCall(received - r0)} in per call, ${perCall(bytesOut - bo0)} bytes out, ${perCall(bytesIn - bi0)} in`)
    }
  }
  if (process.env.PROFILE) {
    const { profile } = await inspector.post('Profiler.stop')
    writeFileSync(process.env.PROFILE, JSON.stringify(profile))
    inspector.disconnect()
  }
  await client.close()
} finally {
  await server.close()
}
// mtcute 0.30.3 leaves its future-salt timers armed after destroy() (see vs-mtcute.bench.ts)
process.exit(0)
