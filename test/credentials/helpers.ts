/**
 * Shared pieces of the credential tests: an HttpClient with no network (every request fails as
 * DNS would off CVM), the emulator's client layers, and the secret-capture helpers.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as util from "node:util"

/** Every request fails at once with ENOTFOUND, as `metadata.tencentyun.com` does off CVM. */
export const noNetwork: Layer.Layer<HttpClient.HttpClient> = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request) =>
    Effect.fail(
      new HttpClientError.RequestError({
        request,
        reason: "Transport",
        cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(request.url).hostname}`), { code: "ENOTFOUND" })
      })
    )
  )
)

/** Run an effect with the given variables as its whole environment (no process.env). */
export const withEnv = (vars: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))

/** Every printable form of a value (errors with their causes included). */
export const renderings = (u: unknown): Array<string> => {
  const out = [String(u), util.inspect(u, { depth: 10 }), Inspectable.format(u)]
  try {
    out.push(JSON.stringify(u) ?? "")
  } catch {
    // circular: the inspected form covers it
  }
  const cause = (u as { cause?: unknown } | undefined)?.cause
  if (cause !== undefined) out.push(...renderings(cause))
  return out
}

/** Fails the test if any rendering contains one of the secrets. */
export const secretsIn = (u: unknown, secrets: ReadonlyArray<string>): Array<string> => {
  const found: Array<string> = []
  for (const r of renderings(u)) for (const s of secrets) if (s.length > 0 && r.includes(s)) found.push(s)
  return found
}

import * as Redacted from "effect/Redacted"
import type { Credential } from "../../src/Credentials.js"
import * as Credentials from "../../src/Credentials.js"
import * as Client from "../../src/Client.js"
import { DEMO_CREDENTIALS, type EmulatorHandle } from "../../src/emulator/index.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import { UndiciHttpClient } from "../../src/node/index.js"

/** The transport for loopback: undici, never through an environment proxy. */
export const Http = UndiciHttpClient.layer({ proxy: false })

/** The emulator's demo key as a base credential. */
export const DemoKey = Credentials.layerStatic(DEMO_CREDENTIALS)

/** STS options that send every STS call to the emulator (the Host stays sts.tencentcloudapi.com). */
export const stsVia = (emu: EmulatorHandle) => ({ client: { connectTo: emu.endpoint } })

/** The emulator's metadata server as the CVM role's base URL. */
export const metadataUrl = (emu: EmulatorHandle) => `${emu.endpoint}/latest/meta-data/`

/** Call DescribeInstances at the emulator signed with this credential (proves the emulator accepts it). */
export const useCredential = (emu: EmulatorHandle, c: Credential) =>
  Cvm.describeInstances({ Limit: 1 }).pipe(
    Effect.provide(
      Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint }).pipe(
        Layer.provide(Layer.succeed(Credentials.Credentials, { get: Effect.succeed(c) })),
        Layer.provide(Http)
      )
    )
  )

/** Secrets of a credential, revealed, for capture checks. */
export const secretsOf = (c: Credential): Array<string> => [Redacted.value(c.secretKey), ...(c.token ? [Redacted.value(c.token)] : [])]

/** A JWT-shaped web identity token (unsigned: the emulator checks `exp`/`nbf`, the test decides the rest). */
export const jwt = (claims: Record<string, unknown>): string => {
  const b = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url")
  return `${b({ alg: "RS256", typ: "JWT" })}.${b(claims)}.${Buffer.from("signature-" + JSON.stringify(claims)).toString("base64url")}`
}

/** Provide layers for the rest of the test's scope (an `Effect.provide(layer)` would close the transport when the effect ends). */
export const provideScoped = <ROut, E2>(layer: Layer.Layer<ROut, E2>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.flatMap(Layer.build(layer), (ctx) => Effect.provide(self, ctx))

/**
 * Wait (real time, polling) until `cond` holds — for background work over loopback; fails after
 * 20 s, so it never flips under load but does not hang either.
 */
export const until = (cond: () => boolean, what = "the condition") =>
  Effect.promise(async () => {
    const deadline = Date.now() + 20_000
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  })

/** Run `get` until its result satisfies `pred` (real-time polling, 20 s at most): the background refresh has landed. */
export const eventually = <A, E, R>(get: Effect.Effect<A, E, R>, pred: (a: A) => boolean) =>
  Effect.gen(function* () {
    const deadline = Date.now() + 20_000
    let a = yield* get
    while (!pred(a)) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("timed out waiting for the background refresh"))
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      a = yield* get
    }
    return a
  })
