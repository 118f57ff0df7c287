import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Inspectable from "effect/Inspectable"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as util from "node:util"
import * as Credentials from "../src/Credentials.js"
import { CredentialsError } from "../src/Errors.js"
import { noNetwork } from "./credentials/helpers.js"

const ID = "AKIDexampleEXAMPLEexample0000001"
const KEY = "SeCrEtKeYvAlUe0123456789abcdefXYZ"
const TOKEN = "ToKeNvAlUe9876543210zyxwvutsrqponml"

/** Run an effect with the given variables as its whole environment (no process.env). */
const withEnv = (vars: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))

let dir: string
const write = (name: string, text: string): string => {
  const file = path.join(dir, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return file
}
const missing = () => path.join(dir, "does-not-exist", `credentials-${Math.random().toString(36).slice(2)}`)

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tc-credentials-test-"))
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Every printable form of a value: none may contain a secret. */
const renderings = (u: unknown): Array<string> => {
  const out = [util.inspect(u, { depth: 10 }), Inspectable.format(u), JSON.stringify(u) ?? ""]
  if (u instanceof Error) out.push(String(u), u.message, u.stack ?? "")
  else out.push(String(u))
  return out
}
const expectNoSecret = (u: unknown, ...secrets: Array<string>) => {
  for (const text of renderings(u)) {
    for (const s of secrets) expect(text).not.toContain(s)
  }
}

const fail = <A>(e: Effect.Effect<A, CredentialsError>) => Effect.flip(e)

// -------------------------------------------------------------------------------------------------

describe("static", () => {
  it.effect("yields the credential with Redacted secrets, from strings or Redacted", () =>
    Effect.gen(function* () {
      const a = yield* Effect.flatMap(Credentials.makeStatic({ secretId: ID, secretKey: KEY, token: TOKEN }), (s) => s.get)
      expect(a.secretId).toBe(ID)
      expect(Redacted.isRedacted(a.secretKey)).toBe(true)
      expect(Redacted.value(a.secretKey)).toBe(KEY)
      expect(Redacted.value(a.token!)).toBe(TOKEN)
      const b = yield* Credentials.Credentials.pipe(
        Effect.flatMap((s) => s.get),
        Effect.provide(Credentials.layerStatic({ secretId: Redacted.make(ID), secretKey: Redacted.make(KEY) }))
      )
      expect(b.secretId).toBe(ID)
      expect(Redacted.value(b.secretKey)).toBe(KEY)
      expect(b.token).toBeUndefined()
    }))

  it.effect("an empty token means no token", () =>
    Effect.gen(function* () {
      const c = yield* Effect.flatMap(Credentials.makeStatic({ secretId: ID, secretKey: KEY, token: "" }), (s) => s.get)
      expect(c.token).toBeUndefined()
    }))

  const cases: Array<[string, Credentials.StaticInput, string, RegExp]> = [
    ["empty secretId", { secretId: "", secretKey: KEY }, "secretId", /empty/],
    ["padded secretId", { secretId: ` ${ID}`, secretKey: KEY }, "secretId", /whitespace/],
    ["secretId with a trailing newline", { secretId: `${ID}\n`, secretKey: KEY }, "secretId", /whitespace/],
    ["empty secretKey", { secretId: ID, secretKey: "" }, "secretKey", /empty/],
    ["padded secretKey", { secretId: ID, secretKey: `${KEY} ` }, "secretKey", /whitespace/],
    ["padded Redacted secretKey", { secretId: ID, secretKey: Redacted.make(`\t${KEY}`) }, "secretKey", /whitespace/],
    ["padded token", { secretId: ID, secretKey: KEY, token: ` ${TOKEN}` }, "token", /whitespace/]
  ]
  for (const [name, input, field, problem] of cases) {
    it.effect(`rejects ${name}, naming ${field} and not the secret; the layer still builds, get fails`, () =>
      Effect.gen(function* () {
        const service = yield* Credentials.Credentials.pipe(Effect.provide(Credentials.layerStatic(input)))
        const e = yield* fail(service.get)
        expect(e._tag).toBe("CredentialsError")
        expect(e.provider).toBe("static")
        expect(e.message).toContain(`${field} `)
        expect(e.message).toMatch(problem)
        expect(e.notConfigured).toBeFalsy()
        expectNoSecret(e, KEY, TOKEN)
      }))
  }

  it.prop(
    "validate rejects any padded key and never prints it",
    [
      FastCheck.stringMatching(/^[A-Za-z0-9+/]{16,40}$/),
      FastCheck.constantFrom(" ", "\t", "\n", "\r\n", "  "),
      FastCheck.boolean()
    ],
    ([key, pad, before]) => {
      const r = Credentials.validate("static", { secretId: ID, secretKey: before ? pad + key : key + pad })
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left.message).toContain("secretKey")
        expectNoSecret(r.left, key)
      }
      const ok = Credentials.validate("static", { secretId: ID, secretKey: key })
      expect(Either.isRight(ok)).toBe(true)
    }
  )
})

