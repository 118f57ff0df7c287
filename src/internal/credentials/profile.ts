/**
 * The profile file (`~/.tencentcloud/credentials`, INI): its parser, where it is looked for, and
 * the provider that reads one profile from it.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { CredentialsError } from "../../Errors.js"
import type { Credential } from "./service.js"
import { build } from "./validate.js"

/** One parsed INI section. */
export interface IniSection {
  readonly name: string
  /** Line of the (first) `[name]` header, 1-based. */
  readonly line: number
  readonly values: ReadonlyMap<string, { readonly value: string; readonly line: number }>
}

/**
 * Parse the credentials INI file: `[section]` headers, `key = value` lines, whole-line `#` and
 * `;` comments, blank lines. Keys and values are trimmed; a later key or a repeated section adds
 * to or overrides the earlier one. A malformed line fails with the file and its line number (the
 * line's text is not quoted: it may hold a secret).
 *
 * Pure: no file system access.
 *
 * @example
 * ```ts
 * Credentials.parseIni("[default]\nsecret_id = AKID...\nsecret_key = ...\n", "credentials")
 * ```
 */
export const parseIni = (text: string, file: string): Either.Either<ReadonlyMap<string, IniSection>, CredentialsError> => {
  type Mutable = { name: string; line: number; values: Map<string, { value: string; line: number }> }
  const sections = new Map<string, Mutable>()
  const fail = (line: number, what: string) =>
    Either.left(new CredentialsError({ provider: "profile", file, line, message: `profile file ${file}:${line}: ${what}` }))
  let current: Mutable | undefined
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const line = lines[i].trim()
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue
    if (line.startsWith("[")) {
      const header = /^\[([^\]]*)\]\s*(?:[#;].*)?$/.exec(line)
      if (header === null) return fail(lineNo, `malformed section header; write it as [name]`)
      const name = header[1].trim()
      if (name === "") return fail(lineNo, `empty section name "[]"; name the profile, e.g. [default]`)
      current = sections.get(name) ?? { name, line: lineNo, values: new Map() }
      sections.set(name, current)
      continue
    }
    const eq = line.indexOf("=")
    if (eq < 0) return fail(lineNo, `expected "key = value" or "[profile]"; fix the line or comment it out with #`)
    const key = line.slice(0, eq).trim()
    if (key === "") return fail(lineNo, `a value without a key; write "key = value"`)
    if (current === undefined) return fail(lineNo, `a value before any [profile] header; put it under [default]`)
    current.values.set(key, { value: line.slice(eq + 1).trim(), line: lineNo })
  }
  return Either.right(sections)
}

/** Options of the profile-file provider. */
export interface ProfileOptions {
  /**
   * The file. Default: `TENCENTCLOUD_CREDENTIALS_FILE`, else the first of
   * `~/.tencentcloud/credentials` and `/etc/tencentcloud/credentials` that exists.
   */
  readonly file?: string | undefined
  /** The profile. Default: `TENCENTCLOUD_PROFILE`, else `default`. */
  readonly profile?: string | undefined
  /**
   * Replaces the default search list (`~/.tencentcloud/credentials`, `/etc/tencentcloud/credentials`)
   * used when no file is named. For tests and unusual layouts.
   */
  readonly searchPaths?: ReadonlyArray<string> | undefined
}

interface ErrnoLike {
  readonly code?: string
  readonly message?: string
}

const readFileText = (file: string): Effect.Effect<string, ErrnoLike> =>
  Effect.tryPromise({
    try: async () => {
      // imported here so that this module loads in runtimes without node:fs
      const fs = await import("node:fs/promises")
      return await fs.readFile(file, "utf8")
    },
    catch: (e) => (typeof e === "object" && e !== null ? (e as ErrnoLike) : { message: String(e) })
  })

const homeDirectory: Effect.Effect<string | undefined> = /*#__PURE__*/ Effect.gen(function* () {
  for (const name of ["HOME", "USERPROFILE"]) {
    const v = yield* Config.option(Config.string(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))
    if (Option.isSome(v) && v.value !== "") return v.value
  }
  return yield* Effect.tryPromise(async () => (await import("node:os")).homedir()).pipe(
    Effect.map((h) => (h === "" ? undefined : h)),
    Effect.orElseSucceed(() => undefined)
  )
})

