/**
 * The pure parts of the role sources: the checks of role options, of temporary keys from an
 * answer, and the emulator's check of JWT web identity tokens.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import { webIdentityProblem } from "../../src/emulator/state/sts.js"
import { checkRoleOptions } from "../../src/internal/credentials/sts.js"
import { temporary } from "../../src/internal/credentials/validate.js"
import { jwt, secretsIn } from "./helpers.js"

describe("checkRoleOptions", () => {
  it("accepts role ARNs, session names and durations the cloud accepts", () => {
    expect(checkRoleOptions("p", { roleArn: "qcs::cam::uin/100000000001:roleName/app" })).toBeUndefined()
    expect(checkRoleOptions("p", { roleArn: "qcs::cam::uin/1:role/4611686018427397919", roleSessionName: "a.b@c-d_e+f=g,h", durationSeconds: 43200 })).toBeUndefined()
  })

  it.prop("a duration outside 1..43200 or not whole is refused, naming the option", [FastCheck.oneof(FastCheck.integer({ min: 43201 }), FastCheck.integer({ max: 0 }), FastCheck.double({ noInteger: true }))], ([d]) => {
    const e = checkRoleOptions("p", { roleArn: "qcs::cam::uin/1:roleName/a", durationSeconds: d })
    expect(e?.message).toMatch(/durationSeconds must be a whole number of seconds from 1 to 43200/)
  })

  it.prop("session names with a character outside [A-Za-z0-9_+=,.@-] are refused", [FastCheck.string({ minLength: 2, maxLength: 20 }).filter((s) => /[^\w+=,.@-]/.test(s))], ([name]) => {
    expect(checkRoleOptions("p", { roleArn: "qcs::cam::uin/1:roleName/a", roleSessionName: name })?.message).toMatch(/roleSessionName must be/)
  })
})

describe("temporary", () => {
  const good = { TmpSecretId: "AKIDtmp", TmpSecretKey: "secret-key-value", Token: "token-value", ExpiredTime: 1700000000 }

  it("builds a credential with Redacted secrets and expiresAt in milliseconds", () => {
    const c = Either.getOrThrow(temporary("cvm-role", "the answer", "fix it", good))
    expect(c.secretId).toBe("AKIDtmp")
    expect(Redacted.value(c.secretKey)).toBe("secret-key-value")
    expect(Redacted.value(c.token!)).toBe("token-value")
    expect(c.expiresAt).toBe(1700000000_000)
    expect(Either.getOrThrow(temporary("p", "a", "f", { ...good, ExpiredTime: "1700000000" })).expiresAt).toBe(1700000000_000)
  })

  it("each missing or malformed member is named, and no value is quoted", () => {
    for (const [patch, pattern] of [
      [{ TmpSecretId: undefined }, /has no TmpSecretId/],
      [{ TmpSecretKey: 5 }, /has no TmpSecretKey/],
      [{ Token: "" }, /has no Token/],
      [{ Token: "token-value\n" }, /has a Token with whitespace/],
      [{ ExpiredTime: -1 }, /ExpiredTime/],
      [{ ExpiredTime: "soon" }, /ExpiredTime/],
      [{ ExpiredTime: 1.5 }, /ExpiredTime/]
    ] as const) {
      const r = temporary("cvm-role", "the answer", "fix it", { ...good, ...patch })
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left.message).toMatch(pattern)
        expect(r.left.message).toMatch(/^the answer .*; fix it$/)
        expect(secretsIn(r.left, ["secret-key-value", "token-value"])).toEqual([])
      }
    }
  })
})

describe("the emulator's web identity check", () => {
  const now = 1_000_000_000_000
  it("a JWT within exp/nbf passes; an expired or not-yet-valid one is refused; other tokens are left to the configured check", () => {
    expect(webIdentityProblem(jwt({ exp: now / 1000 + 60 }), now)).toBeUndefined()
    expect(webIdentityProblem(jwt({ exp: now / 1000 }), now)).toMatch(/expired at 2001-09-09T01:46:40Z/)
    expect(webIdentityProblem(jwt({ nbf: now / 1000 + 1 }), now)).toMatch(/not valid before/)
    expect(webIdentityProblem("eyJhbGciOi.x.y", now)).toBeUndefined() // not JSON inside: the configured check decides
    expect(webIdentityProblem("opaque-token", now)).toBeUndefined()
  })
})
