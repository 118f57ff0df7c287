/**
 * The undici transport over real loopback connections: a client call through it, proxies
 * (explicit, from the environment, NO_PROXY), a custom CA for TLS, `insecure` (with its warning),
 * the connect timeout, and the package's export map.
 */
import { describe, expect, it } from "@effect/vitest"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Client from "../src/Client.js"
import * as Credentials from "../src/Credentials.js"
import { VERSION } from "../src/internal/version.js"
import * as UndiciHttpClient from "../src/node/UndiciHttpClient.js"

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)))

const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
  let body = ""
  req.on("data", (c) => (body += c))
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify({ Response: { Host: req.headers.host, Body: body, RequestId: "rid" } }))
  })
}

/** A CONNECT proxy that counts the tunnels it opens. */
const connectProxy = async (forceHost?: string) => {
  const tunnels: Array<string> = []
  const proxy = http.createServer((_req, res) => res.writeHead(405).end())
  proxy.on("connect", (req, socket, head) => {
    tunnels.push(req.url ?? "")
    const [host, port] = (req.url ?? "").split(":")
    const upstream = net.connect(Number(port), forceHost ?? host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on("error", () => socket.destroy())
    socket.on("error", () => upstream.destroy())
  })
  const port = await listen(proxy)
  return { port, tunnels, close: () => new Promise<void>((r) => proxy.close(() => r())) }
}

const get = (url: string) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => Effect.flatMap(c.execute(HttpClientRequest.get(url)), (r) => r.json))

const creds = Credentials.layerStatic({ secretId: "AKIDtest", secretKey: "secret" })