/** The default search list for the profile file. */
export const defaultProfilePaths: Effect.Effect<ReadonlyArray<string>> = /*#__PURE__*/ Effect.map(homeDirectory, (home) => [
  ...(home !== undefined ? [`${home.replace(/[\\/]+$/, "")}/.tencentcloud/credentials`] : []),
  "/etc/tencentcloud/credentials"
])

/** A variable that is set and not blank, or `undefined` (a configuration error counts as unset). */
export const configuredString = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((s) => s.trim() !== "")),
    Effect.map(Option.getOrUndefined),
    Effect.orElseSucceed(() => undefined)
  )

/**
 * Credentials from a profile file (see {@link ProfileOptions}): INI, keys `secret_id`,
 * `secret_key` and optionally `token`.
 *
 * - no file at any default location: fails with `notConfigured: true` (a chain moves on);
 * - a file named explicitly (option or `TENCENTCLOUD_CREDENTIALS_FILE`) that does not exist,
 *   a file that cannot be read (permissions, a directory), a malformed file, a missing profile,
 *   a profile without `secret_id` or `secret_key`, an empty value: fails naming the file (and
 *   the line where there is one).
 *
 * Reads the file on every run; the layers cache the result.
 */
export const fromProfile = (options: ProfileOptions = {}): Effect.Effect<Credential, CredentialsError> =>
  Effect.gen(function* () {
    const provider = "profile"
    const explicit = options.file ?? (yield* configuredString("TENCENTCLOUD_CREDENTIALS_FILE"))
    const profile = options.profile ?? (yield* configuredString("TENCENTCLOUD_PROFILE"))?.trim() ?? "default"
    const candidates = explicit !== undefined ? [explicit] : options.searchPaths ?? (yield* defaultProfilePaths)
    for (const file of candidates) {
      const read = yield* Effect.either(readFileText(file))
      if (Either.isLeft(read)) {
        const code = read.left.code
        if (code === "ENOENT" && explicit === undefined) continue
        if (code === "ENOENT" || code === "ENOTDIR") {
          return yield* new CredentialsError({
            provider,
            file,
            message: `profile file ${file} does not exist (named by ${options.file !== undefined ? "the file option" : "TENCENTCLOUD_CREDENTIALS_FILE"}); create it or point to another file`
          })
        }
        return yield* new CredentialsError({
          provider,
          file,
          cause: read.left,
          message: `profile file ${file} cannot be read (${code ?? read.left.message ?? "unknown error"}); ${
            code === "EISDIR" ? "it is a directory, not a file" : "check that it is a file and that this user may read it"
          }`
        })
      }
      const parsed = parseIni(read.right, file)
      if (Either.isLeft(parsed)) return yield* parsed.left
      const section = parsed.right.get(profile)
      if (section === undefined) {
        const known = [...parsed.right.keys()]
        return yield* new CredentialsError({
          provider,
          file,
          message: `profile file ${file} has no [${profile}] profile (${known.length === 0 ? "the file has no profiles" : `it has ${known.map((k) => `[${k}]`).join(", ")}`}); add it or choose another profile (option or TENCENTCLOUD_PROFILE)`
        })
      }
      const id = section.values.get("secret_id")
      const key = section.values.get("secret_key")
      if (id === undefined || key === undefined) {
        const missing = id === undefined ? "secret_id" : "secret_key"
        return yield* new CredentialsError({
          provider,
          file,
          line: section.line,
          message: `profile file ${file}:${section.line}: [${profile}] has no ${missing}; add a line "${missing} = ..." to it`
        })
      }
      const token = section.values.get("token")
      const r = build(
        provider,
        {
          secretId: { label: `secret_id in [${profile}]`, value: id.value, line: id.line },
          secretKey: { label: `secret_key in [${profile}]`, value: key.value, line: key.line },
          token: token && { label: `token in [${profile}]`, value: token.value, line: token.line }
        },
        undefined,
        undefined,
        file
      )
      return Either.isRight(r) ? r.right : yield* r.left
    }
    return yield* new CredentialsError({
      provider,
      notConfigured: true,
      message: `profile file: none found (looked for ${candidates.join(", ")})`
    })
  })

