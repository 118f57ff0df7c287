import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as Client from "../src/Client.js"
import { apiError, jsonAnswer, makeMockHttp, SECRET_KEY, staticCredentials, TOKEN } from "./helpers/mockHttp.js"

interface Recorded {
  readonly name: string
  readonly attributes: Map<string, unknown>
  exit?: Exit.Exit<unknown, unknown>
}

const recordingTracer = (spans: Array<Recorded>): Tracer.Tracer =>
  Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const rec: Recorded = { name, attributes: new Map() }
      spans.push(rec)
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      return {
        _tag: "Span",
        name,
        spanId: String(spans.length),
        traceId: "t",
        parent,
        context,
        get status() {
          return status
        },
        attributes: rec.attributes,
        links,
        sampled: true,
        kind,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
          rec.exit = exit
        },
        attribute(key, value) {
          rec.attributes.set(key, value)
        },
        event() {},
        addLinks() {}
      }
    },
    context: (f) => f()
  })

const serialise = (u: unknown): string =>
  JSON.stringify(u, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v)) + String(u)

describe("secrets never reach logs, spans, hooks or errors", () => {
  it.effect("a succeeding and a failing call at debug level, TC3 and v1", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const spans: Array<Recorded> = []
      const exchanges: Array<unknown> = []
      const logger = Logger.make((o) => logs.push(serialise({ message: o.message, annotations: [...o.annotations], spans: o.spans, cause: String(o.cause) })))
      for (const signMethod of ["TC3-HMAC-SHA256", "HmacSHA1"] as const) {
        for (const method of ["POST", "GET"] as const) {
          const http = makeMockHttp((_r, n) => (n % 2 === 1 ? jsonAnswer({ Ok: 1 }) : apiError("AuthFailure.SignatureFailure", "bad signature")))
          const layer = Client.layer({
            region: "ap-guangzhou",
            signMethod,
            method,
            httpListener: (e) => Effect.sync(() => exchanges.push(e))
          }).pipe(Layer.provide(Layer.merge(http.layer, staticCredentials(true))))
          const program = Effect.gen(function* () {
            yield* Client.call("cvm", "2017-03-12", "DescribeZones", { Name: "x" })
            const f = yield* Effect.fork(Effect.either(Client.call("cvm", "2017-03-12", "DescribeZones")))
            yield* TestClock.adjust("1 minute")
            const r = yield* Fiber.join(f)
            logs.push(serialise(r))
          })
          yield* program.pipe(
            Effect.provide(layer),
            Effect.withTracer(recordingTracer(spans)),
            Logger.withMinimumLogLevel(LogLevel.All),
            Effect.provide(Logger.replace(Logger.defaultLogger, logger))
          )
          // the token really was sent, so the test would see a leak
          expect(http.recorded.some((r) => r.headers["x-tc-token"] === TOKEN || r.url.includes("Token=") || r.body.includes("Token="))).toBe(true)
        }
      }
      expect(logs.some((l) => l.includes("DescribeZones"))).toBe(true)
      expect(spans.some((s) => s.name === "tencentcloud.cvm.DescribeZones")).toBe(true)
      expect(exchanges.length).toBeGreaterThanOrEqual(8)
      const everything = logs.join("\n") + serialise(spans) + serialise(exchanges)
      expect(everything).not.toContain(SECRET_KEY)
      expect(everything).not.toContain(TOKEN)
      expect(everything).not.toMatch(/Signature=[0-9a-f]{64}/)
      expect(everything).not.toMatch(/[?&]Signature=[A-Za-z0-9%+/]{20,}/)
    }))

  it.effect("the span names the call and carries attempt, endpoint, region and error code", () =>
    Effect.gen(function* () {
      const spans: Array<Recorded> = []
      const http = makeMockHttp(() => apiError("ResourceNotFound", "nope", "rid-1"))
      const layer = Client.layer({ region: "ap-guangzhou" }).pipe(Layer.provide(Layer.merge(http.layer, staticCredentials())))
      yield* Effect.either(Client.call("cvm", "2017-03-12", "DescribeInstances")).pipe(Effect.provide(layer), Effect.withTracer(recordingTracer(spans)))
      const span = spans.find((s) => s.name === "tencentcloud.cvm.DescribeInstances")!
      expect(span).toBeDefined()
      expect(span.attributes.get("tencentcloud.region")).toBe("ap-guangzhou")
      expect(span.attributes.get("tencentcloud.attempt")).toBe(1)
      expect(span.attributes.get("tencentcloud.endpoint")).toBe("cvm.tencentcloudapi.com")
      expect(span.attributes.get("tencentcloud.error_code")).toBe("ResourceNotFound")
      expect(span.attributes.get("tencentcloud.request_id")).toBe("rid-1")
      expect(Option.isSome(Option.fromNullable(span.exit))).toBe(true)
    }))
})
