/**
 * Where the secret key comes from.
 *
 * `Credentials` is a service with one method, `get`, which yields a {@link Credential}. Providers:
 * static, environment, profile file, the default chain (environment → profile file), and
 * {@link cached}, a wrapper for expiring (temporary) credentials that refreshes before expiry
 * with a single request in flight.
 *
 * Providers are lazy: they read their source when `get` runs, so a chain can move on from a
 * source that is not configured. A source that is configured but broken stops the chain with an
 * error naming the source, the file and the line.
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
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CredentialsError } from "./Errors.js"

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

// -------------------------------------------------------------------------------------------------
// static

/** Input of {@link makeStatic}: plain strings or `Redacted`. */
export interface StaticInput {
  readonly secretId: string
  readonly secretKey: string | Redacted.Redacted<string>
  readonly token?: string | Redacted.Redacted<string> | undefined
  readonly expiresAt?: number | undefined
}

const reveal = (v: string | Redacted.Redacted<string>): string => (typeof v === "string" ? v : Redacted.value(v))

const checkValue = (provider: string, field: string, value: string, where?: { file?: string; line?: number }) => {
  if (value === "") {
    return Either.left(
      new CredentialsError({
        provider,
        file: where?.file,
        line: where?.line,
        message: `${provider} credentials: ${field} is empty${where?.file ? ` (${where.file}${where.line ? `:${where.line}` : ""})` : ""}; set it to the value shown in the CAM console (API keys)`
      })
    )
  }
  if (value.trim() !== value) {
    return Either.left(
      new CredentialsError({
        provider,
        file: where?.file,
        line: where?.line,
        message: `${provider} credentials: ${field} has leading or trailing whitespace${where?.file ? ` (${where.file}${where.line ? `:${where.line}` : ""})` : ""}; remove it (a copy-paste of the key often adds a space or newline)`
      })
    )
  }
  return Either.right(value)
}

/** Validate and build a credential; empty or padded values are rejected, naming the field (never the value). */
export const validate = (
  provider: string,
  input: StaticInput,
  where?: { file?: string; line?: number }
): Either.Either<Credential, CredentialsError> => {
  const id = checkValue(provider, "secretId", input.secretId, where)
  if (Either.isLeft(id)) return Either.left(id.left)
  const key = checkValue(provider, "secretKey", reveal(input.secretKey), where)
  if (Either.isLeft(key)) return Either.left(key.left)
  let token: Redacted.Redacted<string> | undefined
  if (input.token !== undefined && reveal(input.token) !== "") {
    const t = checkValue(provider, "token", reveal(input.token), where)
    if (Either.isLeft(t)) return Either.left(t.left)
    token = Redacted.make(t.right)
  }
  return Either.right({
    secretId: id.right,
    secretKey: typeof input.secretKey === "string" ? Redacted.make(input.secretKey) : input.secretKey,
    token,
    expiresAt: input.expiresAt
  })
}

/** A provider of fixed credentials. */
export const makeStatic = (input: StaticInput): CredentialsService => {
  const r = validate("static", input)
  return { get: Either.isRight(r) ? Effect.succeed(r.right) : Effect.fail(r.left) }
}

/** A layer of fixed credentials. */
export const layerStatic = (input: StaticInput): Layer.Layer<Credentials> => Layer.succeed(Credentials, makeStatic(input))

// -------------------------------------------------------------------------------------------------
// environment

/** Read `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN` through `Config`. */
export const fromEnvironment: Effect.Effect<Credential, CredentialsError> = Effect.gen(function* () {
  const read = (name: string) =>
    Config.option(Config.string(name)).pipe(
      Effect.mapError((cause) => new CredentialsError({ provider: "environment", cause, message: `environment credentials: ${name} could not be read` }))
    )
  const id = yield* read("TENCENTCLOUD_SECRET_ID")
  const key = yield* Config.option(Config.redacted("TENCENTCLOUD_SECRET_KEY")).pipe(
    Effect.mapError((cause) => new CredentialsError({ provider: "environment", cause, message: "environment credentials: TENCENTCLOUD_SECRET_KEY could not be read" }))
  )
  const token = yield* Config.option(Config.redacted("TENCENTCLOUD_SESSION_TOKEN")).pipe(Effect.orElseSucceed(() => Option.none()))
  if (Option.isNone(id) && Option.isNone(key)) {
    return yield* Effect.fail(
      new CredentialsError({ provider: "environment", notConfigured: true, message: "environment credentials: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set" })
    )
  }
  if (Option.isNone(id) || Option.isNone(key)) {
    const missing = Option.isNone(id) ? "TENCENTCLOUD_SECRET_ID" : "TENCENTCLOUD_SECRET_KEY"
    return yield* Effect.fail(
      new CredentialsError({ provider: "environment", message: `environment credentials: ${missing} is not set while the other half of the key pair is; set both or neither` })
    )
  }
  const r = validate("environment", { secretId: id.value, secretKey: key.value, token: Option.getOrUndefined(token) })
  return Either.isRight(r) ? r.right : yield* Effect.fail(r.left)
})

