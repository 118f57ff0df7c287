/**
 * Metrics per call (issue 15, item 7): `Metrics.record` counts a call by outcome, observes its
 * duration in the histogram and counts failures by code (API code, or the SDK error's tag).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import { ApiError, NetworkError } from "../../src/Errors.js"
import * as Metrics from "../../src/Metrics.js"

const site = { service: "cvm", action: "DescribeZones", region: "ap-test-metrics" }
const tags = (extra: Record<string, string> = {}) =>
  [...Object.entries({ service: site.service, action: site.action, region: site.region, ...extra })].map(([k, v]) => MetricLabel.make(k, v))

describe("Metrics.record", () => {
  it.effect("counts calls by outcome, observes durations and counts errors by code", () =>
    Effect.gen(function* () {
      const apiError = new ApiError({ ...site, version: "2017-03-12", code: "RequestLimitExceeded", serverMessage: "slow down", requestId: "r1" })
      const netError = new NetworkError({ ...site, version: "2017-03-12", reason: "Connect", traceId: "t", message: "refused" } as never)
      yield* Metrics.record(site, 12, undefined)
      yield* Metrics.record(site, 30, undefined)
      yield* Metrics.record(site, 700, apiError)
      yield* Metrics.record(site, 3, netError)

      const ok = yield* Metric.value(Metric.taggedWithLabels(Metrics.calls, tags({ outcome: "ok" })))
      const failed = yield* Metric.value(Metric.taggedWithLabels(Metrics.calls, tags({ outcome: "error" })))
      expect([ok.count, failed.count]).toEqual([2, 2])

      const h = yield* Metric.value(Metric.taggedWithLabels(Metrics.callDuration, tags()))
      expect(h.count).toBe(4)
      expect(h.sum).toBe(745)
      expect(h.min).toBe(3)
      expect(h.max).toBe(700)
      // the 700 ms call falls in the (512, 1024] bucket: 3 calls at or under 512 ms
      const at512 = h.buckets.find(([b]) => b === 512)
      expect(at512?.[1]).toBe(3)

      const throttled = yield* Metric.value(Metric.taggedWithLabels(Metrics.callErrors, tags({ code: "RequestLimitExceeded" })))
      const network = yield* Metric.value(Metric.taggedWithLabels(Metrics.callErrors, tags({ code: "NetworkError" })))
      expect([throttled.count, network.count]).toEqual([1, 1])
    }))

  it("codeOf: the API code, else the tag, else unknown", () => {
    expect(Metrics.codeOf({ _tag: "X", code: "AuthFailure" })).toBe("AuthFailure")
    expect(Metrics.codeOf({ _tag: "TimeoutError" })).toBe("TimeoutError")
    expect(Metrics.codeOf(new Error("boom"))).toBe("unknown")
    expect(Metrics.codeOf(undefined)).toBe("unknown")
  })
})
