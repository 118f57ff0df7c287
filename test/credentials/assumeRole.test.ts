/**
 * STS AssumeRole end to end over real HTTP against the emulator: the base key signs AssumeRole
 * (through the generated sts action and the normal client), the temporary key it returns is
 * accepted by the emulator, refreshed before expiry (TestClock drives both sides), one refresh
 * for 1,000 callers, a failed refresh followed by a success, and the environment's
 * TENCENTCLOUD_ROLE_ARN.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import { DemoKey, Http, noNetwork, eventually, provideScoped, stsVia, until, useCredential, withEnv } from "./helpers.js"

const ROLE = "qcs::cam::uin/100000000001:roleName/app"
const settle = Effect.repeatN(Effect.yieldNow(), 50)

/** The AssumeRole service over the demo key, calls going to the emulator. */
const assumeRole = (emu: Emulator.EmulatorHandle, extra: Partial<Credentials.AssumeRoleOptions> = {}) =>
  Credentials.makeAssumeRole({ roleArn: ROLE, roleSessionName: "test", ...stsVia(emu), ...extra }).pipe(
    provideScoped(Layer.merge(DemoKey, Http))
  )

const assumeRoleCalls = (emu: Emulator.EmulatorHandle) => emu.requests.list({ service: "sts", action: "AssumeRole" })

