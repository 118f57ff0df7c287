/**
 * A server-sent event stream that stalls after its headers ends with `TimeoutError` (issue 14
 * item 11), over real loopback HTTP against a deliberately broken server: it answers
 * `text/event-stream`, sends one event and then nothing, keeping the connection open. The idle
 * timeout between events runs on the `TestClock`, so nothing here waits for real time.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import type * as net from "node:net"
import * as Client from "../src/Client.js"
import * as UndiciHttpClient from "../src/node/UndiciHttpClient.js"
import { staticCredentials } from "./helpers/mockHttp.js"

let server: http.Server
let origin = ""
const open = new Set<http.ServerResponse>()
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream", "x-tc-requestid": "rid" })
      res.write('data: {"Choices":[{"Delta":{"Content":"first"}}]}\n\n')
      open.add(res) // and then nothing: the stream stalls
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
})
afterAll(async () => {
  for (const res of open) res.destroy()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const realPause = Effect.promise(() => new Promise<void>((r) => setTimeout(r, 20)))

describe("an event stream that stalls after its headers", () => {
  it.effect("ends with TimeoutError after the idle timeout (TestClock), keeping the events before it", () =>
    Effect.gen(function* () {
      const live = Client.layer({ region: "ap-guangzhou", connectTo: origin, streamIdleTimeout: "30 seconds" }).pipe(
        Layer.provide(staticCredentials()),
        Layer.provide(UndiciHttpClient.layer({ proxy: false }))
      )
      const seen: Array<string> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(Client.stream("hunyuan", "2023-09-01", "ChatCompletions", {}), (e) => Effect.sync(() => void seen.push(e.data))).pipe(
          Effect.provide(live),
          Effect.either
        )
      )
      for (let i = 0; i < 500 && seen.length === 0; i++) yield* realPause
      expect(seen).toHaveLength(1)
      yield* TestClock.adjust("29 seconds")
      for (let i = 0; i < 5; i++) yield* realPause
      expect(fiber.unsafePoll()).toBeNull() // still open within the idle timeout
      yield* TestClock.adjust("1 second")
      const r = yield* Fiber.join(fiber)
      expect(r._tag).toBe("Left")
      if (r._tag === "Left") {
        expect(r.left._tag).toBe("TimeoutError")
        expect((r.left as { timeoutMillis?: number }).timeoutMillis).toBe(30_000)
      }
    }))
})
