/**
 * The emulator's API 2.0 handler, driven by requests built and signed here by hand (node:crypto,
 * the documented rule), never by the SDK: routing by Host and path, v1 verification over the raw
 * query or form (Host with its port, sorted parameters, `_` read as `.`, both hash methods),
 * Timestamp window, Nonce, keys given to the emulator (as the CLI does), and the envelope on
 * every answer.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { createHmac } from "node:crypto"
import * as http from "node:http"
import * as Emulator from "../../src/emulator/index.js"

const KEY = { secretId: "AKIDlegacyEmulatorTest", secretKey: "legacy-emulator-secret" }
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())

interface Req {
  readonly method?: "GET" | "POST"
  readonly host?: string
  readonly path?: string
  readonly params: Record<string, string>
  readonly signatureMethod?: "HmacSHA1" | "HmacSHA256" | "none"
  readonly key?: string
  /** How names appear in the signed string (default: `_` read as `.`). */
  readonly signName?: (k: string) => string
  readonly contentType?: string
  /** Change the encoded request after signing. */
  readonly tamper?: (encoded: string) => string
}

const signed = (emu: Emulator.EmulatorHandle, r: Req) => {
  const method = r.method ?? "GET"
  const host = r.host ?? "cvm.api.qcloud.com"
  const path = r.path ?? "/v2/index.php"
  const params: Record<string, string> = {
    Nonce: String(1 + Math.floor(Math.random() * 1e9)),
    Timestamp: String(Math.floor(emu.now() / 1000)),
    SecretId: KEY.secretId,
    ...r.params
  }
  if (r.signatureMethod !== undefined && r.signatureMethod !== "none") params.SignatureMethod = r.signatureMethod
  const names = Object.keys(params).map((k) => [(r.signName ?? ((x: string) => x.replace(/_/g, ".")))(k), params[k]] as const)
  names.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const text = `${method}${host}${path}?${names.map(([k, v]) => `${k}=${v}`).join("&")}`
  const hash = r.signatureMethod === "HmacSHA256" ? "sha256" : "sha1"
  params.Signature = createHmac(hash, r.key ?? KEY.secretKey).update(text).digest("base64")
  let encoded = Object.keys(params).map((k) => `${enc(k)}=${enc(params[k])}`).join("&")
  if (r.tamper) encoded = r.tamper(encoded)
  return { method, host, path, encoded }
}

