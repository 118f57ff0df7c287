/**
 * The CVM instance role end to end over real HTTP against the emulator's metadata server: first
 * fetch (role list, then the role's key, accepted by the API side), refresh before expiry with
 * TestClock, one refresh for 1,000 callers, a failed refresh followed by a success, garbage and
 * refusals as named errors, and "not on CVM" (no role bound, no server) as not configured.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import { eventually, Http, metadataUrl, provideScoped, secretsIn, until, useCredential } from "./helpers.js"

const ROLE = "emulator-cvm-role"
const metadataCalls = (emu: Emulator.EmulatorHandle, action?: string) => emu.requests.list({ service: "metadata", ...(action ? { action } : {}) })

const cvmRole = (emu: Emulator.EmulatorHandle, extra: Partial<Credentials.CvmRoleOptions & Credentials.CachedOptions> = {}) =>
  Credentials.makeCvmRole({ baseUrl: metadataUrl(emu), ...extra }).pipe(provideScoped(Http))

describe("CVM instance role (e2e against the emulator's metadata server)", () => {
  it.scoped("first fetch: the role list, then the role's key, which the API side accepts", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* cvmRole(emu)
      const c = yield* get
      expect(c.secretId).toMatch(/^AKID/)
      expect(c.token).toBeDefined()
      expect(c.expiresAt).toBe((yield* TestClock.currentTimeMillis) + 7200_000)
      expect(metadataCalls(emu).map((r) => [r.method, r.path])).toEqual([
        ["GET", "/latest/meta-data/cam/security-credentials/"],
        ["GET", `/latest/meta-data/cam/security-credentials/${ROLE}`]
      ])
      yield* useCredential(emu, c)
      expect(emu.requests.last()?.response.status).toBe(200)
      expect(emu.requests.last()?.secretId).toBe(c.secretId)
    }))

  it.scoped("a role name given skips the list; a role not bound is a named error", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      yield* (yield* cvmRole(emu, { roleName: ROLE })).get
      expect(metadataCalls(emu, "RoleList")).toHaveLength(0)
      const e = yield* Effect.flip((yield* cvmRole(emu, { roleName: "other-role" })).get)
      expect(e.provider).toBe("cvm-role")
      expect(e.message).toMatch(/role other-role is not bound to this instance .*answered 404.*correct roleName/)
      expect(e.notConfigured).toBeUndefined()
    }))

  it.scoped("refreshes before expiry: at 5 minutes before, served at once, one background fetch, a new key", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* cvmRole(emu)
      const first = yield* get
      yield* TestClock.adjust("115 minutes")
      expect((yield* get).secretId).toBe(first.secretId)
      expect(metadataCalls(emu, "RoleCredentials")).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect((yield* get).secretId).toBe(first.secretId) // in the window: no waiting
      const second = yield* eventually(get, (c) => c.secretId !== first.secretId)
      expect(metadataCalls(emu, "RoleCredentials")).toHaveLength(2)
      expect(second.expiresAt).toBe(Math.floor((yield* TestClock.currentTimeMillis) / 1000) * 1000 + 7200_000)
      yield* useCredential(emu, second)
      expect(emu.requests.last()?.response.status).toBe(200)
      // the emulator accepts a key until it expires, not after
      yield* useCredential(emu, first)
      yield* TestClock.adjust("5 minutes")
      const refused = yield* Effect.flip(useCredential(emu, first))
      expect(refused._tag).toBe("AuthFailure.TokenFailure")
    }))

  it.scoped("1,000 concurrent callers: one role list and one credentials request", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* cvmRole(emu)
      const all = yield* Effect.all(Array.from({ length: 1000 }, () => get), { concurrency: "unbounded" })
      expect(new Set(all.map((c) => c.secretId)).size).toBe(1)
      expect(metadataCalls(emu, "RoleList")).toHaveLength(1)
      expect(metadataCalls(emu, "RoleCredentials")).toHaveLength(1)
    }))

  it.scoped("1,000 concurrent callers inside the refresh window: all get the valid key at once, one background fetch", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* cvmRole(emu)
      const first = yield* get
      yield* TestClock.adjust("116 minutes")
      const all = yield* Effect.all(Array.from({ length: 1000 }, () => get), { concurrency: "unbounded" })
      expect(new Set(all.map((c) => c.secretId))).toEqual(new Set([first.secretId]))
      yield* eventually(get, (c) => c.secretId !== first.secretId)
      expect(metadataCalls(emu, "RoleCredentials")).toHaveLength(2)
    }))

  it.scoped("a failed refresh (HTTP 500) keeps the valid key; after the back-off the next refresh succeeds", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* cvmRole(emu)
      const first = yield* get
      emu.faults.add({ service: "metadata", action: "RoleCredentials", times: 1, fault: { kind: "http", status: 500 } })
      yield* TestClock.adjust("116 minutes")
      expect((yield* get).secretId).toBe(first.secretId)
      yield* until(() => metadataCalls(emu, "RoleCredentials").length === 2)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      for (let i = 0; i < 20; i++) expect((yield* get).secretId).toBe(first.secretId)
      expect(metadataCalls(emu, "RoleCredentials")).toHaveLength(2) // backing off
      yield* TestClock.adjust("1 second")
      const next = yield* eventually(get, (c) => c.secretId !== first.secretId)
      expect(metadataCalls(emu, "RoleCredentials").map((r) => r.response.status)).toEqual([200, 500, 200])
      yield* useCredential(emu, next)
    }))

  it.scoped("garbage from the metadata server is a named error that quotes none of it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "metadata", action: "RoleCredentials", times: 1, fault: { kind: "truncate" } })
      const { get } = yield* cvmRole(emu)
      const e = yield* Effect.flip(get)
      expect(e.provider).toBe("cvm-role")
      expect(e.message).toMatch(/the metadata server's answer for role emulator-cvm-role is not a JSON object \(\d+ characters, content-type application\/json\); check that .* is the CVM metadata server/)
      expect(e.notConfigured).toBeUndefined()
      // the cut answer held a real key: no part of it is in the error
      const issued = emu.state.temporaryCredentials()
      expect(issued).toHaveLength(1)
      expect(secretsIn(e, [issued[0].secretKey, issued[0].token, issued[0].secretId])).toEqual([])
      // a refusal (Code other than Success), and a role list that is not a role name
      emu.faults.add({ service: "metadata", action: "RoleCredentials", times: 1, fault: { kind: "error", code: "RoleNotBound" } })
      const refused = yield* Effect.flip(get)
      expect(refused.message).toMatch(/refused the credentials of role emulator-cvm-role \(Code RoleNotBound\)/)
      emu.faults.add({ service: "metadata", action: "RoleList", times: 1, fault: { kind: "http", status: 200, body: "<html>captive portal</html>" } })
      const portal = yield* Effect.flip(get)
      expect(portal.message).toMatch(/role list .* is not a role name/)
      // then the server recovers
      expect((yield* get).secretId).toMatch(/^AKID/)
    }))

  it.scoped("an answer missing a member is a named error", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "metadata", action: "RoleCredentials", times: 1, fault: { kind: "http", status: 200, body: JSON.stringify({ Code: "Success", TmpSecretId: "AKIDx", TmpSecretKey: "k", ExpiredTime: 1 }) } })
      const e = yield* Effect.flip((yield* cvmRole(emu)).get)
      expect(e.message).toMatch(/has no Token/)
    }))

  it.scoped("no role bound (the list answers 404) is not configured: a chain moves on", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "metadata", action: "RoleList", fault: { kind: "http", status: 404 } })
      const e = yield* Effect.flip((yield* cvmRole(emu)).get)
      expect(e.notConfigured).toBe(true)
      expect(e.message).toMatch(/no CAM role is bound to this instance/)
    }))

  it.scoped("the emulator answers the Host metadata.tencentyun.com and the other metadata paths", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const byHost = yield* Effect.promise(
        () =>
          new Promise<readonly [number, string]>((resolve, reject) => {
            const req = http.request({ host: "127.0.0.1", port: emu.port, path: "/latest/meta-data/cam/security-credentials/", headers: { host: "metadata.tencentyun.com" } }, (res) => {
              let body = ""
              res.on("data", (d) => (body += d))
              res.on("end", () => resolve([res.statusCode ?? 0, body]))
            })
            req.on("error", reject)
            req.end()
          })
      )
      expect(byHost).toEqual([200, ROLE])
      const res = yield* Effect.promise(() =>
        fetch(`${emu.endpoint}/latest/meta-data/placement/region`).then(async (r) => [r.status, await r.text()] as const)
      )
      expect(res).toEqual([200, "ap-guangzhou"])
      const missing = yield* Effect.promise(() => fetch(`${emu.endpoint}/latest/meta-data/nope`).then((r) => r.status))
      expect(missing).toBe(404)
      // the recorded request keeps no secret of the answer
      const c = yield* (yield* cvmRole(emu)).get
      expect(JSON.stringify(emu.requests.list())).not.toContain(Redacted.value(c.secretKey))
    }))

  it.scoped("bad options fail before anything is sent", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      expect((yield* Effect.flip((yield* cvmRole(emu, { baseUrl: "ftp://x/" })).get)).message).toMatch(/baseUrl is not an http\(s\) URL/)
      expect((yield* Effect.flip((yield* cvmRole(emu, { roleName: "a b" })).get)).message).toMatch(/roleName must be/)
      expect((yield* Effect.flip((yield* cvmRole(emu, { timeout: 0 })).get)).message).toMatch(/timeout must be a positive duration/)
      expect(emu.requests.total()).toBe(0)
    }))
})
