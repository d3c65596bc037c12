import { readFileSync } from 'node:fs'

/**
 * utime + stime of a process in seconds, from /proc/<pid>/stat (fields 14 and 15, in ticks
 * of USER_HZ: 100 on x86-64 and arm64, the machines these benches run on). Throws where
 * there is no /proc.
 */
export function processCpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}
