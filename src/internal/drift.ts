/**
 * The machinery behind `Drift`: the strict-mode and listener references read by generated
 * actions, the drift record, its description of values (never a long string: a value may be a
 * secret), and the report of a decoded answer's drift as log lines, span events, a metric and
 * listener calls. Kept small: every generated action's bundle includes it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import type { Mismatch, Resolution } from "./tolerant.js"

/** One difference between an answer and the spec the SDK was generated from. */
export interface DriftRecord {
  /** The spec's `serviceShortName` (`cvm`). */
  readonly service: string
  /** The API version, `YYYY-MM-DD`. */
  readonly version: string
  readonly action: string
  /** The answer's RequestId (empty when the answer had none). */
  readonly requestId: string
  /** The member path, `InstanceSet[3].CPU` (empty: the answer itself). */
  readonly path: string
  /** What the spec declares there, `an integer (int64)`. */
  readonly expected: string
  /** What came, described (`"4" (a string)`, `null`, `nothing (missing)`, `an object`). */
  readonly got: string
  /** What the tolerant decoder did with it. */
  readonly resolution: Resolution
}

/**
 * Strict mode: `true` fails an answer with any drift (`ResponseDecodeError` naming every
 * mismatch) and refuses requests that need a conversion; `false` is tolerant; `undefined` (the
 * default) is tolerant for real answers and strict for `Testing` mock answers.
 */
export class StrictMode extends /*#__PURE__*/ Context.Reference<StrictMode>()("effect-tencentcloud/Drift/StrictMode", {
  defaultValue: (): boolean | undefined => undefined
}) {}

/** A function called with each drift record. */
export type Listener = (record: DriftRecord) => Effect.Effect<void>

/** The listeners drift records are given to, in order. */
export class Listeners extends /*#__PURE__*/ Context.Reference<Listeners>()("effect-tencentcloud/Drift/Listeners", {
  defaultValue: (): ReadonlyArray<Listener> => []
}) {}

/** Counter of drift records, tagged `service` and `action`. */
export const counter = /*#__PURE__*/ Metric.counter("tencentcloud_drift_total", {
  description: "Differences between Tencent Cloud answers and the specs of this SDK (one per member path and answer)",
  incremental: true
})

/** Marks an answer as a `Testing` mock's: its left-out members are filled, it is checked strictly by default. */
export const MockAnswer: unique symbol = Symbol.for("effect-tencentcloud/MockAnswer") as any

/** Holds the answer as it came, on a decoded value the tolerant decoder had to change. */
export const RawAnswer: unique symbol = Symbol.for("effect-tencentcloud/RawAnswer") as any

const SHORT = /^[-+0-9.eE]{1,24}$|^(true|false|null)$/

/** A description of a value for records and messages: a short numeric or boolean text in full, else its kind. */
export const describeGot = (v: unknown): string => {
  if (v === undefined) return "nothing (missing)"
  if (v === null) return "null"
  if (typeof v === "string") return SHORT.test(v) ? `${JSON.stringify(v)} (a string)` : `a string (${v.length} characters)`
  if (typeof v === "number") return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`
  if (typeof v === "bigint") return `the integer ${v}`
  if (typeof v === "boolean") return `the boolean ${v}`
  if (Array.isArray(v)) return `a list (${v.length} items)`
  if (v instanceof Uint8Array) return "bytes"
  return typeof v === "object" ? "an object" : typeof v
}

/** Render a path as `Filters[0].Values`. */
export const pathText = (path: ReadonlyArray<string | number>): string => {
  let out = ""
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`
  return out
}

/** The records of an answer's mismatches. */
export const records = (
  site: { readonly service: string; readonly version: string; readonly action: string },
  requestId: string,
  mismatches: ReadonlyArray<Mismatch>
): Array<DriftRecord> =>
  mismatches.map((m) => ({
    service: site.service,
    version: site.version,
    action: site.action,
    requestId,
    path: pathText(m.path),
    expected: m.expected,
    got: describeGot(m.got),
    resolution: m.resolution
  }))

/** One line per record: `InstanceSet[3].CPU: expected an integer (int64), got "4" (a string) (coerced)`. */
export const recordLine = (r: DriftRecord): string =>
  `${r.path === "" ? "the answer" : r.path}: expected ${r.expected}, got ${r.got} (${r.resolution})`

const attributes = (r: DriftRecord): Record<string, string> => ({
  "tencentcloud.service": r.service,
  "tencentcloud.version": r.version,
  "tencentcloud.action": r.action,
  "tencentcloud.request_id": r.requestId,
  "tencentcloud.drift.path": r.path,
  "tencentcloud.drift.expected": r.expected,
  "tencentcloud.drift.got": r.got,
  "tencentcloud.drift.resolution": r.resolution
})

/** Report drift records: a debug log line and a span event each, the counter, the listeners. */
export const report = (rs: ReadonlyArray<DriftRecord>): Effect.Effect<void> => {
  if (rs.length === 0) return Effect.void
  const first = rs[0]
  // debug lines only when debug logging is on (building them for hundreds of records costs)
  const log = Effect.flatMap(FiberRef.get(FiberRef.currentMinimumLogLevel), (min) => LogLevel.lessThan(LogLevel.Debug, min) ? Effect.void : Effect.forEach(
    rs,
    (r) =>
      Effect.annotateLogs(Effect.logDebug(`drift in ${r.service} ${r.action}: ${recordLine(r)}`), {
        service: r.service,
        action: r.action,
        requestId: r.requestId,
        path: r.path,
        expected: r.expected,
        got: r.got,
        resolution: r.resolution
      }),
    { discard: true }
  ))
  // the parent span read as an option (`Effect.currentSpan` fails without one, building an exception)
  const events = Effect.flatMap(Effect.serviceOption(Tracer.ParentSpan), (span) =>
    Option.isNone(span) || span.value._tag !== "Span"
      ? Effect.void
      : Effect.map(Clock.currentTimeNanos, (now) => {
          for (const r of rs) (span.value as Tracer.Span).event("tencentcloud.drift", now, attributes(r))
        })
  )
  const metric = Metric.incrementBy(Metric.tagged(Metric.tagged(counter, "service", first.service), "action", first.action), rs.length)
  const listeners = Effect.flatMap(Listeners, (ls) =>
    ls.length === 0 ? Effect.void : Effect.forEach(rs, (r) => Effect.forEach(ls, (l) => l(r), { discard: true }), { discard: true })
  )
  return Effect.zipRight(Effect.zipRight(Effect.zipRight(log, events), metric), listeners)
}
