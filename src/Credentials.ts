/**
 * Where the secret key comes from.
 *
 * `Credentials` is a service with one method, `get`, which yields a {@link Credential}. Providers:
 * static, environment, profile file, the default chain (environment → profile file), and
 * {@link cached}, a wrapper for expiring (temporary) credentials that refreshes before expiry
 * with a single request in flight.
 *
 * Providers are lazy: layers never fail to build; a provider reads its source when `get` runs
 * and fails there. That lets a chain move on from a source that is not configured
 * (`CredentialsError.notConfigured`), while a source that is configured but broken stops the
 * chain with an error naming the source, the file and the line.
 *
 * Secrets are `Redacted` from the moment they are read, and no error message contains a secret
 * key or a token.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { CredentialsError } from "./Errors.js"

export {
  /** Re-exported from `Errors` for convenience. */
  CredentialsError
} from "./Errors.js"

/** A key pair, with the token of temporary credentials. Secrets are `Redacted`. */
export interface Credential {
  readonly secretId: string
  readonly secretKey: Redacted.Redacted<string>
  readonly token?: Redacted.Redacted<string> | undefined
  /** When temporary credentials stop working (epoch milliseconds). */
  readonly expiresAt?: number | undefined
}

/** The service shape: fetch the current credential. */
export interface CredentialsService {
  readonly get: Effect.Effect<Credential, CredentialsError>
}

/** The `Credentials` service tag. */
export class Credentials extends Context.Tag("effect-tencentcloud/Credentials")<Credentials, CredentialsService>() {}

/** Anything that yields a credential: a service, or the effect behind its `get`. */
export type Source = CredentialsService | Effect.Effect<Credential, CredentialsError>

const toEffect = (source: Source): Effect.Effect<Credential, CredentialsError> =>
  Effect.isEffect(source) ? source : source.get

// -------------------------------------------------------------------------------------------------
// validation

/** Input of {@link makeStatic} / {@link layerStatic}: plain strings or `Redacted`. */
export interface StaticInput {
  readonly secretId: string | Redacted.Redacted<string>
  readonly secretKey: string | Redacted.Redacted<string>
  readonly token?: string | Redacted.Redacted<string> | undefined
  /** Epoch milliseconds; only for temporary credentials. */
  readonly expiresAt?: number | undefined
}

const reveal = (v: string | Redacted.Redacted<string>): string => (typeof v === "string" ? v : Redacted.value(v))

interface Field {
  /** What the user calls it: `secretId`, `TENCENTCLOUD_SECRET_KEY`, `secret_key`. */
  readonly label: string
  readonly value: string
  readonly line?: number | undefined
}

const at = (file: string | undefined, line: number | undefined) =>
  file === undefined ? "" : ` (${file}${line !== undefined ? `:${line}` : ""})`

/** Check one value; the message names the field and never contains the value. */
const checkField = (provider: string, field: Field, file: string | undefined): CredentialsError | undefined => {
  const problem = field.value === ""
    ? "is empty; set it to the value shown in the CAM console (API keys)"
    : field.value.trim() !== field.value
    ? "has leading or trailing whitespace; remove it (copying a key often adds a space or a newline)"
    : undefined
  if (problem === undefined) return undefined
  const [what, fix] = problem.split("; ")
  return new CredentialsError({
    provider,
    file,
    line: field.line,
    message: `${provider} credentials: ${field.label} ${what}${at(file, field.line)}; ${fix}`
  })
}

const build = (
  provider: string,
  fields: { readonly secretId: Field; readonly secretKey: Field; readonly token?: Field | undefined },
  secretKey: Redacted.Redacted<string> | undefined,
  expiresAt: number | undefined,
  file?: string
): Either.Either<Credential, CredentialsError> => {
  for (const f of [fields.secretId, fields.secretKey]) {
    const e = checkField(provider, f, file)
    if (e) return Either.left(e)
  }
  let token: Redacted.Redacted<string> | undefined
  if (fields.token !== undefined && fields.token.value !== "") {
    const e = checkField(provider, fields.token, file)
    if (e) return Either.left(e)
    token = Redacted.make(fields.token.value)
  }
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    return Either.left(
      new CredentialsError({ provider, message: `${provider} credentials: expiresAt is not a finite number (epoch milliseconds expected)` })
    )
  }
  return Either.right({
    secretId: fields.secretId.value,
    secretKey: secretKey ?? Redacted.make(fields.secretKey.value),
    token,
    expiresAt
  })
}