/** Credentials from the environment. */
export const layerEnvironment: Layer.Layer<Credentials> = Layer.succeed(Credentials, { get: fromEnvironment })

// -------------------------------------------------------------------------------------------------
// profile file

/** One parsed INI section. */
export interface IniSection {
  readonly name: string
  readonly line: number
  readonly values: ReadonlyMap<string, { readonly value: string; readonly line: number }>
}

/**
 * Parse the credentials INI file: `[section]` headers, `key = value` lines, `#` and `;` comment
 * lines, values trimmed. A malformed line fails with its file and line number.
 */
export const parseIni = (text: string, file: string): Either.Either<ReadonlyMap<string, IniSection>, CredentialsError> => {
  const sections = new Map<string, { name: string; line: number; values: Map<string, { value: string; line: number }> }>()
  let current: { name: string; line: number; values: Map<string, { value: string; line: number }> } | undefined
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const line = lines[i].trim()
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue
    const header = /^\[\s*([^\]]*?)\s*\]$/.exec(line)
    if (header) {
      if (header[1] === "") {
        return Either.left(new CredentialsError({ provider: "profile", file, line: lineNo, message: `profile file ${file}:${lineNo}: empty section name "[]"; name the profile, e.g. [default]` }))
      }
      current = sections.get(header[1]) ?? { name: header[1], line: lineNo, values: new Map() }
      sections.set(header[1], current)
      continue
    }
    const eq = line.indexOf("=")
    if (eq <= 0) {
      return Either.left(
        new CredentialsError({ provider: "profile", file, line: lineNo, message: `profile file ${file}:${lineNo}: expected "key = value" or "[profile]"; fix or comment out the line with #` })
      )
    }
    if (current === undefined) {
      return Either.left(
        new CredentialsError({ provider: "profile", file, line: lineNo, message: `profile file ${file}:${lineNo}: a value before any [profile] header; put it under [default]` })
      )
    }
    current.values.set(line.slice(0, eq).trim(), { value: line.slice(eq + 1).trim(), line: lineNo })
  }
  return Either.right(sections)
}

/** Options of the profile-file provider. */
export interface ProfileOptions {
  /** The file; default `TENCENTCLOUD_CREDENTIALS_FILE`, else `~/.tencentcloud/credentials`, else `/etc/tencentcloud/credentials`. */
  readonly file?: string | undefined
  /** The profile; default `TENCENTCLOUD_PROFILE`, else `default`. */
  readonly profile?: string | undefined
}

const readFileText = (file: string) =>
  Effect.tryPromise({
    try: async () => {
      const fs = await import("node:fs/promises")
      return await fs.readFile(file, "utf8")
    },
    catch: (e) => e as NodeJS.ErrnoException
  })

/** Read credentials from a profile file (see {@link ProfileOptions}). */
export const fromProfile = (options: ProfileOptions = {}): Effect.Effect<Credential, CredentialsError> =>
  Effect.gen(function* () {
    const envFile = yield* Config.option(Config.string("TENCENTCLOUD_CREDENTIALS_FILE")).pipe(Effect.orElseSucceed(() => Option.none()))
    const envProfile = yield* Config.option(Config.string("TENCENTCLOUD_PROFILE")).pipe(Effect.orElseSucceed(() => Option.none()))
    const home = yield* Config.option(Config.string("HOME")).pipe(Effect.orElseSucceed(() => Option.none()))
    const profile = options.profile ?? Option.getOrUndefined(envProfile) ?? "default"
    const explicit = options.file ?? Option.getOrUndefined(envFile)
    const candidates = explicit !== undefined
      ? [explicit]
      : [...(Option.isSome(home) ? [`${home.value}/.tencentcloud/credentials`] : []), "/etc/tencentcloud/credentials"]
    for (const file of candidates) {
      const read = yield* Effect.either(readFileText(file))
      if (Either.isLeft(read)) {
        const code = read.left?.code
        if (code === "ENOENT" && explicit === undefined) continue
        if (code === "ENOENT") {
          return yield* Effect.fail(
            new CredentialsError({ provider: "profile", file, message: `profile file ${file} does not exist (named by TENCENTCLOUD_CREDENTIALS_FILE or the file option); create it or unset the variable` })
          )
        }
        return yield* Effect.fail(
          new CredentialsError({
            provider: "profile",
            file,
            cause: read.left,
            message: `profile file ${file} cannot be read (${code ?? String(read.left)}); check its permissions and that it is a file`
          })
        )
      }
      const parsed = parseIni(read.right, file)
      if (Either.isLeft(parsed)) return yield* Effect.fail(parsed.left)
      const section = parsed.right.get(profile)
      if (section === undefined) {
        return yield* Effect.fail(
          new CredentialsError({ provider: "profile", file, message: `profile file ${file} has no [${profile}] profile; add it or choose another profile (TENCENTCLOUD_PROFILE)` })
        )
      }
      const id = section.values.get("secret_id")
      const key = section.values.get("secret_key")
      if (id === undefined || key === undefined) {
        const missing = id === undefined ? "secret_id" : "secret_key"
        return yield* Effect.fail(
          new CredentialsError({ provider: "profile", file, line: section.line, message: `profile file ${file}:${section.line}: [${profile}] has no ${missing}; add "${missing} = ..."` })
        )
      }
      const token = section.values.get("token")
      const r = validate(
        "profile",
        { secretId: id.value, secretKey: key.value, token: token?.value },
        { file, line: id.value === "" ? id.line : key.line }
      )
      return Either.isRight(r) ? r.right : yield* Effect.fail(r.left)
    }
    return yield* Effect.fail(
      new CredentialsError({ provider: "profile", notConfigured: true, message: `no profile file found (tried ${candidates.join(", ")})` })
    )
  })