describe("STS AssumeRole (e2e against the emulator)", () => {
  it.scoped("first fetch: AssumeRole signed with the base key; the temporary key is accepted", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const service = yield* assumeRole(emu, { durationSeconds: 1800, policy: "{}", externalId: "ext-1", sourceIdentity: "me" })
      const c = yield* service.get
      expect(c.secretId).toMatch(/^AKID/)
      expect(c.token).toBeDefined()
      expect(c.expiresAt).toBe((yield* TestClock.currentTimeMillis) + 1800_000)
      const [call] = assumeRoleCalls(emu)
      expect(call.secretId).toBe(Emulator.DEMO_CREDENTIALS.secretId)
      expect(call.signatureMethod).toBe("TC3-HMAC-SHA256")
      expect(call.host).toBe("sts.tencentcloudapi.com")
      expect(call.region).toBe("ap-guangzhou")
      expect(call.params).toMatchObject({ RoleArn: ROLE, RoleSessionName: "test", DurationSeconds: 1800, Policy: "{}", ExternalId: "ext-1", SourceIdentity: "me" })
      yield* useCredential(emu, c)
      expect(emu.requests.last()?.secretId).toBe(c.secretId)
      expect(emu.requests.last()?.response.status).toBe(200)
    }))

  it.scoped("defaults: session effect-tencentcloud-<ms>, 7200 s, region and endpoint options", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const service = yield* Credentials.makeAssumeRole({ roleArn: ROLE, region: "ap-shanghai", endpoint: "sts.internal.tencentcloudapi.com", ...stsVia(emu) }).pipe(
        provideScoped(Layer.merge(DemoKey, Http))
      )
      const c = yield* service.get
      const [call] = assumeRoleCalls(emu)
      expect((call.params as any).RoleSessionName).toMatch(/^effect-tencentcloud-\d+$/)
      expect((call.params as any).DurationSeconds).toBe(7200)
      expect(call.region).toBe("ap-shanghai")
      expect(call.host).toBe("sts.internal.tencentcloudapi.com")
      expect(c.expiresAt! - (yield* TestClock.currentTimeMillis)).toBe(7200_000)
    }))

  it.scoped("refreshes before expiry: served at once in the window, one background AssumeRole, the new key accepted", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* assumeRole(emu, { durationSeconds: 900 })
      const first = yield* get
      // 900 s lifetime: the margin is 10 % (90 s)
      yield* TestClock.adjust("809 seconds")
      expect((yield* get).secretId).toBe(first.secretId)
      yield* settle
      expect(assumeRoleCalls(emu)).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      expect((yield* get).secretId).toBe(first.secretId) // still valid: no waiting
      yield* until(() => assumeRoleCalls(emu).length === 2, "the background AssumeRole")
      yield* until(() => emu.state.temporaryCredentials().length === 2)
      const second = yield* eventually(get, (c) => c.secretId !== first.secretId)
      expect(assumeRoleCalls(emu)).toHaveLength(2)
      yield* useCredential(emu, second)
      expect(emu.requests.last()?.response.status).toBe(200)
    }))

  it.scoped("1,000 concurrent callers cause one AssumeRole", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* assumeRole(emu)
      const all = yield* Effect.all(Array.from({ length: 1000 }, () => get), { concurrency: "unbounded" })
      expect(new Set(all.map((c) => c.secretId)).size).toBe(1)
      expect(assumeRoleCalls(emu)).toHaveLength(1)
    }))

  it.scoped("a refresh that fails keeps the valid key, backs off, and the next refresh succeeds", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* assumeRole(emu, { durationSeconds: 900 })
      const first = yield* get
      emu.faults.add({ service: "sts", action: "AssumeRole", times: 1, fault: { kind: "error", code: "UnauthorizedOperation" } })
      yield* TestClock.adjust("820 seconds")
      expect((yield* get).secretId).toBe(first.secretId)
      yield* until(() => assumeRoleCalls(emu).length === 2)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50))) // the failure settles in the cache
      expect(assumeRoleCalls(emu).map((r) => r.response.code)).toEqual([undefined, "UnauthorizedOperation"])
      expect((yield* get).secretId).toBe(first.secretId) // backing off: no call
      expect(assumeRoleCalls(emu)).toHaveLength(2)
      yield* TestClock.adjust("1 second")
      yield* get
      yield* until(() => assumeRoleCalls(emu).length === 3)
      yield* eventually(get, (c) => c.secretId !== first.secretId)
      expect(assumeRoleCalls(emu)).toHaveLength(3)
    }))

  it.scoped("a failing first fetch names the source, the role and what to do", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "sts", action: "AssumeRole", times: 1, fault: { kind: "error", code: "UnauthorizedOperation" } })
      const { get } = yield* assumeRole(emu)
      const e = yield* Effect.flip(get)
      expect(e.provider).toBe("assume-role")
      expect(e.message).toContain(ROLE)
      expect(e.message).toContain("UnauthorizedOperation")
      expect(e.message).toContain("trust policy")
      expect(e.notConfigured).toBeUndefined()
      // not cached: the next get succeeds
      expect((yield* get).secretId).toMatch(/^AKID/)
    }))

  it.scoped("bad options fail before anything is sent", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      for (const [opts, pattern] of [
        [{ roleArn: "app" }, /roleArn is not a role ARN/],
        [{ roleSessionName: "x" }, /roleSessionName must be 2 to 128/],
        [{ durationSeconds: 43201 }, /durationSeconds must be a whole number of seconds from 1 to 43200/]
      ] as const) {
        const { get } = yield* assumeRole(emu, opts)
        const e = yield* Effect.flip(get)
        expect(e.message).toMatch(pattern)
      }
      expect(emu.requests.total()).toBe(0)
    }))

  it.scoped("a base credential that is not configured is an error of this source, not a reason to move on", () =>
    Effect.gen(function* () {
      const { get } = yield* Credentials.makeAssumeRole({ roleArn: ROLE }).pipe(
        Effect.provide(Layer.merge(Credentials.layerEnvironment, noNetwork)),
        Effect.provide(noNetwork)
      )
      const e = yield* Effect.flip(get.pipe(withEnv({})))
      expect(e.provider).toBe("assume-role")
      expect(e.notConfigured).toBeUndefined()
      expect(e.message).toMatch(/base credential that signs AssumeRole failed/)
    }))

  it.scoped("TENCENTCLOUD_ROLE_ARN turns the environment's key into an AssumeRole source", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const env = withEnv({
        TENCENTCLOUD_SECRET_ID: Emulator.DEMO_CREDENTIALS.secretId,
        TENCENTCLOUD_SECRET_KEY: Emulator.DEMO_CREDENTIALS.secretKey,
        TENCENTCLOUD_ROLE_ARN: ROLE,
        TENCENTCLOUD_ROLE_SESSION_NAME: "from-env"
      })
      const service = yield* Credentials.make({ sts: stsVia(emu), cvmRole: false }).pipe(provideScoped(Http))
      const c = yield* service.get.pipe(env)
      expect(c.secretId).not.toBe(Emulator.DEMO_CREDENTIALS.secretId)
      expect(c.token).toBeDefined()
      const [call] = assumeRoleCalls(emu)
      expect(call.params).toMatchObject({ RoleArn: ROLE, RoleSessionName: "from-env" })
      expect(call.secretId).toBe(Emulator.DEMO_CREDENTIALS.secretId)
      yield* useCredential(emu, c)
      expect(emu.requests.last()?.response.status).toBe(200)
      // a session name without a role, or a role without a key, is a mistake to fix
      const e1 = yield* Effect.flip(Credentials.fromEnvironmentRole().pipe(Effect.provide(noNetwork), withEnv({ TENCENTCLOUD_ROLE_SESSION_NAME: "x" })))
      expect(e1.message).toMatch(/TENCENTCLOUD_ROLE_SESSION_NAME is set but TENCENTCLOUD_ROLE_ARN is not/)
      const e2 = yield* Effect.flip(Credentials.fromEnvironmentRole().pipe(Effect.provide(noNetwork), withEnv({ TENCENTCLOUD_ROLE_ARN: ROLE })))
      expect(e2.message).toMatch(/TENCENTCLOUD_ROLE_ARN is set but TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not/)
      const e3 = yield* Effect.flip(Credentials.fromEnvironmentRole().pipe(Effect.provide(noNetwork), withEnv({ TENCENTCLOUD_SECRET_ID: "AKIDx", TENCENTCLOUD_SECRET_KEY: "k", TENCENTCLOUD_ROLE_ARN: "nope" })))
      expect(e3.message).toMatch(/TENCENTCLOUD_ROLE_ARN is not a role ARN/)
    }))
})
