/**
 * Tracing and metrics: every call runs in a span; export them with `@effect/opentelemetry`.
 *
 * Sends spans to an in-memory exporter (swap in an OTLP exporter in production), calls
 * DescribeZones against the emulator while it throttles twice, prints the span tree of the call
 * with its attributes, then the call metrics (`effect-tencentcloud/Metrics`: calls, latency
 * histogram, errors by code).
 *
 * Run: `npx tsx examples/tracing.ts`.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Duration, Effect, Layer, Metric, Schedule } from "effect"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Cvm from "effect-tencentcloud/cvm"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as Retry from "effect-tencentcloud/Retry"
import { runMain } from "./_main.js"

/** One span as the exporter saw it, with its children. */
export interface SpanNode {
  readonly name: string
  readonly kind: number
  readonly attributes: Readonly<Record<string, unknown>>
  readonly status: number
  /** Span events (name and attributes), in order. */
  readonly events: ReadonlyArray<string>
  readonly children: ReadonlyArray<SpanNode>
}

const tree = (spans: ReadonlyArray<ReadableSpan>): Array<SpanNode> => {
  const node = (s: ReadableSpan): SpanNode => ({
    name: s.name,
    kind: s.kind,
    attributes: s.attributes,
    status: s.status.code,
    events: s.events.map((e) => `${e.name} ${JSON.stringify(e.attributes ?? {})}`),
    children: spans.filter((c) => c.parentSpanContext?.spanId === s.spanContext().spanId).map(node)
  })
  const ids = new Set(spans.map((s) => s.spanContext().spanId))
  return spans.filter((s) => s.parentSpanContext === undefined || !ids.has(s.parentSpanContext.spanId)).map(node)
}

/** Call DescribeZones through 2 throttled attempts with spans exported in memory; the span tree. */
export const traceOneCall = Effect.gen(function* () {
  const exporter = new InMemorySpanExporter()
  const Tracing = NodeSdk.layer(() => ({
    resource: { serviceName: "tracing-example" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  }))
  const emu = yield* Emulator.make()
  emu.faults.add({ action: "DescribeZones", times: 2, fault: { kind: "error", code: "RequestLimitExceeded" } })
  const Live = Client.layer({
    region: "ap-guangzhou",
    connectTo: emu.endpoint,
    retryPolicy: Retry.make({ maxRetries: 3, backoff: Schedule.spaced(Duration.millis(10)) })
  }).pipe(Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)), Layer.provide(UndiciHttpClient.layer({ proxy: false })))

  return yield* Cvm.describeZones({}).pipe(
    Effect.withSpan("list zones", { attributes: { "app.step": "inventory" } }), // your own span around the call
    // read the exporter before the tracing layer closes (shutting down clears an in-memory exporter)
    Effect.map((zones) => ({ zones: Number(zones.TotalCount), spans: tree(exporter.getFinishedSpans()) })),
    Effect.provide(Live),
    Effect.provide(Tracing)
  )
})

const print = (nodes: ReadonlyArray<SpanNode>, indent = ""): Array<string> =>
  nodes.flatMap((n) => [
    `${indent}${n.name}  ${Object.entries(n.attributes)
      .filter(([k]) => k.startsWith("tencentcloud.") || k.startsWith("app."))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(" ")}`,
    ...n.events.map((e) => `${indent}  · event ${e}`),
    ...print(n.children, indent + "  ")
  ])

export const main = Effect.gen(function* () {
  const { zones, spans } = yield* Effect.scoped(traceOneCall)
  console.log(`DescribeZones → ${zones} zones, after 2 throttled attempts. The spans exported:\n`)
  for (const line of print(spans)) console.log(`  ${line}`)
  // the call metrics (effect-tencentcloud/Metrics), as Effect's metric registry holds them
  const metrics = (yield* Metric.snapshot).filter((p) => p.metricKey.name.startsWith("tencentcloud."))
  console.log(`\nmetrics: ${metrics.length} series`)
  for (const p of metrics) {
    const tags = p.metricKey.tags.map((t) => `${t.key}=${t.value}`).join(",")
    const state = p.metricState as { count?: number | bigint; sum?: number }
    const value = state.sum !== undefined ? `count=${state.count} sum=${Math.round(state.sum)} ms` : `count=${state.count}`
    console.log(`  ${p.metricKey.name}{${tags}} ${value}`)
  }
})

runMain(import.meta, main)