// -------------------------------------------------------------------------------------------------

describe("environment", () => {
  it.effect("reads TENCENTCLOUD_SECRET_ID, _SECRET_KEY and _SESSION_TOKEN through Config", () =>
    Effect.gen(function* () {
      const c = yield* Credentials.fromEnvironment.pipe(
        withEnv({ TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: KEY, TENCENTCLOUD_SESSION_TOKEN: TOKEN })
      )
      expect(c.secretId).toBe(ID)
      expect(Redacted.value(c.secretKey)).toBe(KEY)
      expect(Redacted.value(c.token!)).toBe(TOKEN)
      const noToken = yield* Credentials.fromEnvironment.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: KEY }))
      expect(noToken.token).toBeUndefined()
    }))

  it.effect("is not configured when neither id nor key is set (or both are empty)", () =>
    Effect.gen(function* () {
      const cases: Array<Record<string, string>> = [{}, { TENCENTCLOUD_SECRET_ID: "", TENCENTCLOUD_SECRET_KEY: "" }, { OTHER: "x" }]
      for (const vars of cases) {
        const e = yield* fail(Credentials.fromEnvironment.pipe(withEnv(vars)))
        expect(e.notConfigured).toBe(true)
        expect(e.provider).toBe("environment")
      }
    }))

  it.effect("half-configured: names the missing variable, is not 'not configured', hides the key", () =>
    Effect.gen(function* () {
      const noKey = yield* fail(Credentials.fromEnvironment.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: ID })))
      expect(noKey.notConfigured).toBeFalsy()
      expect(noKey.message).toMatch(/TENCENTCLOUD_SECRET_KEY is not set/)
      const noId = yield* fail(Credentials.fromEnvironment.pipe(withEnv({ TENCENTCLOUD_SECRET_KEY: KEY })))
      expect(noId.notConfigured).toBeFalsy()
      expect(noId.message).toMatch(/TENCENTCLOUD_SECRET_ID is not set/)
      expectNoSecret(noId, KEY)
      const emptyKey = yield* fail(Credentials.fromEnvironment.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: "" })))
      expect(emptyKey.message).toMatch(/TENCENTCLOUD_SECRET_KEY is not set/)
    }))

  it.effect("a token without a key pair is an error", () =>
    Effect.gen(function* () {
      const e = yield* fail(Credentials.fromEnvironment.pipe(withEnv({ TENCENTCLOUD_SESSION_TOKEN: TOKEN })))
      expect(e.notConfigured).toBeFalsy()
      expect(e.message).toContain("TENCENTCLOUD_SESSION_TOKEN")
      expectNoSecret(e, TOKEN)
    }))

  it.effect("a padded value is rejected, naming the variable", () =>
    Effect.gen(function* () {
      const e = yield* fail(Credentials.fromEnvironment.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: `${KEY}\n` })))
      expect(e.message).toMatch(/TENCENTCLOUD_SECRET_KEY has leading or trailing whitespace/)
      expectNoSecret(e, KEY)
      const t = yield* fail(
        Credentials.fromEnvironment.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: ` ${ID}`, TENCENTCLOUD_SECRET_KEY: KEY }))
      )
      expect(t.message).toMatch(/TENCENTCLOUD_SECRET_ID has leading or trailing whitespace/)
    }))

  it.effect("layerEnvironment builds without an environment and keeps the first credential found", () =>
    Effect.gen(function* () {
      const service = yield* Credentials.Credentials.pipe(Effect.provide(Credentials.layerEnvironment), Effect.provide(noNetwork))
      const e = yield* fail(service.get.pipe(withEnv({})))
      expect(e.notConfigured).toBe(true)
      const first = yield* service.get.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: KEY }))
      const second = yield* service.get.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: "AKIDother", TENCENTCLOUD_SECRET_KEY: "other" }))
      expect(first.secretId).toBe(ID)
      expect(second).toBe(first)
    }))
})

