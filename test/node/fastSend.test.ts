/**
 * The undici fast lane over a real loopback server: the size cap judges the bytes that come, so a
 * HEAD that declares a large Content-Length is read, while a GET that declares or
 * sends more than the cap is refused with `FastTooLarge` (and the process keeps running).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import type * as net from "node:net"
import { Agent } from "undici"
import { abortable, FastTooLarge } from "../../src/core/fastLane.js"
import * as FastSend from "../../src/node/internal/fastSend.js"

const big = 100 * 1024 * 1024
let server: http.Server
let base = ""
const agent = new Agent()
const send = FastSend.make(agent)

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/declared") {
      res.writeHead(200, { "Content-Length": String(big) })
      if (req.method === "HEAD") return res.end()
      res.write("partial")
      return setTimeout(() => res.destroy(), 50)
    }
    if (req.url === "/hang") return
    res.writeHead(200, { "Content-Type": "text/plain" })
    res.end("x".repeat(4096))
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
})
afterAll(async () => {
  await agent.close()
  await new Promise<void>((r) => server.close(() => r()))
})

const req = (method: string, path: string, maxBytes: number) =>
  send({ method, url: base + path, headers: {}, body: undefined, maxBytes, signal: new AbortController().signal })

describe("fast lane size cap", () => {
  it("a HEAD declaring more than the cap is answered, with its declared length", async () => {
    const r = await req("HEAD", "/declared", 1024)
    expect(r.status).toBe(200)
    expect(r.headers["content-length"]).toBe(String(big))
    expect(r.body).toBe("")
  })
  it("a GET declaring more than the cap is refused before its body is read", async () => {
    await expect(req("GET", "/declared", 1024)).rejects.toBeInstanceOf(FastTooLarge)
  })
  it("a GET sending more than the cap without declaring it is refused while reading", async () => {
    await expect(req("GET", "/chunked", 1024)).rejects.toBeInstanceOf(FastTooLarge)
    expect((await req("GET", "/chunked", 8192)).body.length).toBe(4096)
  })
  it("the lightweight signal aborts a request in flight (undici listens to it)", async () => {
    const c = abortable()
    const p = send({ method: "GET", url: base + "/hang", headers: {}, body: undefined, maxBytes: 1024, signal: c.signal })
    setTimeout(c.abort, 20)
    const e = await p.then(() => undefined, (x) => x)
    expect(e?.name ?? e?.code).toMatch(/Abort/)
  })
})