const send = (emu: Emulator.EmulatorHandle, s: { method: string; host: string; path: string; encoded: string; contentType?: string | undefined }) =>
  Effect.async<{ status: number; body: any; raw: string }, Error>((resume) => {
    const body = s.method === "POST" ? s.encoded : undefined
    const req = http.request(
      {
        host: "127.0.0.1",
        port: emu.port,
        method: s.method,
        path: s.method === "GET" ? `${s.path}?${s.encoded}` : s.path,
        headers: { Host: s.host, ...(body !== undefined ? { "Content-Type": s.contentType ?? "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } : {}) }
      },
      (res) => {
        let raw = ""
        res.setEncoding("utf8")
        res.on("data", (c) => (raw += c))
        res.on("end", () => {
          let parsed: unknown
          try {
            parsed = JSON.parse(raw)
          } catch {
            parsed = undefined
          }
          resume(Effect.succeed({ status: res.statusCode ?? 0, body: parsed, raw }))
        })
      }
    )
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end(body)
  })

const call = (emu: Emulator.EmulatorHandle, r: Req) => send(emu, { ...signed(emu, r), contentType: r.contentType })

const started = Emulator.make({ credentials: [KEY] })

/** Every answer is the envelope: HTTP 200, a numeric code, a message, a codeDesc. */
const expectEnvelope = (a: { status: number; body: any }, code: number, codeDesc: string) => {
  expect(a.status).toBe(200)
  expect(a.body).toMatchObject({ code, codeDesc })
  expect(typeof a.body.message).toBe("string")
}

describe("routing and verification", () => {
  it.scopedLive("GET and POST, HmacSHA1 (default, no SignatureMethod) and HmacSHA256, Host with and without a port", () =>
    Effect.gen(function* () {
      const emu = yield* started
      const p = { Action: "DescribeInstances", Region: "ap-guangzhou", "instanceIds.0": "ins-x" }
      expectEnvelope(yield* call(emu, { params: p, signatureMethod: "none" }), 0, "Success")
      expectEnvelope(yield* call(emu, { params: p, method: "POST", signatureMethod: "HmacSHA256" }), 0, "Success")
      expectEnvelope(yield* call(emu, { params: p, host: "cvm.api.qcloud.com:443", signatureMethod: "HmacSHA1" }), 0, "Success")
      // signed for another host than the one sent
      const s = signed(emu, { params: p, host: "cvm.api.qcloud.com:443" })
      expectEnvelope(yield* send(emu, { ...s, host: "cvm.api.qcloud.com" }), 4100, "AuthFailure.SignatureFailure")
      expect(emu.requests.list().map((r) => r.signatureMethod)).toEqual(["HmacSHA1", "HmacSHA256", "HmacSHA1", "HmacSHA1"])
    })
  )

  it.scopedLive("names with `_` are signed with `.` (as both official qcloudapi SDKs do); signing them literally fails", () =>
    Effect.gen(function* () {
      const emu = yield* started
      const p = { Action: "CaptchaQuery", user_ip: "1.2.3.4", userIp: "1.2.3.4", businessId: "1", captchaType: "1" }
      expectEnvelope(yield* call(emu, { host: "csec.api.qcloud.com", params: p }), 0, "Success")
      expectEnvelope(yield* call(emu, { host: "csec.api.qcloud.com", params: p, signName: (k) => k }), 4100, "AuthFailure.SignatureFailure")
    })
  )

  it.scopedLive("a parameter changed after signing, a wrong key, a stale or future Timestamp, a replay: refused in the envelope", () =>
    Effect.gen(function* () {
      const emu = yield* started
      const p = { Action: "DescribeInstances", Region: "ap-guangzhou" }
      const changed = yield* call(emu, { params: p, tamper: (e) => e.replace("Region=ap-guangzhou", "Region=ap-shanghai") })
      expectEnvelope(changed, 4100, "AuthFailure.SignatureFailure")
      expect(changed.body.message).toContain("Region=ap-shanghai")
      expectEnvelope(yield* call(emu, { params: p, key: "wrong" }), 4100, "AuthFailure.SignatureFailure")
      expectEnvelope(yield* call(emu, { params: { ...p, Timestamp: String(Math.floor(emu.now() / 1000) - 301) } }), 4200, "AuthFailure.SignatureExpire")
      expectEnvelope(yield* call(emu, { params: { ...p, Timestamp: String(Math.floor(emu.now() / 1000) + 301) } }), 4200, "AuthFailure.SignatureExpire")
      expectEnvelope(yield* call(emu, { params: { ...p, Timestamp: String(Math.floor(emu.now() / 1000) - 299) } }), 0, "Success")
      const once = signed(emu, { params: p })
      expectEnvelope(yield* send(emu, once), 0, "Success")
      expectEnvelope(yield* send(emu, once), 4500, "AuthFailure.NonceReplay")
      emu.state.reset()
      expectEnvelope(yield* send(emu, once), 0, "Success")
      expectEnvelope(yield* call(emu, { params: { ...p, SecretId: "AKIDunknown" } }), 4100, "AuthFailure.SecretIdNotFound")
    })
  )

  it.scopedLive("malformed requests: missing common parameters, bad Nonce, unknown method, JSON POST, duplicates, wrong path, unknown action", () =>
    Effect.gen(function* () {
      const emu = yield* started
      const p = { Action: "DescribeInstances", Region: "ap-guangzhou" }
      const noSig = signed(emu, { params: p })
      expectEnvelope(yield* send(emu, { ...noSig, encoded: noSig.encoded.replace(/&?Signature=[^&]*/, "") }), 4000, "MissingParameter")
      expectEnvelope(yield* call(emu, { params: { ...p, Nonce: "0" } }), 4000, "InvalidParameter")
      expectEnvelope(yield* call(emu, { params: { ...p, Nonce: "abc" } }), 4000, "InvalidParameter")
      expectEnvelope(yield* call(emu, { params: { ...p, SignatureMethod: "HmacMD5" } }), 4000, "InvalidParameter")
      expectEnvelope(yield* call(emu, { params: p, method: "POST", contentType: "application/json" }), 4000, "UnsupportedProtocol")
      expectEnvelope(yield* call(emu, { params: p, tamper: (e) => `${e}&Region=ap-guangzhou` }), 4000, "InvalidParameter")
      expectEnvelope(yield* call(emu, { params: p, path: "/v3/index.php" }), 4000, "InvalidRequest")
      expectEnvelope(yield* call(emu, { params: { ...p, Action: "DescribeNothing" } }), 4000, "InvalidAction")
      expectEnvelope(yield* call(emu, { params: { ...p, Action: "lowercase" }, host: "monitor.api.qcloud.com" }), 4000, "InvalidAction")
      expectEnvelope(yield* call(emu, { params: { ...p, Action: "GetMonitorData" }, host: "monitor.api.qcloud.com" }), 0, "Success")
      for (const r of emu.requests.list()) expect(r.query).not.toMatch(/Signature=[^<&]/)
    })
  )

  it.scopedLive("API 3.0 hosts are not claimed", () =>
    Effect.gen(function* () {
      const emu = yield* started
      const a = yield* call(emu, { params: { Action: "DescribeInstances" }, host: "cvm.tencentcloudapi.com", path: "/" })
      expect(a.body.Response).toBeDefined()
      expect(a.body.code).toBeUndefined()
    })
  )
})

describe("actions and faults", () => {
  it.scopedLive("CaptchaQuery needs userIp, businessId, captchaType; DescribeInstances needs a Region and pages with offset/limit", () =>
    Effect.gen(function* () {
      const emu = yield* started
      const sec = (p: Record<string, string>) => call(emu, { host: "csec.api.qcloud.com", params: { Action: "CaptchaQuery", ...p } })
      expectEnvelope(yield* sec({ userIp: "1.1.1.1", businessId: "1" }), 4000, "MissingParameter")
      const ok = yield* sec({ userIp: "1.1.1.1", businessId: "7", captchaType: "1", script: "1" })
      expectEnvelope(ok, 0, "Success")
      expect(ok.body.url).toContain("aid=7")
      expectEnvelope(yield* call(emu, { params: { Action: "DescribeInstances" } }), 4000, "MissingParameter")
      const all = yield* call(emu, { params: { Action: "DescribeInstances", Region: "gz" } })
      const page = yield* call(emu, { params: { Action: "DescribeInstances", Region: "gz", offset: "1", limit: "1" } })
      expect(page.body.totalCount).toBe(all.body.totalCount)
      expect(page.body.instanceSet).toEqual(all.body.instanceSet.slice(1, 2))
      expectEnvelope(yield* call(emu, { params: { Action: "DescribeInstances", Region: "gz", limit: "x" } }), 4000, "InvalidParameter")
    })
  )

  it.scopedLive("injected error codes get their numeric class; http faults send the page; the recorder sees the module and action", () =>
    Effect.gen(function* () {
      const emu = yield* started
      const p = { Action: "DescribeInstances", Region: "ap-guangzhou" }
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "error", code: "ServiceUnavailable" } })
      emu.faults.add({ host: "cvm.api.qcloud.com", times: 1, fault: { kind: "http", status: 502 } })
      expectEnvelope(yield* call(emu, { params: p }), 4400, "RequestLimitExceeded")
      expectEnvelope(yield* call(emu, { params: p }), 6200, "ServiceUnavailable")
      const page = yield* call(emu, { params: p })
      expect(page.status).toBe(502)
      expectEnvelope(yield* call(emu, { params: p }), 0, "Success")
      expect(emu.requests.list({ service: "cvm", action: "DescribeInstances" }).map((r) => r.response.code)).toEqual(["RequestLimitExceeded", "ServiceUnavailable", undefined, undefined])
    })
  )
})
