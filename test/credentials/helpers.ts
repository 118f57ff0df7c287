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
