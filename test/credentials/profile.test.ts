/**
 * The profile file: the INI parser (unit and property tests) and the provider reading one
 * profile from a file (which file, which profile, every way it can be broken).
 */
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
import * as Credentials from "../../src/Credentials.js"
import { CredentialsError } from "../../src/Errors.js"

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

describe("parseIni", () => {
  it("parses sections, comments, blank lines, CRLF, a BOM, and trims keys and values", () => {
    const text = "\uFEFF# top comment\r\n; another\r\n[default]\r\n  secret_id =  AKID1  \r\nsecret_key=k1\r\n\r\n[ ci ]  # trailing comment\r\ntoken = t = x\r\n"
    const r = Credentials.parseIni(text, "f")
    expect(Either.isRight(r)).toBe(true)
    const m = Either.getOrThrow(r)
    expect([...m.keys()]).toEqual(["default", "ci"])
    expect(m.get("default")!.line).toBe(3)
    expect(m.get("default")!.values.get("secret_id")).toEqual({ value: "AKID1", line: 4 })
    expect(m.get("default")!.values.get("secret_key")).toEqual({ value: "k1", line: 5 })
    expect(m.get("ci")!.values.get("token")).toEqual({ value: "t = x", line: 8 })
  })

  it("later keys override earlier ones; a repeated section adds to the first", () => {
    const m = Either.getOrThrow(Credentials.parseIni("[a]\nx=1\n[b]\ny=2\n[a]\nx=3\nz=4\n", "f"))
    expect(m.get("a")!.line).toBe(1)
    expect(m.get("a")!.values.get("x")).toEqual({ value: "3", line: 6 })
    expect(m.get("a")!.values.get("z")!.value).toBe("4")
  })

  const bad: Array<[string, string, number, RegExp]> = [
    ["a line without '='", "[default]\nsecret_id = AKID\nsecret_key SECRETVALUE\n", 3, /expected "key = value"/],
    ["a key before any section", "# c\nsecret_id = AKID\n[default]\n", 2, /before any \[profile\]/],
    ["an unclosed header", "[default]\nsecret_id=1\n[ci\n", 3, /malformed section header/],
    ["an empty section name", "\n\n[]\n", 3, /empty section name/],
    ["a value without a key", "[default]\n= SECRETVALUE\n", 2, /without a key/]
  ]
  for (const [name, text, line, problem] of bad) {
    it(`reports ${name} with the file and line, without quoting the line`, () => {
      const r = Credentials.parseIni(text, "/x/credentials")
      expect(Either.isLeft(r)).toBe(true)
      const e = Either.isLeft(r) ? r.left : undefined!
      expect(e.file).toBe("/x/credentials")
      expect(e.line).toBe(line)
      expect(e.message).toContain(`/x/credentials:${line}`)
      expect(e.message).toMatch(problem)
      expectNoSecret(e, "SECRETVALUE")
    })
  }

  const name = FastCheck.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/)
  const value = FastCheck.stringMatching(/^[^\r\n\s](?:[^\r\n]{0,30}[^\r\n\s])?$/)
  it.prop(
    "parses back what it is given, whatever the spacing and comments",
    [
      FastCheck.dictionary(name, FastCheck.dictionary(name, value, { maxKeys: 5 }), { minKeys: 1, maxKeys: 4 }),
      FastCheck.constantFrom("", " ", "\t", "   "),
      FastCheck.constantFrom("\n", "\r\n"),
      FastCheck.boolean()
    ],
    ([sections, space, eol, comments]) => {
      const lines: Array<string> = []
      for (const [s, kv] of Object.entries(sections)) {
        if (comments) lines.push("# a comment", "; another", "")
        lines.push(`${space}[${space}${s}${space}]`)
        for (const [k, v] of Object.entries(kv)) lines.push(`${space}${k}${space}=${space}${v}${space}`)
      }
      const m = Either.getOrThrow(Credentials.parseIni(lines.join(eol), "f"))
      const back = Object.fromEntries([...m].map(([s, sec]) => [s, Object.fromEntries([...sec.values].map(([k, v]) => [k, v.value]))]))
      expect(back).toEqual(sections)
    }
  )
})

