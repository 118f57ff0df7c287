/**
 * Tracing (issue 15, item 7): `examples/tracing.ts` exports spans with @effect/opentelemetry to an
 * in-memory exporter; the span tree of a call that was throttled twice: the user's span, the
 * call's client span under it with service, version, action, region and the attempt count, and no
 * secret anywhere in it.
 */
import { describe, expect, it } from "@effect/vitest"
import { SpanKind } from "@opentelemetry/api"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Metrics from "../../src/Metrics.js"
import * as Emulator from "../../src/emulator/index.js"
import { type SpanNode, traceOneCall } from "../../examples/tracing.js"

const find = (nodes: ReadonlyArray<SpanNode>, name: string): SpanNode | undefined =>
  nodes.map((n) => (n.name === name ? n : find(n.children, name))).find((n) => n !== undefined)

describe("tracing with @effect/opentelemetry", () => {
  it.live("the span tree of a call with retries, and its attributes", () =>
    Effect.gen(function* () {
      const { zones, spans } = yield* Effect.scoped(traceOneCall)
      expect(zones).toBeGreaterThan(0)
      expect(spans.map((s) => s.name)).toEqual(["list zones"])
      const root = spans[0]
      expect(root.attributes["app.step"]).toBe("inventory")
      const call = find(spans, "tencentcloud.cvm.DescribeZones")
      expect(call).toBeDefined()
      expect(root.children.map((c) => c.name)).toContain("tencentcloud.cvm.DescribeZones")
      expect(call!.kind).toBe(SpanKind.CLIENT)
      expect(call!.attributes).toMatchObject({
        "tencentcloud.service": "cvm",
        "tencentcloud.version": "2017-03-12",
        "tencentcloud.action": "DescribeZones",
        "tencentcloud.region": "ap-guangzhou",
        "tencentcloud.attempt": 3
      })
      expect(String(call!.attributes["tencentcloud.request_id"] ?? "")).not.toBe("")
      const text = JSON.stringify(spans)
      expect(text).not.toContain(Emulator.DEMO_CREDENTIALS.secretKey)
      expect(text).not.toMatch(/TC3-HMAC-SHA256 Credential/)

      // the engine recorded the call in the metrics: one ok call, its duration observed
      const tags = [["service", "cvm"], ["action", "DescribeZones"], ["region", "ap-guangzhou"]].map(([k, v]) => MetricLabel.make(k, v))
      const ok = yield* Metric.value(Metric.taggedWithLabels(Metrics.calls, [...tags, MetricLabel.make("outcome", "ok")]))
      const duration = yield* Metric.value(Metric.taggedWithLabels(Metrics.callDuration, tags))
      expect(ok.count).toBeGreaterThanOrEqual(1)
      expect(duration.count).toBeGreaterThanOrEqual(1)
    }), 60_000)
})
