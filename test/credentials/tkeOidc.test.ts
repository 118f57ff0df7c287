/**
 * TKE OIDC end to end over real HTTP against the emulator: a token file written by the test, an
 * unsigned AssumeRoleWithWebIdentity (Authorization: SKIP) in TKE_REGION, the file read again at
 * every refresh (rotation), the emulator validating the tokens, failures named, one exchange for
 * 1,000 callers.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import { eventually, Http, jwt, provideScoped, stsVia, until, useCredential, withEnv } from "./helpers.js"

const ROLE = "qcs::cam::uin/100000000001:roleName/tke-app"
const PROVIDER = "cls-a1b2c3d4"

let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tc-tke-oidc-"))
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** An emulator that accepts exactly the tokens in `valid` for PROVIDER, and remembers what it was sent. */
const emulator = (valid: Set<string>, seen: Array<string>) =>
  Emulator.make({
    webIdentity: (token, r) => {
      seen.push(token)
      return r.providerId === PROVIDER && r.roleArn === ROLE && valid.has(token)
    }
  })

const tkeEnv = (file: string) =>
  withEnv({ TKE_REGION: "ap-shanghai", TKE_PROVIDER_ID: PROVIDER, TKE_WEB_IDENTITY_TOKEN_FILE: file, TKE_ROLE_ARN: ROLE })

const exchanges = (emu: Emulator.EmulatorHandle) => emu.requests.list({ service: "sts", action: "AssumeRoleWithWebIdentity" })

