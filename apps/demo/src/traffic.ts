import { errorText } from './format.ts'

// Background calls at a fixed rate, so a person (or the e2e run) can see whether a
// fault cost any calls: a call that rejects is lost; one that was resent after a
// rebind and resolved is not.

export interface TrafficStats {
  running: boolean
  sent: number
  ok: number
  failed: number
  inFlight: number
  lastMs: number | null
  lastError: string | null
}

const MAX_IN_FLIGHT = 4

export interface Traffic {
  start(): void
  stop(): void
  stats(): TrafficStats
}

export function createTraffic(call: () => Promise<unknown>, intervalMs: number, onChange: (s: TrafficStats) => void): Traffic {
  const s: TrafficStats = { running: false, sent: 0, ok: 0, failed: 0, inFlight: 0, lastMs: null, lastError: null }
  let timer: ReturnType<typeof setInterval> | null = null
  const changed = () => onChange({ ...s })

  function fire(): void {
    if (s.inFlight >= MAX_IN_FLIGHT) return
    s.sent++
    s.inFlight++
    const started = performance.now()
    changed()
    call().then(
      () => {
        s.ok++
        s.lastMs = Math.round(performance.now() - started)
      },
      (err: unknown) => {
        s.failed++
        s.lastError = errorText(err)
      },
    ).finally(() => {
      s.inFlight--
      changed()
    })
  }

  return {
    start() {
      if (timer) return
      s.running = true
      fire()
      timer = setInterval(fire, intervalMs)
      changed()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = null
      s.running = false
      changed()
    },
    stats: () => ({ ...s }),
  }
}
