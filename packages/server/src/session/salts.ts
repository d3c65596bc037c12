/** One salt window, as future_salt carries it. */
export interface SaltWindow {
  valid_since: number
  valid_until: number
  salt: bigint
}

/** A salt lives 30 min as current, then stays valid 30 min more (encryption.md §5 "Salt"). */
export const SALT_PERIOD_S = 1800

/**
 * Salts of one auth key (kept per key, as encryption.md §5 suggests for a test server).
 * The first salt comes from the handshake; later windows are drawn on demand. The book
 * follows the server clock: when the clock stepped back before every window it holds, it
 * restarts at the clock, so the salt it announces as current is always one it accepts.
 */
export class SaltBook {
  private readonly windows: SaltWindow[] = []
  private changeAt: number | null = null

  constructor(
    first: bigint,
    createdAt: number,
    private readonly random: () => bigint,
  ) {
    const since = Math.floor(createdAt)
    this.windows.push({ valid_since: since, valid_until: since + 2 * SALT_PERIOD_S, salt: first })
  }

  isValid(salt: bigint, now: number): boolean {
    this.settle(now)
    return this.windows.some((w) => w.salt === salt && w.valid_since - SALT_PERIOD_S <= now && now < w.valid_until)
  }

  current(now: number): bigint {
    return this.upcoming(1, now)[0]!.salt
  }

  /** `num` windows from the one current at `now` on (get_future_salts, 1..64). */
  upcoming(num: number, now: number): SaltWindow[] {
    this.settle(now)
    let last = this.windows[this.windows.length - 1]
    while (last === undefined || this.windows.filter((w) => w.valid_until > now + SALT_PERIOD_S).length < num) {
      const since = last === undefined ? Math.floor(now) : last.valid_since + SALT_PERIOD_S
      last = { valid_since: since, valid_until: since + 2 * SALT_PERIOD_S, salt: this.random() }
      this.windows.push(last)
    }
    return this.windows.filter((w) => w.valid_until > now + SALT_PERIOD_S).slice(0, num)
  }

  /**
   * The `salt` fault: at `at` (server time) the current salt and every future salt already
   * announced are dropped, without the usual grace, and a new salt is drawn. A message
   * under the old salt then gets bad_server_salt (48) with the new one. A later call
   * replaces an earlier one that has not happened yet.
   */
  scheduleChange(at: number): void {
    this.changeAt = at
  }

  cancelChange(): void {
    this.changeAt = null
  }

  private settle(now: number): void {
    if (this.changeAt !== null && now >= this.changeAt) {
      this.changeAt = null
      this.windows.length = 0
    }
    while (this.windows.length > 0 && this.windows[0]!.valid_until <= now) this.windows.shift()
    if (this.windows.length > 0 && this.windows[0]!.valid_since > now) this.windows.length = 0
  }
}