/** Credentials from a profile file. */
export const layerProfile = (options: ProfileOptions = {}): Layer.Layer<Credentials> =>
  Layer.succeed(Credentials, { get: fromProfile(options) })

// -------------------------------------------------------------------------------------------------
// chain

/**
 * Try sources in order; move on only when a source is not configured. A configured but broken
 * source stops the chain with its error. When none is configured, one error lists what was tried.
 */
export const chain = (...sources: ReadonlyArray<Effect.Effect<Credential, CredentialsError>>): Effect.Effect<Credential, CredentialsError> =>
  Effect.gen(function* () {
    const tried: Array<string> = []
    for (const source of sources) {
      const r = yield* Effect.either(source)
      if (Either.isRight(r)) return r.right
      if (!r.left.notConfigured) return yield* Effect.fail(r.left)
      tried.push(r.left.message)
    }
    return yield* Effect.fail(
      new CredentialsError({
        provider: "chain",
        notConfigured: true,
        message: `no credentials found: ${tried.join("; ")}. Set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or write ~/.tencentcloud/credentials with a [default] profile (secret_id, secret_key)`
      })
    )
  })

/** The default chain: environment, then profile file. */
export const defaultChain: Effect.Effect<Credential, CredentialsError> = chain(fromEnvironment, fromProfile())

/** The default chain as a layer (its result is cached: sources are read once). */
export const layerDefault: Layer.Layer<Credentials> = Layer.effect(
  Credentials,
  Effect.map(Effect.cachedFunction(() => defaultChain), (get) => ({ get: get(undefined) }))
)

// -------------------------------------------------------------------------------------------------
// caching

/** Options of {@link cached}. */
export interface CachedOptions {
  /** Refresh this long before `expiresAt` (default 5 minutes). */
  readonly refreshBefore?: Duration.DurationInput | undefined
}

type CacheState =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Ready"; readonly credential: Credential }

/**
 * Cache a provider of expiring credentials. A credential is served while
 * `now < expiresAt - refreshBefore`; after that, one refresh runs for any number of concurrent
 * callers. A failed refresh is not cached (the next `get` tries again); while the last good
 * credential is still valid (`now < expiresAt`) it is returned instead of the failure. A
 * credential without `expiresAt` is cached forever.
 */
export const cached = (provider: CredentialsService, options: CachedOptions = {}): Effect.Effect<CredentialsService> =>
  Effect.sync(() => {
    const margin = Duration.toMillis(Duration.decode(options.refreshBefore ?? "5 minutes"))
    let state: CacheState = { _tag: "Empty" }
    let inflight: Deferred.Deferred<Credential, CredentialsError> | undefined
    const fresh = (c: Credential, now: number) => c.expiresAt === undefined || now < c.expiresAt - margin
    const valid = (c: Credential, now: number) => c.expiresAt === undefined || now < c.expiresAt
    const refresh = (now: number): Effect.Effect<Credential, CredentialsError> =>
      Effect.suspend(() => {
        if (inflight !== undefined) return Deferred.await(inflight)
        const d = Deferred.unsafeMake<Credential, CredentialsError>(undefined as any)
        inflight = d
        return provider.get.pipe(
          Effect.tap((c) =>
            Effect.sync(() => {
              state = { _tag: "Ready", credential: c }
            })
          ),
          Effect.exit,
          Effect.flatMap((exit) =>
            Effect.zipRight(
              Effect.sync(() => {
                inflight = undefined
              }),
              Effect.zipRight(Deferred.done(d, exit), exit)
            )
          ),
          Effect.catchAll((e) => {
            const s = state
            return s._tag === "Ready" && valid(s.credential, now) ? Effect.succeed(s.credential) : Effect.fail(e)
          }),
          Effect.uninterruptible
        )
      })
    const get = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const s = state
      if (s._tag === "Ready" && fresh(s.credential, now)) return Effect.succeed(s.credential)
      return Effect.catchAll(refresh(now), (e) =>
        s._tag === "Ready" && valid(s.credential, now) ? Effect.succeed(s.credential) : Effect.fail(e)
      )
    })
    return { get }
  })

/** Wrap the `Credentials` in the context with {@link cached}. */
export const layerCached = (options: CachedOptions = {}): Layer.Layer<Credentials, never, Credentials> =>
  Layer.effect(Credentials, Effect.flatMap(Credentials, (p) => cached(p, options)))
