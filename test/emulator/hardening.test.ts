/**
 * The emulator cannot be fooled (issue 14, items 13–16), over real loopback HTTP:
 * - names every JavaScript object has (`constructor`, `__proto__`, `toString`...) are not
 *   services, actions, filters or header members: a property test sends them, and random names,
 *   in every place a request names something, and every answer is a clean API error;
 * - the request log is bounded in bytes and keeps large parameters truncated;
 * - `text/plain` and `application/octet-stream` bodies are refused for JSON actions, as the cloud does;
 * - a TC3 signature over the sent Host without its port is accepted (the official SDKs sign so
 *   when given `endpoint: "cvm.tencentcloudapi.com:4599"`), and the official Node SDK configured
 *   that way is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as http from "node:http"
import { createRequire } from "node:module"
import * as net from "node:net"
import type { CommonClient as CommonClientT } from "tencentcloud-sdk-nodejs-common"
import * as Emulator from "../../src/emulator/index.js"
import { Recorder, truncateParams } from "../../src/emulator/recorder.js"
import * as Signer from "../../src/Signer.js"
import { call, code, demoCredential, ok, send } from "./helpers.js"

const require = createRequire(import.meta.url)
const { CommonClient } = require("tencentcloud-sdk-nodejs-common") as { CommonClient: typeof CommonClientT }

let emu: Emulator.RunningEmulator
beforeAll(async () => {
  emu = await Emulator.start({ recordMaxBytes: 4 * 1024 * 1024 })
})
afterAll(() => emu.close())

const cvm = { service: "cvm", version: "2017-03-12", region: "ap-guangzhou" } as const

const INHERITED = [
  "constructor", "__proto__", "prototype", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf",
  "propertyIsEnumerable", "toLocaleString", "__defineGetter__", "__lookupGetter__", "then"
]

/** Every answer to a bad name: HTTP 200, the envelope with a RequestId, an error that is not InternalError, nothing echoed. */
const cleanError = (r: { status: number; text: string; json: any }) => {
  expect(r.status).toBe(200)
  const resp = r.json?.Response
  expect(typeof resp?.RequestId).toBe("string")
  expect(typeof resp?.Error?.Code).toBe("string")
  expect(resp.Error.Code).not.toBe("InternalError")
  expect(r.text).not.toContain(demoCredential.secretId)
  expect(r.text).not.toContain("undefined")
  expect(Object.keys(resp).sort()).toEqual(["Error", "RequestId"])
  return resp.Error.Code as string
}

describe("names every object has are not names (item 13)", () => {
  it("action `constructor` and friends are InvalidAction, not a success echoing the context", async () => {
    for (const action of INHERITED) {
      const r = await call(emu, { ...cvm, action, params: {} })
      const c = cleanError(r)
      expect(["InvalidAction", "MissingParameter", "InvalidParameter"]).toContain(c)
    }
  })
  it("service `constructor` and friends are NoSuchProduct", async () => {
    for (const service of INHERITED.filter((s) => /^[a-z_]+$/i.test(s))) {
      const r = await call(emu, { service, version: "2017-03-12", action: "DescribeInstances", host: "x.tencentcloudapi.com", headers: { "X-TC-Service": service } })
      const c = cleanError(r)
      expect(["NoSuchProduct", "AuthFailure.InvalidAuthorization", "InvalidRequest"]).toContain(c)
    }
  })
  it("a filter named `constructor` is an unsupported filter", async () => {
    for (const name of INHERITED) {
      const r = await call(emu, { ...cvm, action: "DescribeInstances", params: { Filters: [{ Name: name, Values: ["x"] }] } })
      expect(cleanError(r)).toMatch(/^InvalidFilter|^InvalidParameter/)
    }
  })
  it("parameters named `__proto__` or `constructor` are refused, never merged into an object", async () => {
    for (const name of ["__proto__", "constructor", "prototype"]) {
      const r = await call(emu, { ...cvm, action: "DescribeInstances", params: JSON.parse(`{"${name}":{"Limit":1}}`) })
      expect(cleanError(r)).toMatch(/^UnknownParameter|^InvalidParameter/)
      const g = await call(emu, { ...cvm, action: "DescribeInstances", method: "GET", params: JSON.parse(`{"${name}":{"Limit":1}}`) })
      expect(cleanError(g)).toMatch(/^UnknownParameter|^InvalidParameter/)
    }
  })

  const name = FastCheck.oneof(
    FastCheck.constantFrom(...INHERITED),
    FastCheck.string({ minLength: 1, maxLength: 12 }).filter((s) => /^[\x21-\x7e]+$/.test(s) && !s.includes(",")),
    FastCheck.constantFrom("DescribeInstances", "cvm", "vpc", "2017-03-12")
  )
  it("property: any service, version, action or filter name gets a clean answer (success only for real actions)", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(name, name, name, name, async (service, version, action, filter) => {
        const svc = /^[a-z0-9-]+$/.test(service) ? service : "cvm"
        const headers: Record<string, string> = /^[\x21-\x7e]+$/.test(service) ? { "X-TC-Service": service } : {}
        const r = await call(emu, { service: svc, version, action, region: "ap-guangzhou", headers, params: { Filters: [{ Name: filter, Values: ["v"] }] } })
        expect(r.status).toBe(200)
        const resp = r.json?.Response
        expect(typeof resp?.RequestId).toBe("string")
        expect(r.text).not.toContain(demoCredential.secretId)
        if (resp.Error !== undefined) expect(resp.Error.Code).not.toBe("InternalError")
        else expect(["DescribeInstances"]).toContain(action) // only a real action can succeed
      }),
      { numRuns: 150 }
    )
  })
})

