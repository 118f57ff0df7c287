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
import * as MetricLabel from "effect/MetricLabel"

/** Where a call went, as the metrics tag it. */
export interface MetricSite {
  readonly service: string
  readonly action: string
  readonly region?: string | undefined
}

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
  /*#__PURE__*/ MetricBoundaries.exponential({ start: 1, factor: 2, count: 17 }),
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
 * Record one call's outcome: counted, its duration observed, and its error (if any) counted by
 * code. `error` is the call's failure, or `undefined` when it succeeded.
 */
export const record = (site: MetricSite, durationMs: number, error?: unknown): Effect.Effect<void> => {
  const labels = siteLabels(site)
  const outcome = error === undefined ? "ok" : "error"
  const counted = Metric.update(Metric.taggedWithLabels(calls, [...labels, MetricLabel.make("outcome", outcome)]), 1)
  const timed = Effect.zipRight(counted, Metric.update(Metric.taggedWithLabels(callDuration, labels), durationMs))
  return error === undefined
    ? timed
    : Effect.zipRight(timed, Metric.update(Metric.taggedWithLabels(callErrors, [...labels, MetricLabel.make("code", codeOf(error))]), 1))
}
