/**
 * The region breaker's state machine, pure: `closed → open → half-open` per endpoint key, moved by
 * time and by attempt outcomes. `RegionBreaker.ts` re-exports it and keeps one machine per key.
 *
 * @internal
 */

/** The numbers the pure machine needs. */
export interface MachineSettings {
  readonly maxFailNum: number
  readonly maxFailPercent: number
  readonly windowMillis: number
  readonly maxRequests: number
  readonly consecutiveFailures: number
}


/** The three states. */
export type BreakerState = "closed" | "open" | "half-open"

/** Why the state changed. */
export type ChangeReason =
  | "failure-rate"
  | "consecutive-failures"
  | "cooldown-elapsed"
  | "half-open-failure"
  | "recovered"

/** Counters of the current generation. */
export interface Counts {
  readonly failures: number
  readonly total: number
  readonly consecutiveSuccesses: number
  readonly consecutiveFailures: number
}

/** The state of one key's breaker. Immutable. */
export interface Machine {
  readonly state: BreakerState
  readonly generation: number
  readonly counts: Counts
  /** `closed`: end of the counting window; `open`: end of the cool-down; `half-open`: +∞. Epoch ms. */
  readonly expiry: number
  /** Openings since the breaker last closed; the next opening waits cool-down number `openings + 1`. */
  readonly openings: number
  /** `half-open`: probes sent to the primary whose outcome is not reported yet (absent: 0). */
  readonly probes?: number | undefined
  /** `half-open`: when unreported probes are given up as lost and their places freed (epoch ms). */
  readonly probesExpire?: number | undefined
}

/** What a caller gets before an attempt. */
export interface Ticket {
  readonly generation: number
  /** Send this attempt to the backup endpoint (while `open`, and in `half-open` beyond the probes). */
  readonly useBackup: boolean
  /** A `half-open` probe of the primary: report its outcome (even `undefined`) to free its place. */
  readonly probe?: boolean | undefined
}

/** One transition of the machine. */
export interface Transition {
  readonly from: BreakerState
  readonly to: BreakerState
  readonly reason: ChangeReason
  /** The generation after the change. */
  readonly generation: number
}

/** The result of a machine step: the new machine and the state changes it went through. */
export interface Step {
  readonly machine: Machine
  readonly transitions: ReadonlyArray<Transition>
  /** True when `after` dropped the result (older generation, or `open`). */
  readonly ignored?: boolean | undefined
}

const zero: Counts = { failures: 0, total: 0, consecutiveSuccesses: 0, consecutiveFailures: 0 }

/** A closed breaker whose first window starts at `now`. */
export const initial = (now: number, s: MachineSettings): Machine => ({
  state: "closed",
  generation: 0,
  counts: zero,
  expiry: now + s.windowMillis,
  openings: 0
})

const toClosed = (m: Machine, now: number, s: MachineSettings): Machine => ({
  state: "closed",
  generation: m.generation + 1,
  counts: zero,
  expiry: now + s.windowMillis,
  openings: 0
})

const toOpen = (m: Machine, now: number, cooldownMillis: (opening: number) => number): Machine => ({
  state: "open",
  generation: m.generation + 1,
  counts: zero,
  expiry: now + Math.max(0, cooldownMillis(m.openings + 1)),
  openings: m.openings + 1
})

const toHalfOpen = (m: Machine): Machine => ({
  state: "half-open",
  generation: m.generation + 1,
  counts: zero,
  expiry: Number.POSITIVE_INFINITY,
  openings: m.openings
})

/**
 * Apply the passage of time: a `closed` window that ended starts a new generation with cleared
 * counters; an `open` breaker whose cool-down ended turns `half-open`.
 */
export const advance = (m: Machine, now: number, s: MachineSettings): Step => {
  if (m.expiry > now) return { machine: m, transitions: [] }
  if (m.state === "closed") {
    return { machine: { ...m, generation: m.generation + 1, counts: zero, expiry: now + s.windowMillis }, transitions: [] }
  }
  if (m.state === "open") {
    const next = toHalfOpen(m)
    return { machine: next, transitions: [{ from: "open", to: "half-open", reason: "cooldown-elapsed", generation: next.generation }] }
  }
  return { machine: m, transitions: [] }
}

/** Probes allowed at a time in `half-open`: `maxRequests`, at least one. */
export const probeLimit = (s: MachineSettings): number => Math.max(1, s.maxRequests)

/**
 * Before an attempt: advance to `now` and hand out a ticket: the backup while `open`; in
 * `half-open` a probe of the primary while fewer than {@link probeLimit} probes are out, else the
 * backup; the primary while `closed`.
 */
export const before = (m: Machine, now: number, s: MachineSettings): Step & { readonly ticket: Ticket } => {
  const step = advance(m, now, s)
  const cur = step.machine
  if (cur.state !== "half-open") return { ...step, ticket: { generation: cur.generation, useBackup: cur.state === "open" } }
  const out = cur.probesExpire !== undefined && cur.probesExpire <= now ? 0 : cur.probes ?? 0
  if (out >= probeLimit(s)) return { ...step, ticket: { generation: cur.generation, useBackup: true } }
  return {
    ...step,
    machine: { ...cur, probes: out + 1, probesExpire: now + s.windowMillis },
    ticket: { generation: cur.generation, useBackup: false, probe: true }
  }
}

/**
 * After an attempt: advance to `now`, free the place of a `half-open` probe, then count the
 * result unless it is not recorded (`undefined`), its ticket is of an older generation or went to
 * the backup, or the breaker is `open`. `cooldownMillis(n)` is the cool-down of the n-th
 * consecutive opening.
 */
export const after = (
  m: Machine,
  now: number,
  ticket: Ticket,
  success: boolean | undefined,
  s: MachineSettings,
  cooldownMillis: (opening: number) => number
): Step => {
  const adv = advance(m, now, s)
  let cur = adv.machine
  if (ticket.probe && ticket.generation === cur.generation && cur.state === "half-open" && (cur.probes ?? 0) > 0) {
    cur = { ...cur, probes: (cur.probes ?? 0) - 1 }
  }
  if (success === undefined || ticket.useBackup || ticket.generation !== cur.generation || cur.state === "open") {
    return { machine: cur, transitions: adv.transitions, ignored: true }
  }
  const c = cur.counts
  const counts: Counts = success
    ? { failures: c.failures, total: c.total + 1, consecutiveSuccesses: c.consecutiveSuccesses + 1, consecutiveFailures: 0 }
    : { failures: c.failures + 1, total: c.total + 1, consecutiveSuccesses: 0, consecutiveFailures: c.consecutiveFailures + 1 }
  const counted: Machine = { ...cur, counts }
  const change = (next: Machine, reason: ChangeReason): Step => ({
    machine: next,
    transitions: [...adv.transitions, { from: cur.state, to: next.state, reason, generation: next.generation }]
  })
  if (cur.state === "closed") {
    if (success) return { machine: counted, transitions: adv.transitions }
    if (counts.failures >= s.maxFailNum && counts.failures / counts.total >= s.maxFailPercent) {
      return change(toOpen(counted, now, cooldownMillis), "failure-rate")
    }
    if (counts.consecutiveFailures >= s.consecutiveFailures) {
      return change(toOpen(counted, now, cooldownMillis), "consecutive-failures")
    }
    return { machine: counted, transitions: adv.transitions }
  }
  // half-open
  if (!success) return change(toOpen(counted, now, cooldownMillis), "half-open-failure")
  if (counts.total - counts.failures >= s.maxRequests) return change(toClosed(counted, now, s), "recovered")
  return { machine: counted, transitions: adv.transitions }
}