// -------------------------------------------------------------------------------------------------

describe("chain", () => {
  const counting = (result: Effect.Effect<Credentials.Credential, CredentialsError>) => {
    let runs = 0
    return { source: Effect.suspend(() => (runs++, result)), runs: () => runs }
  }
  const notConfigured = (provider: string) => Effect.fail(new CredentialsError({ provider, notConfigured: true, message: `${provider}: not set` }))
  const cred = (secretId: string): Credentials.Credential => ({ secretId, secretKey: Redacted.make("k") })

  it.effect("returns the first configured source and does not run the rest", () =>
    Effect.gen(function* () {
      const later = counting(Effect.succeed(cred("later")))
      const c = yield* Credentials.chain(notConfigured("a"), Effect.succeed(cred("first")), later.source)
      expect(c.secretId).toBe("first")
      expect(later.runs()).toBe(0)
    }))

  it.effect("a configured-but-broken source stops the chain with its own error", () =>
    Effect.gen(function* () {
      const later = counting(Effect.succeed(cred("later")))
      const broken = new CredentialsError({ provider: "profile", file: "/f", line: 7, message: "profile file /f:7: bad" })
      const e = yield* fail(Credentials.chain(notConfigured("a"), Effect.fail(broken), later.source))
      expect(e).toBe(broken)
      expect(later.runs()).toBe(0)
    }))

  it.effect("accepts services as well as effects, and nests (a chain of nothing is itself not configured)", () =>
    Effect.gen(function* () {
      const inner = Credentials.chain(notConfigured("x"), notConfigured("y"))
      const c = yield* Credentials.chain(inner, { get: Effect.succeed(cred("svc")) })
      expect(c.secretId).toBe("svc")
    }))

  it.effect("nothing configured: one error listing every source tried and how to fix it", () =>
    Effect.gen(function* () {
      const e = yield* fail(Credentials.chain(notConfigured("a"), notConfigured("b")))
      expect(e.provider).toBe("chain")
      expect(e.notConfigured).toBe(true)
      expect(e.message).toContain("a: not set")
      expect(e.message).toContain("b: not set")
      expect(e.message).toContain("TENCENTCLOUD_SECRET_ID")
      expect(e.message).toContain("~/.tencentcloud/credentials")
    }))

  describe("the default chain: environment, then profile file", () => {
    it.effect("the environment comes first", () =>
      Effect.gen(function* () {
        const home = path.join(dir, "home-b")
        write("home-b/.tencentcloud/credentials", `[default]\nsecret_id=AKIDprofile\nsecret_key=k\n`)
        const c = yield* Credentials.defaultChain.pipe(withEnv({ HOME: home, TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: KEY }))
        expect(c.secretId).toBe(ID)
        const p = yield* Credentials.defaultChain.pipe(withEnv({ HOME: home }))
        expect(p.secretId).toBe("AKIDprofile")
      }))

    it.effect("a half-configured environment stops it before the profile file", () =>
      Effect.gen(function* () {
        const home = path.join(dir, "home-c")
        write("home-c/.tencentcloud/credentials", `[default]\nsecret_id=AKIDprofile\nsecret_key=k\n`)
        const e = yield* fail(Credentials.defaultChain.pipe(withEnv({ HOME: home, TENCENTCLOUD_SECRET_ID: ID })))
        expect(e.provider).toBe("environment")
        expect(e.message).toContain("TENCENTCLOUD_SECRET_KEY")
      }))

    it.effect("a broken profile file stops it with file and line", () =>
      Effect.gen(function* () {
        const file = write("broken-default", `[default]\nsecret_id=AKID\nsecret_key\n`)
        const e = yield* fail(Credentials.defaultChain.pipe(withEnv({ TENCENTCLOUD_CREDENTIALS_FILE: file })))
        expect(e.provider).toBe("profile")
        expect(e.file).toBe(file)
        expect(e.line).toBe(3)
      }))

    it.effect("layerDefaultWith: nothing configured → the layer builds, get fails listing what was tried", () =>
      Effect.gen(function* () {
        const nowhere = missing()
        const service = yield* Credentials.Credentials.pipe(Effect.provide(Credentials.layerDefaultWith({ searchPaths: [nowhere] })), Effect.provide(noNetwork))
        const e = yield* fail(service.get.pipe(withEnv({})))
        expect(e.provider).toBe("chain")
        expect(e.notConfigured).toBe(true)
        expect(e.message).toContain("environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set")
        expect(e.message).toContain(nowhere)
        expect(e.message).toContain("CVM instance role: no metadata server at http://metadata.tencentyun.com/latest/meta-data/ (ENOTFOUND)")
        expect(e.message).toContain("TKE OIDC: TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN are not set")
        // the failure is not cached: once the environment is set, get succeeds
        const c = yield* service.get.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: KEY }))
        expect(c.secretId).toBe(ID)
      }))

    it.effect("layerDefault reads $HOME/.tencentcloud/credentials once and keeps the result", () =>
      Effect.gen(function* () {
        const home = path.join(dir, "home-d")
        const file = write("home-d/.tencentcloud/credentials", `[default]\nsecret_id=AKIDonce\nsecret_key=k\n`)
        const service = yield* Credentials.Credentials.pipe(Effect.provide(Credentials.layerDefault), Effect.provide(noNetwork))
        const a = yield* service.get.pipe(withEnv({ HOME: home }))
        fs.writeFileSync(file, "broken now\n")
        const b = yield* service.get.pipe(withEnv({ HOME: home }))
        expect(a.secretId).toBe("AKIDonce")
        expect(b).toBe(a)
      }))
  })
})

