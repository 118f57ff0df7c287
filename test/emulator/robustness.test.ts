/**
 * The emulator never crashes and always answers in the cloud's format: random bytes on the socket,
 * huge headers, invalid JSON (signed and unsigned), garbage headers, and 1,000 concurrent requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import * as net from "node:net"
import * as Emulator from "../../src/emulator/index.js"
import { Rng } from "../../src/emulator/generate.js"
import * as Signer from "../../src/Signer.js"
import { call, code, demoCredential, ok, send, SPEC_DIR } from "./helpers.js"

let emu: Emulator.RunningEmulator
beforeAll(async () => {
  emu = await Emulator.start({ specDir: SPEC_DIR })
})
afterAll(() => emu.close())

const cvm = { service: "cvm", version: "2017-03-12", region: "ap-guangzhou", action: "DescribeInstances" } as const

/** Write raw bytes on a fresh connection; collect whatever comes back until close. */
const raw = (bytes: Buffer | string, timeoutMs = 2000): Promise<string> =>
  new Promise((resolve) => {
    const s = net.createConnection({ host: "127.0.0.1", port: emu.port })
    const chunks: Array<Buffer> = []
    const done = () => resolve(Buffer.concat(chunks).toString("latin1"))
    s.on("data", (c: Buffer) => chunks.push(c))
    s.on("error", done)
    s.on("close", done)
    s.setTimeout(timeoutMs, () => s.destroy())
    s.write(bytes)
  })

const envelopeOf = (response: string): any => JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4))

describe("robustness", () => {
  it("random bytes get a clean HTTP 400 with the envelope, and the server lives on", async () => {
    const rng = new Rng(42)
    for (let i = 0; i < 30; i++) {
      const bytes = Buffer.alloc(rng.int(1, 4000))
      for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(0, 255)
      const out = await raw(bytes, 500)
      if (out !== "") {
        expect(out).toMatch(/^HTTP\/1\.1 (400|431|408)/)
        expect(envelopeOf(out).Response.Error.Code).toMatch(/InvalidRequest|RequestSizeLimitExceeded/)
      }
    }
    ok(await call(emu, cvm))
  })

  it("huge headers get 431 with the envelope", async () => {
    const out = await raw(`POST / HTTP/1.1\r\nHost: cvm.tencentcloudapi.com\r\nX-Big: ${"a".repeat(100 * 1024)}\r\n\r\n`)
    expect(out).toMatch(/^HTTP\/1\.1 431/)
    expect(envelopeOf(out).Response.Error.Code).toBe("RequestSizeLimitExceeded")
    ok(await call(emu, cvm))
  })

  it("invalid JSON: a correctly signed body that is not JSON → InvalidParameter; unsigned → AuthFailure", async () => {
    const signed = Signer.signTc3(
      { method: "POST", scheme: "http", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "DescribeInstances", region: "ap-guangzhou", body: { _tag: "OctetStream", bytes: new TextEncoder().encode('{"Limit": 1,') }, params: {} },
      demoCredential,
      emu.now() / 1000
    )
    const r = await send(emu, { method: "POST", path: "/", headers: { ...signed.headers, "Content-Type": "application/json" }, body: signed.body })
    // the Content-Type changed after signing: the signature no longer matches
    expect(code(r)).toBe("AuthFailure.SignatureFailure")
    const body = '{"Limit": 1,'
    const s2 = Signer.signTc3(
      { method: "POST", scheme: "http", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "DescribeInstances", region: "ap-guangzhou", params: {} },
      demoCredential,
      emu.now() / 1000
    )
    // re-sign over the broken body by hand with the core's pure functions
    const ts = Math.floor(emu.now() / 1000)
    const canonical = Signer.tc3CanonicalRequest({ method: "POST", canonicalQuery: "", contentType: "application/json", host: "cvm.tencentcloudapi.com", payloadHash: Signer.sha256Hex(body) })
    const sig = Signer.tc3Signature(Signer.tc3SigningKey(Emulator.DEMO_CREDENTIALS.secretKey, Signer.utcDate(ts), "cvm"), Signer.tc3StringToSign(ts, "cvm", canonical))
    const headers = { ...s2.headers, Authorization: Signer.tc3Authorization(Emulator.DEMO_CREDENTIALS.secretId, Signer.utcDate(ts), "cvm", sig) }
    const r2 = await send(emu, { method: "POST", path: "/", headers, body })
    expect(code(r2)).toBe("InvalidParameter")
    expect(r2.json.Response.Error.Message).toMatch(/not valid JSON/)
  })

  it("garbage headers and bodies always get an envelope", async () => {
    const rng = new Rng(7)
    const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(rng.int(33, 126))).join("")
    for (let i = 0; i < 60; i++) {
      const headers: Record<string, string> = { Host: rng.pick(["cvm.tencentcloudapi.com", "x", "cvm.ap-guangzhou.tencentcloudapi.com", junk(10)]) }
      if (rng.chance(0.7)) headers["Content-Type"] = rng.pick(["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "text/plain", junk(8)])
      if (rng.chance(0.7)) headers["Authorization"] = rng.pick(["SKIP", "TC3-HMAC-SHA256 " + junk(30), junk(20), `TC3-HMAC-SHA256 Credential=${Emulator.DEMO_CREDENTIALS.secretId}/2025-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${"a".repeat(64)}`])
      if (rng.chance(0.5)) headers["X-TC-Action"] = rng.pick(["DescribeInstances", junk(5)])
      if (rng.chance(0.5)) headers["X-TC-Timestamp"] = rng.pick([String(Math.floor(emu.now() / 1000)), junk(4), "-1", "99999999999999"])
      if (rng.chance(0.3)) headers["X-TC-Version"] = rng.pick(["2017-03-12", junk(6)])
      const method = rng.pick(["GET", "POST", "PUT", "DELETE"])
      const path = rng.pick(["/", "/?" + junk(20), "/?Action=DescribeInstances&%zz=1", "/x/y"])
      const body = method === "GET" ? undefined : rng.pick(["", "{", "null", "[]", '{"a":' + junk(10), junk(200), "A=1&B=%"])
      const r = await send(emu, { method, path, headers, body })
      // Node's HTTP parser itself refuses some junk (e.g. a Host with invalid characters): a clean 400
      if (r.status !== 200) expect([r.status, code(r)]).toEqual([400, "InvalidRequest"])
      expect(r.json?.Response?.RequestId).toBeTypeOf("string")
    }
    ok(await call(emu, cvm))
  })

  it("1,000 concurrent requests are all answered", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 })
    const one = (i: number) =>
      new Promise<number>((resolve, reject) => {
        const signed = Signer.signTc3(
          { method: "POST", scheme: "http", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: i % 2 ? "DescribeInstances" : "DescribeZones", region: "ap-guangzhou", params: {} },
          demoCredential,
          emu.now() / 1000
        )
        const req = http.request({ host: "127.0.0.1", port: emu.port, method: "POST", path: "/", headers: signed.headers, agent }, (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("end", () => {
            const j = JSON.parse(Buffer.concat(chunks).toString("utf8"))
            resolve(j.Response.Error === undefined ? 200 : 0)
          })
        })
        req.on("error", reject)
        req.end(signed.body)
      })
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => one(i)))
    agent.destroy()
    expect(results.filter((s) => s === 200)).toHaveLength(1000)
  })
})