/**
 * Validate and build a credential. Empty values and values with leading or trailing whitespace
 * are rejected with an error naming the field (`secretId`, `secretKey`, `token`), never the value.
 * An empty token means "no token".
 *
 * @example
 * ```ts
 * Credentials.validate("static", { secretId: " AKID...", secretKey: key })
 * // Left(CredentialsError: static credentials: secretId has leading or trailing whitespace; ...)
 * ```
 */
export const validate = (provider: string, input: StaticInput): Either.Either<Credential, CredentialsError> =>
  build(
    provider,
    {
      secretId: { label: "secretId", value: reveal(input.secretId) },
      secretKey: { label: "secretKey", value: reveal(input.secretKey) },
      token: input.token === undefined ? undefined : { label: "token", value: reveal(input.token) }
    },
    typeof input.secretKey === "string" ? undefined : input.secretKey,
    input.expiresAt
  )

// -------------------------------------------------------------------------------------------------
// static

const staticService = (input: StaticInput): CredentialsService => {
  const r = validate("static", input)
  return { get: Either.isRight(r) ? Effect.succeed(r.right) : Effect.fail(r.left) }
}

/**
 * Fixed credentials. Invalid input (empty or padded values) does not fail here: `get` fails,
 * naming the field, so the error surfaces on the first call and nothing is sent.
 */
export const makeStatic = (input: StaticInput): Effect.Effect<CredentialsService> => Effect.sync(() => staticService(input))

/**
 * A layer of fixed credentials.
 *
 * @example
 * ```ts
 * Credentials.layerStatic({ secretId: "AKID...", secretKey: Redacted.make(key) })
 * ```
 */
export const layerStatic = (input: StaticInput): Layer.Layer<Credentials> => Layer.sync(Credentials, () => staticService(input))

// -------------------------------------------------------------------------------------------------
// environment

const ENV_ID = "TENCENTCLOUD_SECRET_ID"
const ENV_KEY = "TENCENTCLOUD_SECRET_KEY"
const ENV_TOKEN = "TENCENTCLOUD_SESSION_TOKEN"

/** An optional variable; an empty value counts as unset. */
const optionalVar = <A>(config: Config.Config<A>, isEmpty: (a: A) => boolean, provider: string, name: string) =>
  Config.option(config).pipe(
    Effect.map(Option.filter((a) => !isEmpty(a))),
    Effect.mapError((cause) =>
      new CredentialsError({ provider, cause, message: `${provider} credentials: ${name} could not be read; check the configuration provider` })
    )
  )

const optionalString = (name: string, provider: string) => optionalVar(Config.string(name), (s) => s === "", provider, name)
const optionalSecret = (name: string, provider: string) =>
  optionalVar(Config.redacted(name), (r) => Redacted.value(r) === "", provider, name)

/**
 * Credentials from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and (optionally)
 * `TENCENTCLOUD_SESSION_TOKEN`, read through Effect's `Config` (so tests use
 * `ConfigProvider.fromMap`). An empty variable counts as unset.
 *
 * - none of the three set: fails with `notConfigured: true` (a chain moves on);
 * - only one of id and key set, or only the token: fails naming the missing variable;
 * - a value with surrounding whitespace: fails naming the variable.
 *
 * Reads the environment on every run; the layers cache the result.
 */
export const fromEnvironment: Effect.Effect<Credential, CredentialsError> = Effect.gen(function* () {
  const provider = "environment"
  const id = yield* optionalString(ENV_ID, provider)
  const key = yield* optionalSecret(ENV_KEY, provider)
  const token = yield* optionalSecret(ENV_TOKEN, provider)
  if (Option.isNone(id) && Option.isNone(key)) {
    if (Option.isSome(token)) {
      return yield* new CredentialsError({
        provider,
        message: `environment credentials: ${ENV_TOKEN} is set but ${ENV_ID} and ${ENV_KEY} are not; set the temporary key pair that goes with the token, or unset ${ENV_TOKEN}`
      })
    }
    return yield* new CredentialsError({ provider, notConfigured: true, message: `environment: ${ENV_ID} and ${ENV_KEY} are not set` })
  }
  if (Option.isNone(id) || Option.isNone(key)) {
    const [missing, present] = Option.isNone(id) ? [ENV_ID, ENV_KEY] : [ENV_KEY, ENV_ID]
    return yield* new CredentialsError({
      provider,
      message: `environment credentials: ${missing} is not set (or empty) but ${present} is; set both or neither`
    })
  }
  const r = build(
    provider,
    {
      secretId: { label: ENV_ID, value: id.value },
      secretKey: { label: ENV_KEY, value: Redacted.value(key.value) },
      token: Option.isSome(token) ? { label: ENV_TOKEN, value: Redacted.value(token.value) } : undefined
    },
    key.value,
    undefined
  )
  return Either.isRight(r) ? r.right : yield* r.left
})

