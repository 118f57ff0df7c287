/**
 * No secret in any error (issue 14 item 5): every error a call can end with, produced through
 * `Client.call` on a layer-mocked transport, is rendered every way a user or a logger renders
 * it — `JSON.stringify`, `util.inspect` (deep), `toJSON()`, `String`, `message`, `Cause.pretty` —
 * and none of them holds the secret key, the token or the request's signature. The transport
 * failures carry causes that hold the signed URL (`Token=`, `Signature=`) the way Node's
 * invalid-URL `TypeError` does (`input`), and the headers (`Authorization`, `X-TC-Token`).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Fiber from "effect/Fiber"
import * as util from "node:util"
import * as Client from "../src/Client.js"
import * as Retry from "../src/Retry.js"
import { type Answer, makeMockHttp, SECRET_KEY, staticCredentials, TOKEN } from "./helpers/mockHttp.js"

/** Everything that can show an error. */
const renderings = (error: unknown): Record<string, string> => {
  const e = error as { toJSON?: () => unknown; message?: unknown }
  return {
    "JSON.stringify": JSON.stringify(error, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    "util.inspect": util.inspect(error, { depth: 20, showHidden: true, getters: true }),
    "toJSON()": JSON.stringify(typeof e.toJSON === "function" ? e.toJSON() : null),
    String: String(error),
    message: String(e.message),
    "Cause.pretty": Cause.pretty(Cause.fail(error))
  }
}

const secretsOf = (signedUrl: string, headers: Record<string, string>): Array<string> => {
  const out = [SECRET_KEY, TOKEN, encodeURIComponent(TOKEN)]
  const sig = /[?&]Signature=([^&]+)/.exec(signedUrl)?.[1]
  if (sig !== undefined) out.push(sig, decodeURIComponent(sig))
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization")?.[1]
  const tc3 = auth === undefined ? undefined : /Signature=([0-9a-f]{64})/.exec(auth)?.[1]
  if (tc3 !== undefined) out.push(tc3)
  return out
}

const failures: ReadonlyArray<[string, (url: string, headers: Record<string, string>) => Answer]> = [
  ["Node's invalid-URL TypeError (input: the signed URL)", (url) => ({ fail: Object.assign(new TypeError("Invalid URL"), { code: "ERR_INVALID_URL", input: url }) })],
  ["a reset whose message quotes the URL", (url) => ({ fail: Object.assign(new Error(`socket hang up requesting ${url}`), { code: "ECONNRESET" }) })],
  ["an error whose cause chain holds the URL and the headers", (url, headers) => ({
    fail: Object.assign(new Error("fetch failed"), { cause: Object.assign(new Error(`connect to ${url} failed`), { code: "ECONNREFUSED", request: { url, headers }, headers }) })
  })],
  ["a DNS failure with the URL in hostname-like fields", (url) => ({ fail: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url}`), { code: "ENOTFOUND", hostname: url, url }) })],
  ["an HTML gateway page", () => ({ status: 502, body: "<html>bad gateway</html>", headers: { "content-type": "text/html" } })],
  ["a body that is not the envelope", () => ({ status: 200, body: "{\"Oops\":1}", headers: { "content-type": "application/json" } })],
  ["an API error", () => ({ body: JSON.stringify({ Response: { Error: { Code: "AuthFailure.SignatureFailure", Message: "bad" }, RequestId: "r" } }) })],
  ["an error envelope whose Code is not a string", () => ({ body: JSON.stringify({ Response: { Error: { Code: 42, Message: "bad" }, RequestId: "r" } }) })]
]

const layouts = [
  { name: "v1 GET (Token= and Signature= in the URL)", options: { signMethod: "HmacSHA256" as const, method: "GET" as const } },
  { name: "TC3 POST (Authorization and X-TC-Token headers)", options: {} },
  { name: "TC3 GET", options: { method: "GET" as const } }
]

describe("no secret in any error, however it is shown", () => {
  for (const layout of layouts) {
    for (const [what, answer] of failures) {
      it.effect(`${layout.name}: ${what}`, () =>
        Effect.gen(function* () {
          const mock = makeMockHttp((req) => answer(req.url, req.headers))
          const live = Client.layer({ region: "ap-guangzhou", ...layout.options }).pipe(Layer.provide(staticCredentials(true)), Layer.provide(mock.layer))
          const error = yield* Client.call("cvm", "2017-03-12", "DescribeInstances", { Limit: 1 }).pipe(
            Retry.withRetryPolicy(Retry.none),
            Effect.provide(live),
            Effect.flip
          )
          expect(mock.recorded.length).toBe(1)
          const secrets = secretsOf(mock.recorded[0].url, mock.recorded[0].headers)
          // the request did carry them (so the check below means something)
          expect(mock.recorded[0].url + JSON.stringify(mock.recorded[0].headers)).toContain(layout.options.method === "GET" && layout.options.signMethod ? encodeURIComponent(TOKEN) : TOKEN)
          for (const [how, text] of Object.entries(renderings(error))) {
            for (const s of secrets) {
              if (text.includes(s)) throw new Error(`${how} of the ${String((error as any)._tag)} shows a secret (${s.slice(0, 6)}...): ${text.slice(0, 400)}`)
            }
          }
        }))
    }
  }

  it.effect("a timeout (the request held, never answered) shows no secret either", () =>
    Effect.gen(function* () {
      const mock = makeMockHttp(() => ({ never: true }))
      const live = Client.layer({ region: "ap-guangzhou", signMethod: "HmacSHA1", method: "GET", timeout: "5 seconds" }).pipe(
        Layer.provide(staticCredentials(true)),
        Layer.provide(mock.layer)
      )
      const fiber = yield* Effect.fork(Client.call("cvm", "2017-03-12", "DescribeInstances", {}).pipe(Retry.withRetryPolicy(Retry.none), Effect.provide(live), Effect.flip))
      yield* TestClock.adjust("6 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("TimeoutError")
      const secrets = secretsOf(mock.recorded[0].url, mock.recorded[0].headers)
      for (const text of Object.values(renderings(error))) for (const s of secrets) expect(text).not.toContain(s)
    }))
})