describe("TKE OIDC (e2e against the emulator)", () => {
  it.scoped("first fetch: the token file's token, unsigned, in TKE_REGION; the key is accepted", () =>
    Effect.gen(function* () {
      const token = jwt({ sub: "system:serviceaccount:default:app", exp: 4_000_000_000 })
      const file = path.join(dir, "first")
      fs.writeFileSync(file, token + "\n")
      const seen: Array<string> = []
      const emu = yield* emulator(new Set([token]), seen)
      const { get } = yield* Credentials.makeTkeOidc(stsVia(emu)).pipe(provideScoped(Http))
      const c = yield* get.pipe(tkeEnv(file))
      expect(c.secretId).toMatch(/^AKID/)
      expect(seen).toEqual([token])
      const [call] = exchanges(emu)
      expect(call.signatureMethod).toBe("SKIP")
      expect(call.headers.authorization).toBe("SKIP")
      expect(call.headers["x-tc-token"]).toBeUndefined()
      expect(call.region).toBe("ap-shanghai")
      expect(call.params).toMatchObject({ ProviderId: PROVIDER, RoleArn: ROLE, DurationSeconds: 7200, WebIdentityToken: "<redacted>" })
      expect((call.params as any).RoleSessionName).toMatch(/^effect-tencentcloud-\d+$/)
      yield* useCredential(emu, c)
      expect(emu.requests.last()?.response.status).toBe(200)
    }))

  it.scoped("the token file is read again at every refresh: a rotated token is used, the old one refused", () =>
    Effect.gen(function* () {
      const t1 = jwt({ n: 1, exp: 4_000_000_000 })
      const t2 = jwt({ n: 2, exp: 4_000_000_000 })
      const file = path.join(dir, "rotating")
      fs.writeFileSync(file, t1)
      const valid = new Set([t1])
      const seen: Array<string> = []
      const emu = yield* emulator(valid, seen)
      const { get } = yield* Credentials.makeTkeOidc({ ...stsVia(emu), durationSeconds: 3600 }).pipe(provideScoped(Http))
      const first = yield* get.pipe(tkeEnv(file))
      // the cluster rotates the token: the old one stops working
      fs.writeFileSync(file, t2)
      valid.delete(t1)
      valid.add(t2)
      yield* TestClock.adjust("55 minutes") // 1 h lifetime: refresh 5 minutes before
      expect((yield* get.pipe(tkeEnv(file))).secretId).toBe(first.secretId)
      const second = yield* eventually(get.pipe(tkeEnv(file)), (c) => c.secretId !== first.secretId)
      expect(seen).toEqual([t1, t2])
      yield* useCredential(emu, second)
      expect(emu.requests.last()?.response.status).toBe(200)
    }))

  it.scoped("a refused token fails the refresh, the valid key is kept, and the next refresh succeeds", () =>
    Effect.gen(function* () {
      const t1 = jwt({ n: 1 })
      const t2 = jwt({ n: 2 })
      const file = path.join(dir, "refused")
      fs.writeFileSync(file, t1)
      const valid = new Set([t1])
      const emu = yield* emulator(valid, [])
      const { get } = yield* Credentials.makeTkeOidc(stsVia(emu)).pipe(provideScoped(Http))
      const first = yield* get.pipe(tkeEnv(file))
      valid.delete(t1) // the token is no longer accepted and the file has not been rotated yet
      yield* TestClock.adjust("116 minutes")
      expect((yield* get.pipe(tkeEnv(file))).secretId).toBe(first.secretId)
      yield* until(() => exchanges(emu).length === 2)
      expect(exchanges(emu)[1].response.code).toBe("InvalidParameter.WebIdentityTokenError")
      fs.writeFileSync(file, t2)
      valid.add(t2)
      yield* TestClock.adjust("1 second")
      yield* eventually(get.pipe(tkeEnv(file)), (c) => c.secretId !== first.secretId)
      expect(exchanges(emu).map((r) => r.response.code)).toEqual([undefined, "InvalidParameter.WebIdentityTokenError", undefined])
    }))

  it.scoped("1,000 concurrent callers cause one exchange", () =>
    Effect.gen(function* () {
      const token = jwt({ n: 1 })
      const file = path.join(dir, "many")
      fs.writeFileSync(file, token)
      const emu = yield* emulator(new Set([token]), [])
      const { get } = yield* Credentials.makeTkeOidc(stsVia(emu)).pipe(provideScoped(Http))
      const all = yield* Effect.all(Array.from({ length: 1000 }, () => get), { concurrency: "unbounded" }).pipe(tkeEnv(file))
      expect(new Set(all.map((c) => c.secretId)).size).toBe(1)
      expect(exchanges(emu)).toHaveLength(1)
    }))

  it.scoped("an expired token is refused by the emulator, and the error names the source, the file and what to do", () =>
    Effect.gen(function* () {
      const token = jwt({ exp: 1 }) // 1970-01-01T00:00:01Z; TestClock starts at 0, so move past it
      const file = path.join(dir, "expired")
      fs.writeFileSync(file, token)
      const emu = yield* emulator(new Set([token]), [])
      yield* TestClock.adjust("2 seconds")
      const { get } = yield* Credentials.makeTkeOidc(stsVia(emu)).pipe(provideScoped(Http))
      const e = yield* Effect.flip(get.pipe(tkeEnv(file)))
      expect(e.provider).toBe("tke-oidc")
      expect(e.message).toContain("InvalidParameter.WebIdentityTokenError")
      expect(e.message).toContain("expired at")
      expect(e.message).toContain(`the token in ${file} was refused`)
      expect(e.message).not.toContain(token)
    }))

  it.scoped("configuration: none set is not configured; some set names the missing ones; a missing file names it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* Credentials.makeTkeOidc(stsVia(emu)).pipe(provideScoped(Http))
      const none = yield* Effect.flip(get.pipe(withEnv({})))
      expect(none.notConfigured).toBe(true)
      const some = yield* Effect.flip(get.pipe(withEnv({ TKE_REGION: "ap-guangzhou", TKE_ROLE_ARN: ROLE })))
      expect(some.notConfigured).toBeUndefined()
      expect(some.message).toMatch(/TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE are not set but TKE_REGION, TKE_ROLE_ARN are/)
      const file = path.join(dir, "absent")
      const absent = yield* Effect.flip(get.pipe(tkeEnv(file)))
      expect(absent.message).toContain(`the web identity token file ${file} cannot be read (ENOENT)`)
      fs.writeFileSync(path.join(dir, "empty"), "\n")
      const empty = yield* Effect.flip(get.pipe(tkeEnv(path.join(dir, "empty"))))
      expect(empty.message).toMatch(/is empty/)
      const badArn = yield* Effect.flip(get.pipe(withEnv({ TKE_REGION: "r", TKE_PROVIDER_ID: "p", TKE_WEB_IDENTITY_TOKEN_FILE: file, TKE_ROLE_ARN: "x" })))
      expect(badArn.message).toMatch(/TKE_ROLE_ARN is not a role ARN/)
      expect(exchanges(emu)).toHaveLength(0)
    }))

  it.scoped("options replace the TKE_* variables", () =>
    Effect.gen(function* () {
      const token = jwt({ n: 9 })
      const file = path.join(dir, "options")
      fs.writeFileSync(file, token)
      const emu = yield* emulator(new Set([token]), [])
      const { get } = yield* Credentials.makeTkeOidc({ ...stsVia(emu), region: "ap-beijing", providerId: PROVIDER, tokenFile: file, roleArn: ROLE, roleSessionName: "pod-1" }).pipe(
        provideScoped(Http)
      )
      yield* get.pipe(withEnv({}))
      expect(exchanges(emu)[0].region).toBe("ap-beijing")
      expect((exchanges(emu)[0].params as any).RoleSessionName).toBe("pod-1")
    }))
})
