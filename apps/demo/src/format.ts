/** Display helpers. Times in the views are server unixtime seconds. */

const pad = (n: number): string => String(n).padStart(2, '0')

/** HH:MM:SS in the viewer's time zone for a server unixtime. */
export function clockTime(unixS: number): string {
  const d = new Date(unixS * 1000)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `7 Dec 07:38:08` in the viewer's time zone: temp keys live a day, so the date matters. */
export function dateTime(unixS: number): string {
  const d = new Date(unixS * 1000)
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${clockTime(unixS)}`
}

/** A duration such as `23h 59m 07s`, `4m 03s` or `12s`. */
export function duration(totalS: number): string {
  const s = Math.max(0, Math.floor(totalS))
  const hours = Math.floor(s / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  const seconds = s % 60
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`
  return `${seconds}s`
}

/** `in 4m 03s` or `3s ago`: `atS` relative to `nowS`, both on one clock. */
export function relative(atS: number, serverNowS: number): string {
  const delta = atS - serverNowS
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`
}

export function signedSeconds(s: number): string {
  const rounded = Math.round(s * 10) / 10
  return `${rounded >= 0 ? '+' : '−'}${Math.abs(rounded).toFixed(1)} s`
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`
  return `${n} B`
}

/** Error-like values as `Name code: message`, never a stack or raw bytes. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object') {
    const { name, code, message } = err as { name?: unknown; code?: unknown; message?: unknown }
    const head = [typeof name === 'string' ? name : 'Error', code !== undefined ? String(code) : ''].filter(Boolean).join(' ')
    return typeof message === 'string' && message !== '' && message !== String(code) ? `${head}: ${message}` : head
  }
  return String(err)
}