describe("the request log is bounded in bytes (item 14)", () => {
  it("keeps large parameters truncated and stays under its byte bound", async () => {
    emu.requests.clear()
    const big = "x".repeat(1024 * 1024)
    for (let i = 0; i < 12; i++) {
      await call(emu, { ...cvm, action: "DescribeInstances", params: { Filters: [{ Name: "zone", Values: [big, `${i}`] }] } })
    }
    const log = emu.requests.list({ action: "DescribeInstances" })
    expect(log.length).toBeGreaterThan(0)
    const values = (log[log.length - 1].params as any).Filters[0].Values
    expect(values[0].length).toBeLessThan(400)
    expect(values[0]).toContain("characters>")
    expect(values[1]).toBe("11")
    expect(emu.requests.bytes()).toBeLessThanOrEqual(4 * 1024 * 1024)
  })

  it("Recorder: 100 entries of 5 MB hold at most maxBytes; count still bounds small entries", () => {
    const rec = new Recorder(1000, 10 * 1024 * 1024)
    const entry = (seq: number, approxBytes: number) => ({ seq, approxBytes, bodyBytes: approxBytes }) as any
    for (let i = 0; i < 100; i++) rec.push(entry(i, 5 * 1024 * 1024))
    expect(rec.bytes()).toBeLessThanOrEqual(10 * 1024 * 1024)
    expect(rec.list().map((r) => r.seq)).toEqual([98, 99])
    const small = new Recorder(3)
    for (let i = 0; i < 10; i++) small.push(entry(i, 100))
    expect(small.list().map((r) => r.seq)).toEqual([7, 8, 9])
    expect(small.bytes()).toBe(300)
    small.clear()
    expect(small.bytes()).toBe(0)
  })

  it("truncateParams cuts texts and lists, keeps the shape and a `__proto__` member as a member", () => {
    const t = truncateParams(JSON.parse(`{"A":"${"y".repeat(1000)}","L":[${Array.from({ length: 100 }, (_, i) => i).join(",")}],"__proto__":{"x":1}}`))
    const v = t.value as any
    expect(v.A).toMatch(/^y{256}…<\+744 characters>$/)
    expect(v.L).toHaveLength(33)
    expect(v.L[32]).toBe("…<+68 items>")
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype)
    expect(Object.keys(v)).toContain("__proto__")
  })
})

describe("JSON actions refuse text/plain and octet-stream bodies (item 15)", () => {
  const signedWith = async (contentType: string, body: string) => {
    // sign over the Content-Type actually sent, so only the type is wrong
    const ts = Math.floor(emu.now() / 1000)
    const host = "cvm.tencentcloudapi.com"
    const payloadHash = Signer.sha256Hex(body)
    const canonical = Signer.tc3CanonicalRequest({ method: "POST", canonicalQuery: "", contentType, host, payloadHash })
    const date = Signer.utcDate(ts)
    const sig = Signer.tc3Signature(Signer.tc3SigningKey(Emulator.DEMO_CREDENTIALS.secretKey, date, "cvm"), Signer.tc3StringToSign(ts, "cvm", canonical))
    return send(emu, {
      method: "POST",
      path: "/",
      headers: {
        Host: host,
        "Content-Type": contentType,
        "X-TC-Action": "DescribeInstances",
        "X-TC-Version": "2017-03-12",
        "X-TC-Region": "ap-guangzhou",
        "X-TC-Timestamp": String(ts),
        Authorization: Signer.tc3Authorization(Emulator.DEMO_CREDENTIALS.secretId, date, "cvm", sig)
      },
      body
    })
  }
  it("text/plain with a JSON body is UnsupportedProtocol", async () => {
    expect(code(await signedWith("text/plain", '{"Limit":1}'))).toBe("UnsupportedProtocol")
    expect(code(await signedWith("text/plain; charset=utf-8", '{"Limit":1}'))).toBe("UnsupportedProtocol")
  })
  it("application/octet-stream for a JSON action is UnsupportedProtocol", async () => {
    expect(code(await signedWith("application/octet-stream", '{"Limit":1}'))).toBe("UnsupportedProtocol")
  })
  it("application/json (with a charset) is still accepted", async () => {
    ok(await signedWith("application/json", '{"Limit":1}'))
    ok(await signedWith("application/json; charset=utf-8", '{"Limit":1}'))
  })
})

