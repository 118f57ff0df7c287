/**
 * Property-based fuzz over request parameters (issue 14): random nesting, strings with control
 * characters and lone or paired surrogates, numbers at and past every boundary (±0, ±2^53±1,
 * ±2^63, 2^64, NaN, ±Infinity, bigints beyond 64 bits), dates, functions, cycles. Every call
 * through `Client.call` against a mock transport, in each layout (TC3 POST, TC3 GET, v1 GET/POST),
 * ends in a success or a typed error — never a defect — and no error shows the secret key, the
 * token or the signature, however it is rendered.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as util from "node:util"
import * as Client from "../src/Client.js"
import * as Retry from "../src/Retry.js"
import { jsonAnswer, makeMockHttp, SECRET_KEY, staticCredentials, TOKEN } from "./helpers/mockHttp.js"

const TYPED = new Set([
  "RequestValidationError", "CredentialsError", "NetworkError", "TimeoutError", "HttpStatusError", "ResponseParseError",
  "ResponseDecodeError", "ResponseTooLargeError", "BreakerOpenError", "UnknownApiError"
])

const boundaryNumber = FastCheck.constantFrom(
  0, -0, 1, -1, 0.5, Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER - 1,
  2 ** 63, -(2 ** 63), 2 ** 64, 1e30, NaN, Infinity, -Infinity
)
const boundaryBigint = FastCheck.constantFrom(
  2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 2n ** 64n, -1n, 10n ** 30n
)
const nastyChar = FastCheck.constantFrom("\u0000", "\u0001", "\n", "\r", "\t", "\u001f", "\u007f", "\u2028", "\ud800", "\udfff", "😀", "\ud83d", "é", "&", "=", "?", "#", "%", "+", " ", "\"", "\\", "中")
const nastyString = FastCheck.array(FastCheck.oneof(nastyChar, FastCheck.string({ maxLength: 4 })), { maxLength: 8 }).map((a) => a.join(""))
const key = FastCheck.oneof(FastCheck.constantFrom("Limit", "Filters", "Name", "Values", "__proto__", "constructor", "toString", "Token", "Signature", "a.b", ""), nastyString)

const leaf = FastCheck.oneof(
  boundaryNumber,
  boundaryBigint,
  nastyString,
  FastCheck.boolean(),
  FastCheck.constant(null),
  FastCheck.constant(undefined),
  FastCheck.constant(new Date(0)),
  FastCheck.constant(() => 1),
  FastCheck.constant({ toJSON: () => { throw new Error("toJSON boom") } })
)
const { value } = FastCheck.letrec((tie) => ({
  value: FastCheck.oneof({ maxDepth: 4, depthSize: "small" }, leaf, tie("list"), tie("object")),
  list: FastCheck.array(tie("value"), { maxLength: 4 }),
  object: FastCheck.dictionary(key, tie("value"), { maxKeys: 4 })
}))
const params = FastCheck.tuple(FastCheck.dictionary(key, value, { maxKeys: 5 }), FastCheck.nat(9)).map(([p, n]) => {
  // now and then a cycle, or nesting far deeper than any request
  if (n === 0) (p as Record<string, unknown>).Self = p
  if (n === 1) {
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 5_000; i++) deep = (deep.X = {}) as Record<string, unknown>
    ;(p as Record<string, unknown>).Deep = root
  }
  return p
})

const layouts = [
  { name: "TC3 POST", options: {} },
  { name: "TC3 GET", options: { method: "GET" as const } },
  { name: "v1 GET", options: { signMethod: "HmacSHA256" as const, method: "GET" as const } },
  { name: "v1 POST", options: { signMethod: "HmacSHA1" as const } }
]

const renderAll = (error: unknown): string =>
  [
    JSON.stringify(error, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    util.inspect(error, { depth: 20, showHidden: true }),
    String(error),
    Cause.pretty(Cause.fail(error))
  ].join("\n")

describe("fuzz: request params end in success or a typed error, never a defect, never a secret", () => {
  for (const layout of layouts) {
    it(`${layout.name}`, async () => {
      const mock = makeMockHttp(() => jsonAnswer({ TotalCount: 0 }))
      const live = Client.layer({ region: "ap-guangzhou", ...layout.options }).pipe(Layer.provide(staticCredentials(true)), Layer.provide(mock.layer))
      await FastCheck.assert(
        FastCheck.asyncProperty(params, async (p) => {
          const before = mock.recorded.length
          const exit = await Effect.runPromiseExit(
            Client.call("cvm", "2017-03-12", "DescribeInstances", p).pipe(Retry.withRetryPolicy(Retry.none), Effect.provide(live))
          )
          if (Exit.isSuccess(exit)) return
          const failure = Cause.failureOption(exit.cause)
          if (failure._tag === "None") throw new Error(`a defect, not a typed error: ${Cause.pretty(exit.cause).slice(0, 600)}`)
          const error = failure.value as { _tag: string; code?: unknown }
          expect(TYPED.has(error._tag) || typeof error.code === "string").toBe(true)
          if (error._tag === "RequestValidationError") expect(mock.recorded.length).toBe(before) // nothing was sent
          const text = renderAll(error)
          for (const s of [SECRET_KEY, TOKEN, encodeURIComponent(TOKEN)]) expect(text).not.toContain(s)
        }),
        { numRuns: 300 }
      )
    }, 120_000)
  }
})