// -------------------------------------------------------------------------------------------------

describe("redaction", () => {
  it("a credential's string, JSON and inspected forms never contain the key or the token", () => {
    const c = Either.getOrThrow(Credentials.validate("static", { secretId: ID, secretKey: KEY, token: TOKEN }))
    expectNoSecret(c, KEY, TOKEN)
    expect(JSON.stringify(c)).toContain(ID)
    expect(String(c.secretKey)).toBe("<redacted>")
  })

  it.effect("no error from any provider contains the key or the token", () =>
    Effect.gen(function* () {
      const errors: Array<CredentialsError> = []
      const collect = (e: Effect.Effect<unknown, CredentialsError>) => Effect.flatMap(Effect.flip(e), (x) => Effect.sync(() => errors.push(x)))
      const statics: Array<Credentials.StaticInput> = [
        { secretId: ID, secretKey: ` ${KEY}`, token: TOKEN },
        { secretId: ID, secretKey: KEY, token: `${TOKEN} ` },
        { secretId: ` ${ID}`, secretKey: KEY, token: TOKEN },
        { secretId: "", secretKey: KEY, token: TOKEN }
      ]
      for (const input of statics) yield* collect(Effect.flatMap(Credentials.makeStatic(input), (s) => s.get))
      const envs: Array<Record<string, string>> = [
        { TENCENTCLOUD_SECRET_KEY: KEY, TENCENTCLOUD_SESSION_TOKEN: TOKEN },
        { TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: `${KEY} `, TENCENTCLOUD_SESSION_TOKEN: TOKEN },
        { TENCENTCLOUD_SECRET_ID: ID, TENCENTCLOUD_SECRET_KEY: KEY, TENCENTCLOUD_SESSION_TOKEN: ` ${TOKEN}` },
        { TENCENTCLOUD_SESSION_TOKEN: TOKEN }
      ]
      for (const vars of envs) yield* collect(Credentials.fromEnvironment.pipe(withEnv(vars)))
      const files = [
        `[default]\nsecret_id = ${ID}\nsecret_key ${KEY}\n`,
        `[default]\nsecret_key = ${KEY}\ntoken = ${TOKEN}\n`,
        `[default]\nsecret_id =\nsecret_key = ${KEY}\n`,
        `${KEY}\n`,
        `[${KEY}\n`,
        `[default]\nsecret_id = ${ID}\nsecret_key = ${KEY}\n[prod]\ntoken ${TOKEN}\n`
      ]
      for (const [i, text] of files.entries()) {
        yield* collect(Credentials.fromProfile({ file: write(`redaction-${i}`, text), profile: "prod" }).pipe(withEnv({})))
        yield* collect(Credentials.fromProfile({ file: write(`redaction-${i}`, text) }).pipe(withEnv({})))
      }
      yield* collect(
        Credentials.defaultChain.pipe(withEnv({ TENCENTCLOUD_SECRET_KEY: KEY, TENCENTCLOUD_SESSION_TOKEN: TOKEN }))
      )
      expect(errors.length).toBe(4 + 4 + 2 * files.length + 1)
      for (const e of errors) {
        expect(e._tag).toBe("CredentialsError")
        expectNoSecret(e, KEY, TOKEN)
      }
    }))
})