describe("UndiciHttpClient", () => {
  it.live("carries a full client call, sending the Host header it is given", () =>
    Effect.gen(function* () {
      const server = http.createServer(answer)
      const port = yield* Effect.promise(() => listen(server))
      const layer = Client.layer({ connectTo: `http://127.0.0.1:${port}`, region: "ap-guangzhou" }).pipe(
        Layer.provide(creds),
        Layer.provide(UndiciHttpClient.layerDefault)
      )
      const out = yield* Client.call("cvm", "2017-03-12", "DescribeZones", { A: 1 }).pipe(Effect.provide(layer))
      expect(out.Host).toBe("cvm.tencentcloudapi.com")
      expect(out.Body).toBe('{"A":1}')
      server.close()
    }))

  it.live("goes through an explicit proxy (CONNECT tunnel)", () =>
    Effect.gen(function* () {
      const server = http.createServer(answer)
      const port = yield* Effect.promise(() => listen(server))
      const proxy = yield* Effect.promise(() => connectProxy())
      const out: any = yield* get(`http://127.0.0.1:${port}/`).pipe(
        Effect.provide(UndiciHttpClient.layer({ proxy: `http://127.0.0.1:${proxy.port}` }))
      )
      expect(out.Response.RequestId).toBe("rid")
      expect(proxy.tunnels).toEqual([`127.0.0.1:${port}`])
      server.close()
      yield* Effect.promise(proxy.close)
    }))

  it.live("reads HTTP_PROXY from the environment, honours NO_PROXY, and never proxies loopback", () =>
    Effect.gen(function* () {
      const server = http.createServer(answer)
      const port = yield* Effect.promise(() => listen(server))
      // the proxy tunnels every CONNECT to the local server, whatever host was asked for
      const proxy = yield* Effect.promise(() => connectProxy("127.0.0.1"))
      const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy }
      try {
        process.env.HTTP_PROXY = `http://127.0.0.1:${proxy.port}`
        delete process.env.NO_PROXY
        delete process.env.no_proxy
        const out: any = yield* get(`http://api.example.invalid:${port}/`).pipe(Effect.provide(UndiciHttpClient.layer()))
        expect(out.Response.RequestId).toBe("rid")
        expect(proxy.tunnels).toEqual([`api.example.invalid:${port}`])
        // loopback bypasses the environment proxy (the local emulator keeps working behind a proxy)
        yield* get(`http://127.0.0.1:${port}/`).pipe(Effect.provide(UndiciHttpClient.layer()))
        expect(proxy.tunnels.length).toBe(1)
        // NO_PROXY: the host is contacted directly (here it does not resolve, so the call fails)
        process.env.NO_PROXY = "example.invalid"
        const direct = yield* Effect.either(get(`http://api.example.invalid:${port}/`).pipe(Effect.provide(UndiciHttpClient.layer())))
        expect(direct._tag).toBe("Left")
        expect(proxy.tunnels.length).toBe(1)
        // an explicit `proxy: false` ignores the environment
        delete process.env.NO_PROXY
        yield* Effect.either(get(`http://api.example.invalid:${port}/`).pipe(Effect.provide(UndiciHttpClient.layer({ proxy: false }))))
        expect(proxy.tunnels.length).toBe(1)
      } finally {
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]
        else process.env[k] = v
        server.close()
        yield* Effect.promise(proxy.close)
      }
    }))

  const hasOpenssl = (() => {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" })
      return true
    } catch {
      return false
    }
  })()
  if (!hasOpenssl) console.log("skipping the TLS tests: openssl is not installed")

  it.live.skipIf(!hasOpenssl)("TLS: rejects an unknown CA, accepts it when given as `ca`, and `insecure` skips verification with a warning", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tc-tls-"))
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")
      ], { stdio: "ignore" })
      const cert = fs.readFileSync(path.join(dir, "cert.pem"))
      const server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert }, answer)
      const port = yield* Effect.promise(() => listen(server))
      const url = `https://127.0.0.1:${port}/`
      const refused = yield* Effect.either(get(url).pipe(Effect.provide(UndiciHttpClient.layer({ proxy: false }))))
      expect(refused._tag).toBe("Left")
      const ok: any = yield* get(url).pipe(Effect.provide(UndiciHttpClient.layer({ proxy: false, ca: cert })))
      expect(ok.Response.RequestId).toBe("rid")
      const logs: Array<string> = []
      const insecure: any = yield* get(url).pipe(
        Effect.provide(UndiciHttpClient.layer({ proxy: false, insecure: true })),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make((o) => logs.push(String(o.message)))))
      )
      expect(insecure.Response.RequestId).toBe("rid")
      expect(logs.some((l) => l.includes("insecure"))).toBe(true)
      server.close()
    }))

  it.live("the connect timeout fails a connection that never completes, as a NetworkError through the client", () =>
    Effect.gen(function* () {
      // a server that accepts TCP but never finishes the TLS handshake
      const sockets: Array<net.Socket> = []
      const server = net.createServer((s) => sockets.push(s))
      const port = yield* Effect.promise(() => listen(server))
      const layer = Client.layer({ endpoint: `https://127.0.0.1:${port}`, retryPolicy: (yield* Effect.promise(() => import("../src/Retry.js"))).none }).pipe(
        Layer.provide(creds),
        Layer.provide(UndiciHttpClient.layer({ proxy: false, connectTimeout: "200 millis" }))
      )
      const start = Date.now()
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Effect.provide(layer)))
      expect(e._tag).toBe("NetworkError")
      expect(Date.now() - start).toBeLessThan(5000)
      for (const s of sockets) s.destroy()
      server.close()
    }))
})

describe("package", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))
  it("every export points at a source module", () => {
    for (const [key, value] of Object.entries<any>(pkg.exports)) {
      if (typeof value === "string" || key.includes("*")) continue
      const src = value.import.replace("./dist/", "src/").replace(/\.js$/, ".ts")
      expect(fs.existsSync(path.join(root, src)), `${key} → ${src}`).toBe(true)
    }
    expect(fs.existsSync(path.join(root, "src/generated/cvm.ts"))).toBe(true)
    expect(pkg.sideEffects).toBe(false)
  })
  it("X-TC-RequestClient carries the package version", () => {
    expect(VERSION).toBe(pkg.version)
  })
})