/** {@link fromEnvironment}, cached (see {@link cached}): the environment is read on the first successful `get`. */
export const makeEnvironment: Effect.Effect<CredentialsService> = Effect.suspend(() => cached(fromEnvironment))

/** Credentials from the environment (cached after the first successful read). */
export const layerEnvironment: Layer.Layer<Credentials> = Layer.effect(Credentials, makeEnvironment)

// -------------------------------------------------------------------------------------------------
// profile file

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

const homeDirectory: Effect.Effect<string | undefined> = Effect.gen(function* () {
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
export const defaultProfilePaths: Effect.Effect<ReadonlyArray<string>> = Effect.map(homeDirectory, (home) => [
  ...(home !== undefined ? [`${home.replace(/[\\/]+$/, "")}/.tencentcloud/credentials`] : []),
  "/etc/tencentcloud/credentials"
])

const configuredString = (name: string) =>
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

/** {@link fromProfile}, cached: the file is read on the first successful `get`. */
export const makeProfile = (options: ProfileOptions = {}): Effect.Effect<CredentialsService> =>
  Effect.suspend(() => cached(fromProfile(options)))

/** Credentials from a profile file (cached after the first successful read). */
export const layerProfile = (options: ProfileOptions = {}): Layer.Layer<Credentials> => Layer.effect(Credentials, makeProfile(options))

// -------------------------------------------------------------------------------------------------
// chain

/**
 * Try sources in order. The chain moves on only when a source fails with `notConfigured`; a
 * source that is configured but broken stops the chain with its own error (no silent fall back
 * to another key). When no source is configured, one error (itself `notConfigured`, so chains
 * nest) lists what was tried and how to fix it.
 *
 * Sources run every time the chain runs; wrap the result in {@link cached} to read them once.
 *
 * @example
 * ```ts
 * const get = Credentials.chain(Credentials.fromEnvironment, Credentials.fromProfile({ profile: "ci" }))
 * const layer = Layer.effect(Credentials.Credentials, Credentials.cached(get))
 * ```
 */
export const chain = (...sources: ReadonlyArray<Source>): Effect.Effect<Credential, CredentialsError> =>
  Effect.gen(function* () {
    const tried: Array<string> = []
    for (const source of sources) {
      const r = yield* Effect.either(toEffect(source))
      if (Either.isRight(r)) return r.right
      if (r.left.notConfigured !== true) return yield* r.left
      tried.push(r.left.message)
    }
    return yield* new CredentialsError({
      provider: "chain",
      notConfigured: true,
      message: `no credentials found; tried ${tried.length === 0 ? "no sources" : tried.join("; ")}. Set ${ENV_ID} and ${ENV_KEY}, or write ~/.tencentcloud/credentials with a [default] profile (secret_id = ..., secret_key = ...), or provide Credentials.layerStatic(...)`
    })
  })

/** The default chain, uncached: environment, then profile file. */
export const defaultChain: Effect.Effect<Credential, CredentialsError> = chain(fromEnvironment, fromProfile())

/** Options of {@link makeDefault}. */
export interface DefaultOptions extends ProfileOptions, CachedOptions {}

/** The default chain (environment → profile file), cached. */
export const makeDefault = (options: DefaultOptions = {}): Effect.Effect<CredentialsService> =>
  Effect.suspend(() => cached(chain(fromEnvironment, fromProfile(options)), options))

/**
 * The default chain as a layer: environment, then profile file; the first credential found is
 * kept (failures are not: a later `get` looks again). Never fails to build.
 */
export const layerDefault: Layer.Layer<Credentials> = Layer.effect(Credentials, makeDefault())

/** {@link layerDefault} with options (profile, file, search paths). */
export const layerDefaultWith = (options: DefaultOptions): Layer.Layer<Credentials> => Layer.effect(Credentials, makeDefault(options))

// -------------------------------------------------------------------------------------------------
// caching

/** Options of {@link cached}. */
export interface CachedOptions {
  /** Refresh this long before `expiresAt` (default 5 minutes). */
  readonly refreshBefore?: Duration.DurationInput | undefined
}

interface Entry {
  readonly credential: Credential
  /** Serve from the cache while `now < refreshAt`. */
  readonly refreshAt: number
  /** Still usable (as a fallback when a refresh fails) while `now < expiresAt`. */
  readonly expiresAt: number
}

interface CacheState {
  readonly entry: Entry | undefined
  readonly inflight: Deferred.Deferred<Credential, CredentialsError> | undefined
}

type Step =
  | { readonly _tag: "Hit"; readonly credential: Credential }
  | { readonly _tag: "Wait"; readonly deferred: Deferred.Deferred<Credential, CredentialsError> }
  | { readonly _tag: "Lead"; readonly deferred: Deferred.Deferred<Credential, CredentialsError> }

/**
 * Cache a source of (possibly expiring) credentials.
 *
 * - A credential is served from the cache while `now < expiresAt - refreshBefore` (the margin is
 *   capped at half the lifetime seen at fetch time, so short-lived credentials are not refreshed
 *   on every call). A credential without `expiresAt` is kept forever.
 * - Otherwise one refresh runs, whatever the number of concurrent callers; they all wait for it.
 *   The refresh runs in its own fiber, so interrupting a caller never cancels it for the others.
 * - A failed refresh is not cached: the next `get` tries again.
 * - If a refresh fails while the last good credential is still valid (`now < expiresAt`), that
 *   credential is returned; once it has expired, the refresh's error is.
 * - A source that returns an already expired credential fails the refresh.
 *
 * Time comes from `Clock`, so `TestClock` drives it.
 *
 * @example
 * ```ts
 * const layer = Layer.effect(Credentials.Credentials, Credentials.cached(assumeRole, { refreshBefore: "5 minutes" }))
 * ```
 */
export const cached = (source: Source, options: CachedOptions = {}): Effect.Effect<CredentialsService> =>
  Effect.gen(function* () {
    const get0 = toEffect(source)
    const margin = Math.max(0, Duration.toMillis(Duration.decode(options.refreshBefore ?? Duration.minutes(5))))
    const state = yield* Ref.make<CacheState>({ entry: undefined, inflight: undefined })

    const settle = (deferred: Deferred.Deferred<Credential, CredentialsError>, exit: Exit.Exit<Credential, CredentialsError>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        let result = exit
        let entry: Entry | undefined
        if (Exit.isSuccess(exit)) {
          const c = exit.value
          if (c.expiresAt === undefined) {
            entry = { credential: c, refreshAt: Infinity, expiresAt: Infinity }
          } else if (!(c.expiresAt > now)) {
            result = Exit.fail(
              new CredentialsError({
                provider: "cached",
                message: `the credential source returned a credential that expired at ${isoTime(c.expiresAt)} (now ${isoTime(now)}); check the system clock and the source`
              })
            )
          } else {
            const lifetime = c.expiresAt - now
            entry = { credential: c, refreshAt: c.expiresAt - Math.min(margin, lifetime / 2), expiresAt: c.expiresAt }
          }
        }
        yield* Ref.update(state, (s) => ({ entry: entry ?? s.entry, inflight: undefined }))
        yield* Deferred.done(deferred, result)
      })

    // The refresh runs in a daemon fiber: it settles the deferred whether or not the caller that
    // started it is still waiting; an interruption of the refresh itself settles it too.
    const refresh = (deferred: Deferred.Deferred<Credential, CredentialsError>) =>
      Effect.uninterruptibleMask((restore) => Effect.flatMap(Effect.exit(restore(get0)), (exit) => settle(deferred, exit)))

    const get: Effect.Effect<Credential, CredentialsError> = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const fiberId = yield* Effect.fiberId
      const step = yield* Ref.modify(state, (s): [Step, CacheState] => {
        if (s.entry !== undefined && now < s.entry.refreshAt) return [{ _tag: "Hit", credential: s.entry.credential }, s]
        if (s.inflight !== undefined) return [{ _tag: "Wait", deferred: s.inflight }, s]
        const deferred = Deferred.unsafeMake<Credential, CredentialsError>(fiberId)
        return [{ _tag: "Lead", deferred }, { ...s, inflight: deferred }]
      })
      if (step._tag === "Hit") return step.credential
      if (step._tag === "Lead") yield* Effect.forkDaemon(refresh(step.deferred))
      const exit = yield* Effect.exit(Deferred.await(step.deferred))
      if (Exit.isSuccess(exit)) return exit.value
      const later = yield* Clock.currentTimeMillis
      const { entry } = yield* Ref.get(state)
      if (entry !== undefined && later < entry.expiresAt) return entry.credential
      return yield* exit
    })
    return { get }
  })

const isoTime = (ms: number): string => {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString()
}

/** Wrap the `Credentials` in the context with {@link cached}. */
export const layerCached = (options: CachedOptions = {}): Layer.Layer<Credentials, never, Credentials> =>
  Layer.effect(Credentials, Effect.flatMap(Credentials, (p) => cached(p, options)))
