/**
 * The capture test for the role sources: every log line (debug level), every span (attributes and
 * exits), every error (string, inspect, JSON, causes) and the emulator's request log, produced by
 * successful and failing AssumeRole, CVM role, TKE OIDC and environment-role fetches, contain no
 * secret key, no token and no web identity token.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Tracer from "effect/Tracer"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as util from "node:util"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import { DemoKey, Http, jwt, metadataUrl, provideScoped, renderings, stsVia, useCredential, withEnv } from "./helpers.js"

const ROLE = "qcs::cam::uin/100000000001:roleName/app"

/** A tracer that keeps every span's name, attributes and exit. */
const recordingTracer = (spans: Array<{ name: string; attributes: Map<string, unknown>; exit?: unknown }>): Tracer.Tracer =>
  Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const rec = { name, attributes: new Map<string, unknown>(), exit: undefined as unknown }
      spans.push(rec)
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      return {
        _tag: "Span", name, spanId: String(spans.length), traceId: "t", parent, context, links, sampled: true, kind,
        get status() {
          return status
        },
        attributes: rec.attributes,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
          rec.exit = exit
        },
        attribute(key, value) {
          rec.attributes.set(key, value)
        },
        event(name, _time, attributes) {
          rec.attributes.set(`event:${name}`, attributes)
        },
        addLinks() {}
      }
    },
    context: (f) => f()
  })

describe("no secret of a role source in any log, span or error", () => {
  it.scoped("AssumeRole, CVM role, TKE OIDC and the environment's role, succeeding and failing, at debug level", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const spans: Array<{ name: string; attributes: Map<string, unknown>; exit?: unknown }> = []
      const errors: Array<unknown> = []
      const webToken = jwt({ sub: "system:serviceaccount:default:app", exp: 4_000_000_000 })
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tc-secrets-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const tokenFile = path.join(dir, "token")
      fs.writeFileSync(tokenFile, webToken)
      let accept = true
      const emu = yield* Emulator.make({ webIdentity: () => accept })

      const observe = <A, E, R>(self: Effect.Effect<A, E, R>) =>
        self.pipe(
          Effect.tapError((e) => Effect.sync(() => errors.push(e))),
          Effect.either,
          Effect.withTracer(recordingTracer(spans)),
          Logger.withMinimumLogLevel(LogLevel.All),
          Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message, annotations, cause }) => {
            logs.push(util.inspect({ message, annotations: [...annotations], cause }, { depth: 10 }))
          })))
        )

      const assume = yield* Credentials.makeAssumeRole({ roleArn: ROLE, ...stsVia(emu) }).pipe(provideScoped(Layer.merge(DemoKey, Http)))
      const cvm = yield* Credentials.makeCvmRole({ baseUrl: metadataUrl(emu) }).pipe(provideScoped(Http))
      const tke = yield* Credentials.makeTkeOidc(stsVia(emu)).pipe(provideScoped(Http))
      const tkeEnv = withEnv({ TKE_REGION: "ap-guangzhou", TKE_PROVIDER_ID: "cls-1", TKE_WEB_IDENTITY_TOKEN_FILE: tokenFile, TKE_ROLE_ARN: ROLE })
      const envRole = Credentials.fromEnvironmentRole(stsVia(emu)).pipe(
        withEnv({
          TENCENTCLOUD_SECRET_ID: Emulator.DEMO_CREDENTIALS.secretId,
          TENCENTCLOUD_SECRET_KEY: Emulator.DEMO_CREDENTIALS.secretKey,
          TENCENTCLOUD_ROLE_ARN: ROLE
        }),
        provideScoped(Http)
      )

      // successes, and each credential used for a call
      for (const get of [assume.get, cvm.get, tke.get.pipe(tkeEnv), envRole]) {
        const r = yield* observe(get)
        expect(r._tag).toBe("Right")
        if (r._tag === "Right") yield* observe(useCredential(emu, r.right))
      }
      // failures: refused, garbage, cut-off answers
      accept = false
      emu.faults.add({ service: "sts", action: "AssumeRole", times: 1, fault: { kind: "truncate" } })
      emu.faults.add({ service: "metadata", action: "RoleCredentials", times: 1, fault: { kind: "truncate" } })
      emu.faults.add({ service: "metadata", action: "RoleCredentials", times: 1, fault: { kind: "resetMidBody" } })
      const failing = [
        Credentials.fromAssumeRole({ roleArn: ROLE, ...stsVia(emu) }).pipe(provideScoped(Layer.merge(DemoKey, Http))),
        Credentials.fromCvmRole({ baseUrl: metadataUrl(emu) }).pipe(provideScoped(Http)),
        Credentials.fromCvmRole({ baseUrl: metadataUrl(emu) }).pipe(provideScoped(Http)),
        Credentials.fromTkeOidc(stsVia(emu)).pipe(tkeEnv, provideScoped(Http))
      ]
      for (const get of failing) expect((yield* observe(get))._tag).toBe("Left")
      expect(errors.length).toBe(4)

      const secrets = [
        Emulator.DEMO_CREDENTIALS.secretKey,
        webToken,
        ...emu.state.temporaryCredentials().flatMap((c) => [c.secretKey, c.token])
      ]
      expect(secrets.length).toBeGreaterThan(8)
      const haystacks = [
        ...logs,
        ...spans.map((s) => util.inspect({ name: s.name, attributes: [...s.attributes], exit: s.exit }, { depth: 12 })),
        ...errors.flatMap(renderings),
        JSON.stringify(emu.requests.list())
      ]
      // each fetch is traced by a span of its own source
      const names = new Set(spans.map((s) => s.name))
      for (const n of ["credentials.assume-role", "credentials.cvm-role", "credentials.tke-oidc", "credentials.environment"]) expect(names).toContain(n)
      for (const h of haystacks) {
        for (const s of secrets) {
          const i = h.indexOf(s)
          expect(i, `a secret appeared in: ${h.slice(Math.max(0, i - 600), i + 100)}`).toBe(-1)
        }
      }
    }))
})