// -------------------------------------------------------------------------------------------------

describe("profile file", () => {
  const good = () =>
    write(
      `good-${Math.random().toString(36).slice(2)}`,
      [
        "# credentials",
        "[default]",
        `secret_id = ${ID}`,
        `secret_key = ${KEY}`,
        "",
        "; the CI key",
        "[ci]",
        "secret_id = AKIDci",
        "secret_key = cikey",
        `token = ${TOKEN}`
      ].join("\n")
    )

  it.effect("reads [default] from a named file", () =>
    Effect.gen(function* () {
      const c = yield* Credentials.fromProfile({ file: good() }).pipe(withEnv({}))
      expect(c.secretId).toBe(ID)
      expect(Redacted.value(c.secretKey)).toBe(KEY)
      expect(c.token).toBeUndefined()
    }))

  it.effect("reads a named profile (option, or TENCENTCLOUD_PROFILE), with its token", () =>
    Effect.gen(function* () {
      const file = good()
      const a = yield* Credentials.fromProfile({ file, profile: "ci" }).pipe(withEnv({}))
      expect(a.secretId).toBe("AKIDci")
      expect(Redacted.value(a.token!)).toBe(TOKEN)
      const b = yield* Credentials.fromProfile({ file }).pipe(withEnv({ TENCENTCLOUD_PROFILE: "ci" }))
      expect(b.secretId).toBe("AKIDci")
      // the option wins over the variable
      const c = yield* Credentials.fromProfile({ file, profile: "default" }).pipe(withEnv({ TENCENTCLOUD_PROFILE: "ci" }))
      expect(c.secretId).toBe(ID)
    }))

  it.effect("TENCENTCLOUD_CREDENTIALS_FILE names the file", () =>
    Effect.gen(function* () {
      const c = yield* Credentials.fromProfile().pipe(withEnv({ TENCENTCLOUD_CREDENTIALS_FILE: good() }))
      expect(c.secretId).toBe(ID)
    }))

  it.effect("by default looks in $HOME/.tencentcloud/credentials", () =>
    Effect.gen(function* () {
      const home = path.join(dir, "home-a")
      write("home-a/.tencentcloud/credentials", `[default]\nsecret_id=AKIDhome\nsecret_key=homekey\n`)
      const c = yield* Credentials.fromProfile().pipe(withEnv({ HOME: home }))
      expect(c.secretId).toBe("AKIDhome")
      const paths = yield* Credentials.defaultProfilePaths.pipe(withEnv({ HOME: home }))
      expect(paths).toEqual([`${home}/.tencentcloud/credentials`, "/etc/tencentcloud/credentials"])
    }))

  it.effect("takes the first search path that exists", () =>
    Effect.gen(function* () {
      const second = write("second/credentials", `[default]\nsecret_id=AKIDsecond\nsecret_key=k\n`)
      const c = yield* Credentials.fromProfile({ searchPaths: [missing(), second] }).pipe(withEnv({}))
      expect(c.secretId).toBe("AKIDsecond")
    }))

  it.effect("no file at any default location: not configured, listing the paths", () =>
    Effect.gen(function* () {
      const a = missing()
      const b = missing()
      const e = yield* fail(Credentials.fromProfile({ searchPaths: [a, b] }).pipe(withEnv({})))
      expect(e.notConfigured).toBe(true)
      expect(e.message).toContain(a)
      expect(e.message).toContain(b)
    }))

  it.effect("an explicitly named file that does not exist is an error, not 'not configured'", () =>
    Effect.gen(function* () {
      const file = missing()
      const e = yield* fail(Credentials.fromProfile({ file }).pipe(withEnv({})))
      expect(e.notConfigured).toBeFalsy()
      expect(e.file).toBe(file)
      const v = yield* fail(Credentials.fromProfile().pipe(withEnv({ TENCENTCLOUD_CREDENTIALS_FILE: file })))
      expect(v.notConfigured).toBeFalsy()
      expect(v.message).toContain("TENCENTCLOUD_CREDENTIALS_FILE")
    }))

  it.effect("a directory in place of the file is unreadable: an error naming the file", () =>
    Effect.gen(function* () {
      const d = path.join(dir, "a-directory")
      fs.mkdirSync(d, { recursive: true })
      const e = yield* fail(Credentials.fromProfile({ file: d }).pipe(withEnv({})))
      expect(e.notConfigured).toBeFalsy()
      expect(e.file).toBe(d)
      expect(e.message).toMatch(/cannot be read \(EISDIR\)/)
      // also when found on the search path: it exists, so the source is configured (and broken)
      const s = yield* fail(Credentials.fromProfile({ searchPaths: [d] }).pipe(withEnv({})))
      expect(s.notConfigured).toBeFalsy()
    }))

  it.skipIf(process.getuid?.() === 0)("a file without read permission: an error naming the file (EACCES)", async () => {
    const file = write("no-read", `[default]\nsecret_id=${ID}\nsecret_key=${KEY}\n`)
    fs.chmodSync(file, 0o000)
    const e = await Effect.runPromise(fail(Credentials.fromProfile({ file }).pipe(withEnv({}))))
    expect(e.file).toBe(file)
    expect(e.message).toMatch(/cannot be read \(EACCES\)/)
  })

  it.effect("a malformed file: error with file and line, secret not shown", () =>
    Effect.gen(function* () {
      const file = write("malformed", `[default]\nsecret_id = ${ID}\nsecret_key ${KEY}\n`)
      const e = yield* fail(Credentials.fromProfile({ file }).pipe(withEnv({})))
      expect(e.provider).toBe("profile")
      expect(e.file).toBe(file)
      expect(e.line).toBe(3)
      expect(e.message).toContain(`${file}:3`)
      expectNoSecret(e, KEY)
    }))

  it.effect("a missing profile: error naming the profile and the ones the file has", () =>
    Effect.gen(function* () {
      const file = good()
      const e = yield* fail(Credentials.fromProfile({ file, profile: "prod" }).pipe(withEnv({})))
      expect(e.notConfigured).toBeFalsy()
      expect(e.file).toBe(file)
      expect(e.message).toContain("no [prod] profile")
      expect(e.message).toContain("[default], [ci]")
      const empty = write("empty", "# nothing here\n")
      const f = yield* fail(Credentials.fromProfile({ file: empty }).pipe(withEnv({})))
      expect(f.message).toContain("no [default] profile")
    }))

  it.effect("a profile without secret_key (or secret_id): error with the profile's line", () =>
    Effect.gen(function* () {
      const file = write("no-key", `# c\n\n[default]\nsecret_id = ${ID}\n`)
      const e = yield* fail(Credentials.fromProfile({ file }).pipe(withEnv({})))
      expect(e.line).toBe(3)
      expect(e.message).toContain(`${file}:3`)
      expect(e.message).toContain("no secret_key")
      const file2 = write("no-id", `[default]\nsecret_key = ${KEY}\n`)
      const e2 = yield* fail(Credentials.fromProfile({ file: file2 }).pipe(withEnv({})))
      expect(e2.message).toContain("no secret_id")
      expectNoSecret(e2, KEY)
    }))

  it.effect("an empty value: error with that value's line", () =>
    Effect.gen(function* () {
      const file = write("empty-key", `[default]\nsecret_id = ${ID}\n\nsecret_key =\n`)
      const e = yield* fail(Credentials.fromProfile({ file }).pipe(withEnv({})))
      expect(e.line).toBe(4)
      expect(e.message).toContain("secret_key in [default] is empty")
      expect(e.message).toContain(`${file}:4`)
    }))

  it.effect("layerProfile builds even when the file is broken; get fails", () =>
    Effect.gen(function* () {
      const file = write("broken-for-layer", "nonsense\n")
      const service = yield* Credentials.Credentials.pipe(Effect.provide(Credentials.layerProfile({ file })))
      const e = yield* fail(service.get)
      expect(e.line).toBe(1)
    }))
})