describe("a TC3 signature over the Host without its port (item 16)", () => {
  it("is accepted; the recorded Host keeps the port", async () => {
    const host = `cvm.tencentcloudapi.com:${emu.port}`
    const r = await call(emu, {
      ...cvm,
      action: "DescribeInstances",
      params: { Limit: 1 },
      host: "cvm.tencentcloudapi.com",
      tamper: (s) => ({ ...s, headers: { ...s.headers, Host: host } })
    })
    ok(r)
    expect(emu.requests.last()!.host).toBe(host)
  })
  it("a signature over another host name is still refused, and so is a tampered body", async () => {
    const wrongName = await call(emu, {
      ...cvm,
      action: "DescribeInstances",
      host: "vpc.tencentcloudapi.com",
      tamper: (s) => ({ ...s, headers: { ...s.headers, Host: `cvm.tencentcloudapi.com:${emu.port}` } })
    })
    expect(code(wrongName)).toBe("AuthFailure.SignatureFailure")
    const tampered = await call(emu, {
      ...cvm,
      action: "DescribeInstances",
      params: { Limit: 5 },
      host: "cvm.tencentcloudapi.com",
      tamper: (s) => ({ ...s, body: String(s.body).replace("5", "6"), headers: { ...s.headers, Host: `cvm.tencentcloudapi.com:${emu.port}` } })
    })
    expect(code(tampered)).toBe("AuthFailure.SignatureFailure")
  })

  it("the official Node SDK configured the obvious way (endpoint host:port) is accepted", async () => {
    // the SDK connects to the endpoint's host; this agent sends it to the loopback emulator (as a
    // hosts-file entry `127.0.0.1 cvm.tencentcloudapi.com` would)
    class LoopbackAgent extends http.Agent {
      override createConnection(): net.Socket {
        return net.createConnection({ host: "127.0.0.1", port: emu.port })
      }
    }
    const client = new CommonClient(`cvm.tencentcloudapi.com:${emu.port}`, "2017-03-12", {
      credential: { secretId: Emulator.DEMO_CREDENTIALS.secretId, secretKey: Emulator.DEMO_CREDENTIALS.secretKey },
      region: "ap-guangzhou",
      profile: { httpProfile: { protocol: "http://", agent: new LoopbackAgent({ keepAlive: false }) } }
    })
    const res = await client.request("DescribeInstances", { Limit: 1 })
    expect(typeof res.RequestId).toBe("string")
    const rec = emu.requests.last()!
    expect(rec.host).toBe(`cvm.tencentcloudapi.com:${emu.port}`)
    expect(rec.response.code).toBeUndefined()
  })
})

describe("a client that gives up during injected latency (item 17)", () => {
  it("is recorded when it leaves, not when the latency would have ended; the next request is the last record", async () => {
    const slow = emu.faults.add({ action: "DescribeZones", fault: { kind: "latency", ms: 60_000 } })
    try {
      emu.requests.clear()
      const seen = emu.requests.total() // counts every request ever received (clear does not reset it)
      const ac = new AbortController()
      const pending = fetch(`http://127.0.0.1:${emu.port}/`, {
        method: "POST",
        body: "{}",
        signal: ac.signal,
        headers: { "content-type": "application/json", "x-tc-action": "DescribeZones", "x-tc-service": "cvm", "x-tc-traceid": "gave-up" }
      }).catch(() => "aborted")
      // wait until the emulator has the request (it is held by the latency fault), then give up
      for (let i = 0; i < 2000 && emu.requests.total() === seen; i++) await new Promise((r) => setTimeout(r, 10))
      expect(emu.requests.total()).toBe(seen + 1)
      ac.abort()
      expect(await pending).toBe("aborted")
      // recorded when it leaves: well before the 60 s latency would end (the wait is an upper bound)
      let rec = emu.requests.list().find((r) => r.headers["x-tc-traceid"] === "gave-up")
      for (let i = 0; i < 2000 && rec === undefined; i++) {
        await new Promise((r) => setTimeout(r, 10))
        rec = emu.requests.list().find((r) => r.headers["x-tc-traceid"] === "gave-up")
      }
      expect(rec?.response.status).toBe(0)
      emu.faults.remove(slow)
      ok(await call(emu, { ...cvm, action: "DescribeZones", headers: { "X-TC-TraceId": "after" } }))
      expect(emu.requests.last()!.headers["x-tc-traceid"]).toBe("after")
    } finally {
      emu.faults.remove(slow)
    }
  }, 90_000)
})
