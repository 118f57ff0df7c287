/**
 * Metrics of every call through Effect's `Metric`: how many calls (by service, action, region and
 * outcome), how long they took (a latency histogram in milliseconds, retries included) and which
 * errors they ended with (by code: the server's code for API errors, the tag for the SDK's own).
 *
 * The engine records one outcome per call with {@link record}; read the values with
 * `Metric.value`, `Metric.snapshot`, or export them with `@effect/opentelemetry`'s metrics layer
 * (see docs/tracing.md). Metric names follow OpenTelemetry's conventions:
 *
 * | metric | type | tags |
 * | --- | --- | --- |
 * | `tencentcloud.calls` | counter | service, action, region, outcome (`ok` / `error`) |
 * | `tencentcloud.call.duration` | histogram (ms) | service, action, region |
 * | `tencentcloud.call.errors` | counter | service, action, region, code |
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"

/** Where a call went, as the metrics tag it. */
export interface MetricSite {
  readonly service: string
  readonly action: string
  readonly region?: string | undefined
}

/** The duration buckets; one object, shared by every key (boundaries compare by reference). */
const boundaries = /*#__PURE__*/ MetricBoundaries.exponential({ start: 1, factor: 2, count: 17 })

/** Calls made, tagged by service, action, region and outcome. */
export const calls = /*#__PURE__*/ Metric.counter("tencentcloud.calls", {
  description: "Tencent Cloud calls made, by service, action, region and outcome (ok, error)",
  incremental: true
})

/**
 * Duration of each call in milliseconds, all attempts and backoffs included. Buckets from 1 ms
 * doubling to about 65 s.
 */
export const callDuration = /*#__PURE__*/ Metric.histogram(
  "tencentcloud.call.duration",
  boundaries,
  "Duration of Tencent Cloud calls in milliseconds (retries included), by service, action and region"
)

/** Calls that failed, tagged by service, action, region and error code. */
export const callErrors = /*#__PURE__*/ Metric.counter("tencentcloud.call.errors", {
  description: "Tencent Cloud calls that failed, by service, action, region and error code",
  incremental: true
})

/** The code a failure is counted under: an API error's code, else the error's tag, else "unknown". */
export const codeOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const e = error as { readonly code?: unknown; readonly _tag?: unknown }
    if (typeof e.code === "string" && e.code !== "") return e.code
    if (typeof e._tag === "string" && e._tag !== "") return e._tag
  }
  return "unknown"
}

const siteLabels = (site: MetricSite): Array<MetricLabel.MetricLabel> => [
  MetricLabel.make("service", site.service),
  MetricLabel.make("action", site.action),
  MetricLabel.make("region", site.region ?? "")
]

/**
 * The metrics of one site, their tags in their keys. A metric updated with extra tags builds and
 * hashes a new key on every update (measured: a tenth of a call's CPU); one whose key already
 * holds its tags finds its state once and keeps it. Sites are few (service × action × region).
 */
interface SiteMetrics {
  readonly ok: Metric.Metric.Counter<number>
  readonly failed: Metric.Metric.Counter<number>
  readonly duration: Metric.Metric.Histogram<number>
  readonly errors: Map<string, Metric.Metric.Counter<number>>
  readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
}

const sites = new Map<string, SiteMetrics>()
const MAX_SITES = 4096

const counterAt = (name: string, description: string, labels: ReadonlyArray<MetricLabel.MetricLabel>) =>
  Metric.fromMetricKey(MetricKey.taggedWithLabels(MetricKey.counter(name, { description, incremental: true }), labels))

const siteMetrics = (site: MetricSite): SiteMetrics => {
  const key = `${site.service}\u0000${site.action}\u0000${site.region ?? ""}`
  let m = sites.get(key)
  if (m === undefined) {
    if (sites.size >= MAX_SITES) sites.clear()
    const labels = siteLabels(site)
    m = {
      ok: counterAt("tencentcloud.calls", "Tencent Cloud calls made, by service, action, region and outcome (ok, error)", [...labels, MetricLabel.make("outcome", "ok")]),
      failed: counterAt("tencentcloud.calls", "Tencent Cloud calls made, by service, action, region and outcome (ok, error)", [...labels, MetricLabel.make("outcome", "error")]),
      duration: Metric.fromMetricKey(
        MetricKey.taggedWithLabels(
          MetricKey.histogram("tencentcloud.call.duration", boundaries, "Duration of Tencent Cloud calls in milliseconds (retries included), by service, action and region"),
          labels
        )
      ),
      errors: new Map(),
      labels
    }
    sites.set(key, m)
  }
  return m
}

/**
 * Record one call's outcome: counted, its duration observed, and its error (if any) counted by
 * code. `error` is the call's failure, or `undefined` when it succeeded.
 */
export const record = (site: MetricSite, durationMs: number, error?: unknown): Effect.Effect<void> =>
  Effect.sync(() => unsafeRecord(site, durationMs, error))

/**
 * {@link record} as plain code, for the engine's fast path.
 *
 * @internal
 */
export const unsafeRecord = (site: MetricSite, durationMs: number, error?: unknown): void => {
  const m = siteMetrics(site)
  m.duration.unsafeUpdate(durationMs, [])
  if (error === undefined) {
    m.ok.unsafeUpdate(1, [])
    return
  }
  m.failed.unsafeUpdate(1, [])
  const code = codeOf(error)
  let c = m.errors.get(code)
  if (c === undefined) {
    c = counterAt("tencentcloud.call.errors", "Tencent Cloud calls that failed, by service, action, region and error code", [...m.labels, MetricLabel.make("code", code)])
    if (m.errors.size < 256) m.errors.set(code, c)
  }
  c.unsafeUpdate(1, [])
}
