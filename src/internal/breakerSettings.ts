/**
 * The region breaker's settings: defaults (those of the official Python SDK) and validation.
 * `RegionBreaker.ts` re-exports them.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { RequestValidationError } from "../Errors.js"
import type { MachineSettings } from "./breakerMachine.js"


/** Breaker settings. Defaults (those of the Python SDK): see {@link defaultSettings}. */
export interface BreakerSettings {
  /** Minimum failures in the window before the failure rate can open the breaker. */
  readonly maxFailNum: number
  /** Failure rate (0..1] in the window that, with `maxFailNum`, opens the breaker. */
  readonly maxFailPercent: number
  /** Length of a counting window in `closed`; the counters reset when it ends. */
  readonly windowInterval: Duration.DurationInput
  /** The fixed cool-down used when `cooldown` is not given. */
  readonly timeout: Duration.DurationInput
  /**
   * Cool-down before `open` turns `half-open`: the n-th consecutive opening (without a close in
   * between) waits the n-th delay of this schedule; when the schedule ends its last delay is
   * kept. Default `Schedule.spaced(timeout)`; `Schedule.exponential("60 seconds")` backs off.
   */
  readonly cooldown?: Schedule.Schedule<unknown> | undefined
  /** Successes in `half-open` that close the breaker. */
  readonly maxRequests: number
  /** Root domain of the backup endpoint; requests go to `<service>.<backupEndpoint>`. */
  readonly backupEndpoint: string
  /** Failures in a row that open the breaker whatever the rate. */
  readonly consecutiveFailures: number
}

/** The defaults: 5 failures, 75 %, a 300 s window, a 60 s cool-down, 5 successes, 5 in a row. */
export const defaultSettings: BreakerSettings = {
  maxFailNum: 5,
  maxFailPercent: 0.75,
  windowInterval: Duration.seconds(300),
  timeout: Duration.seconds(60),
  maxRequests: 5,
  backupEndpoint: "ap-guangzhou.tencentcloudapi.com",
  consecutiveFailures: 5
}

/** Settings after validation. */
export interface ResolvedSettings extends MachineSettings {
  readonly timeoutMillis: number
  readonly cooldown: Schedule.Schedule<unknown>
  readonly backupEndpoint: string
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

/**
 * Check a backup endpoint: a host name such as `tencentcloudapi.com`,
 * `ap-guangzhou.tencentcloudapi.com` or a custom domain, optionally with a `:port`; no scheme,
 * path, spaces or IP address. Returns it lower-cased.
 */
export const validateBackupEndpoint = (value: string): Either.Either<string, RequestValidationError> => {
  const fail = (problem: string, fix = "give a host name such as \"ap-guangzhou.tencentcloudapi.com\"") =>
    Either.left(RequestValidationError.make({ field: "backupEndpoint", problem, fix }))
  if (typeof value !== "string" || value.length === 0) return fail("it is empty")
  if (/\s/.test(value)) return fail(`${JSON.stringify(value)} contains whitespace`)
  if (value.includes("://")) return fail(`${JSON.stringify(value)} has a scheme`, "drop the scheme (\"https://\"): backups are always called over https")
  if (/[/?#@\\]/.test(value)) return fail(`${JSON.stringify(value)} has a path, query or user part`, "give only the host name")
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(value)
  if (m === null) return fail(`${JSON.stringify(value)} is not a host name`)
  const host = m[1].toLowerCase()
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return fail(`port ${m[2]} is out of range`)
  if (host.length > 253 || host.startsWith(".") || host.endsWith(".")) return fail(`${JSON.stringify(value)} is not a host name`)
  const labels = host.split(".")
  if (!labels.every((l) => LABEL.test(l))) {
    return fail(`${JSON.stringify(value)} is not a host name (labels are letters, digits and inner hyphens)`)
  }
  if (/^\d+$/.test(labels[labels.length - 1])) return fail(`${JSON.stringify(value)} looks like an IP address`, "give a domain: the service name is put in front of it")
  return Either.right(m[2] !== undefined ? `${host}:${m[2]}` : host)
}

const decodeDuration = (field: string, input: unknown): Either.Either<number, RequestValidationError> => {
  const d = Duration.decodeUnknown(input)
  if (Option.isNone(d) || !Duration.isFinite(d.value) || Duration.toMillis(d.value) <= 0) {
    return Either.left(RequestValidationError.make({ field, problem: `${String(input)} is not a positive duration`, fix: "give a duration such as \"60 seconds\"" }))
  }
  return Either.right(Duration.toMillis(d.value))
}

const checkNumber = (
  field: string,
  value: number,
  ok: (n: number) => boolean,
  expected: string
): Either.Either<number, RequestValidationError> =>
  typeof value === "number" && ok(value)
    ? Either.right(value)
    : Either.left(RequestValidationError.make({ field, problem: `${String(value)} is not ${expected}`, fix: `give ${expected}` }))

/** Fill in the defaults and validate; the error names the bad field. */
export const resolveSettings = (
  settings: Partial<BreakerSettings> = {}
): Either.Either<ResolvedSettings, RequestValidationError> =>
  Either.gen(function* () {
    const s = { ...defaultSettings, ...stripUndefined(settings) }
    const int = (n: number) => Number.isInteger(n)
    const maxFailNum = yield* checkNumber("maxFailNum", s.maxFailNum, (n) => int(n) && n >= 1, "an integer ≥ 1")
    const maxFailPercent = yield* checkNumber("maxFailPercent", s.maxFailPercent, (n) => n > 0 && n <= 1, "a fraction in (0, 1]")
    const maxRequests = yield* checkNumber("maxRequests", s.maxRequests, (n) => int(n) && n >= 0, "an integer ≥ 0")
    const consecutiveFailures = yield* checkNumber("consecutiveFailures", s.consecutiveFailures, (n) => int(n) && n >= 1, "an integer ≥ 1")
    const windowMillis = yield* decodeDuration("windowInterval", s.windowInterval)
    const timeoutMillis = yield* decodeDuration("timeout", s.timeout)
    const backupEndpoint = yield* validateBackupEndpoint(s.backupEndpoint)
    return {
      maxFailNum,
      maxFailPercent,
      maxRequests,
      consecutiveFailures,
      windowMillis,
      timeoutMillis,
      cooldown: s.cooldown ?? Schedule.spaced(Duration.millis(timeoutMillis)),
      backupEndpoint
    }
  })

const stripUndefined = <A extends object>(a: A): Partial<A> =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Partial<A>
