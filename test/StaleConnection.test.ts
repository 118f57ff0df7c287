/**
 * Stale keep-alive connections (issue 14 item 12), over real loopback HTTP against deliberately
 * broken servers: a connection the server closes (an orderly close, as at its keep-alive
 * timeout) when the next request arrives on it is recognised as "nothing was acted on" and
 * classified as retryable for every action and not a region failure; a reset after the server
 * read the request is not. The pool's default keep-alive is below a Node server's 5 s.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as net from "node:net"
import type { Dispatcher } from "undici"
import * as Errors from "../src/Errors.js"
import * as RegionBreaker from "../src/RegionBreaker.js"
import { isBeforeSend } from "../src/internal/staleConnection.js"
import * as UndiciHttpClient from "../src/node/UndiciHttpClient.js"

/**
 * A broken HTTP/1.1 server: on each connection it answers the first request (keep-alive), then
 * on the next request's first bytes it either closes the connection in order (`"close"`, what a
 * server does at its keep-alive timeout) or resets it (`"reset"`), never answering.
 */
const brokenServer = async (mode: "close" | "reset") => {
  let connections = 0
  const server = net.createServer((sock) => {
    connections++
    let requests = 0
    let buf = ""
    sock.on("error", () => {})
    sock.on("data", (d) => {
      buf += d.toString("latin1")
      while (buf.includes("\r\n\r\n")) {
        const head = buf.slice(0, buf.indexOf("\r\n\r\n"))
        const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        buf = buf.slice(buf.indexOf("\r\n\r\n") + 4 + len)
        requests++
        if (requests === 1) {
          const body = '{"Response":{"RequestId":"rid-1"}}'
          sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`)
        } else {
          if (mode === "close") sock.end()
          else sock.resetAndDestroy()
          return
        }
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  const port = (server.address() as net.AddressInfo).port
  return { origin: `http://127.0.0.1:${port}`, connections: () => connections, close: () => new Promise<void>((r) => server.close(() => r())) }
}

const twoRequests = async (origin: string, dispatcher: Dispatcher) => {
  const send = () => dispatcher.request({ origin, path: "/", method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
  const first = await send()
  expect(first.statusCode).toBe(200)
  await first.body.text()
  return send().then(
    () => undefined,
    (e: unknown) => e
  )
}

describe("stale keep-alive connections", () => {
  it("the pool's default keep-alive is below a Node server's 5 s idle timeout", () => {
    expect(Duration.toMillis(UndiciHttpClient.DEFAULT_KEEP_ALIVE)).toBeLessThan(5_000)
  })

  it("a reused connection the server closed before answering is recognised (real undici over loopback)", async () => {
    const server = await brokenServer("close")
    const dispatcher = UndiciHttpClient.makeDispatcher({ connections: 1 })
    try {
      const error = await twoRequests(server.origin, dispatcher)
      expect(error).toBeDefined()
      expect(isBeforeSend(error)).toBe(true)
      // wrapped as the platform client and the engine wrap it
      expect(isBeforeSend({ _tag: "RequestError", cause: error })).toBe(true)
    } finally {
      await dispatcher.close()
      await server.close()
    }
  })

  it("a reset after the server read the request is not (it may have acted on it)", async () => {
    const server = await brokenServer("reset")
    const dispatcher = UndiciHttpClient.makeDispatcher({ connections: 1 })
    try {
      const error = await twoRequests(server.origin, dispatcher)
      expect(error).toBeDefined()
      expect(isBeforeSend(error)).toBe(false)
    } finally {
      await dispatcher.close()
      await server.close()
    }
  })

  it("a first request on a fresh connection that is closed is not a stale reuse", async () => {
    const server = net.createServer((sock) => {
      sock.on("error", () => {})
      sock.once("data", () => sock.end())
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
    const dispatcher = UndiciHttpClient.makeDispatcher()
    try {
      const error = await dispatcher
        .request({ origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, path: "/", method: "POST", body: "{}" })
        .then(() => undefined, (e: unknown) => e)
      expect(error).toBeDefined()
      expect(isBeforeSend(error)).toBe(false)
    } finally {
      await dispatcher.close()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  it("NetworkError.beforeSend is retried for every action and is not a region failure", () => {
    const site = { service: "cvm", version: "2017-03-12", action: "RunInstances", traceId: "t", message: "m" }
    const stale = new Errors.NetworkError({ ...site, reason: "Reset", beforeSend: true })
    const reset = new Errors.NetworkError({ ...site, reason: "Reset" })
    expect(Errors.classify(stale)).toEqual({ retry: "always", region: undefined })
    expect(Errors.classify(reset)).toEqual({ retry: "ifSafe", region: false })
    expect(RegionBreaker.classifyError(stale)).toBeUndefined()
    expect(RegionBreaker.classifyError(reset)).toBe(false)
  })
})

// -------------------------------------------------------------------------------------------------
// through Client.call over the undici transport: an unsafe action survives a stale connection

import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Client from "../src/Client.js"
import { staticCredentials } from "./helpers/mockHttp.js"

describe("stale keep-alive connections through Client.call", () => {
  it("an unsafe action (RunInstances) on a connection the server closed is sent again on a new one and succeeds", async () => {
    const server = await brokenServer("close")
    try {
      const live = Client.layer({ region: "ap-guangzhou", connectTo: server.origin }).pipe(
        Layer.provide(staticCredentials()),
        Layer.provide(UndiciHttpClient.layer({ proxy: false, connections: 1 }))
      )
      const results = await Effect.runPromise(
        Effect.all([
          Client.call("cvm", "2017-03-12", "RunInstances", {}),
          Client.call("cvm", "2017-03-12", "RunInstances", {}) // the pool reuses the connection the server closes
        ]).pipe(Effect.provide(live))
      )
      expect(results.map((r) => r.RequestId)).toEqual(["rid-1", "rid-1"])
      expect(server.connections()).toBe(2)
    } finally {
      await server.close()
    }
  })
})
