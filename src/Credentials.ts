/**
 * Where the secret key comes from.
 *
 * `Credentials` is a service with one method, `get`, which yields a {@link Credential}. Sources:
 * static keys, the environment (optionally assuming `TENCENTCLOUD_ROLE_ARN`), the profile file,
 * STS AssumeRole from any base credential, the CVM instance role (metadata server), TKE OIDC
 * (web identity), and the default chain of them in the official SDKs' order. Temporary keys go
 * through {@link cached}: refreshed ahead of expiry in the background, one refresh for any number
 * of callers, failures backed off and never cached.
 *
 * Sources are lazy: layers never fail to build; a source reads its configuration when `get`
 * runs and fails there. A chain moves on only from a source that is not configured
 * (`CredentialsError.notConfigured`); a source that is configured but broken stops it with an
 * error naming the source and what to do.
 *
 * Secrets are `Redacted` from the moment they are read; no error message contains a secret key,
 * a token or a web identity token.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CredentialsError } from "./Errors.js"
import { cached, type CachedOptions } from "./internal/credentials/cached.js"
import { type CvmRoleOptions, cvmRoleOnce } from "./internal/credentials/cvmRole.js"
import { configuredString, fromProfile, type ProfileOptions } from "./internal/credentials/profile.js"
import { type Credential, Credentials, type CredentialsService, type Source, toEffect } from "./internal/credentials/service.js"
import { type AssumeRoleOptions, assumeRoleOnce, checkRoleOptions, type StsOptions } from "./internal/credentials/sts.js"
import { tkeOidcOnce, type TkeOidcOptions } from "./internal/credentials/tke.js"
import { build, type StaticInput, validate } from "./internal/credentials/validate.js"

export {
  /** Re-exported from `Errors` for convenience. */
  CredentialsError
} from "./Errors.js"
export { cached, type CachedOptions } from "./internal/credentials/cached.js"
export { type CvmRoleOptions, DEFAULT_METADATA_URL } from "./internal/credentials/cvmRole.js"
export { defaultProfilePaths, fromProfile, type IniSection, parseIni, type ProfileOptions } from "./internal/credentials/profile.js"
export { type Credential, Credentials, type CredentialsService, type Source } from "./internal/credentials/service.js"
export type { AssumeRoleOptions, StsOptions } from "./internal/credentials/sts.js"
export type { TkeOidcOptions } from "./internal/credentials/tke.js"
export { type StaticInput, validate } from "./internal/credentials/validate.js"

// -------------------------------------------------------------------------------------------------
// static

const staticService = (input: StaticInput): CredentialsService => {
  const r = validate("static", input)
  if (Either.isLeft(r)) return { get: Effect.fail(r.left) }
  const credential = r.right
  return { get: Effect.succeed(credential), peek: () => credential }
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
const ENV_ROLE_ARN = "TENCENTCLOUD_ROLE_ARN"
const ENV_ROLE_SESSION = "TENCENTCLOUD_ROLE_SESSION_NAME"
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
export const fromEnvironment: Effect.Effect<Credential, CredentialsError> = /*#__PURE__*/ Effect.gen(function* () {
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


/**
 * The environment's key, or — when `TENCENTCLOUD_ROLE_ARN` is set (with
 * `TENCENTCLOUD_ROLE_SESSION_NAME`, default `effect-tencentcloud-<epoch ms>`) — the temporary
 * key of that role, assumed with the environment's key, as tccli does. `sts` says where the
 * AssumeRole call goes.
 */
export const fromEnvironmentRole = (sts: StsOptions = {}): Effect.Effect<Credential, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const provider = "environment"
    const arn = yield* configuredString(ENV_ROLE_ARN)
    const session = yield* configuredString(ENV_ROLE_SESSION)
    if (arn === undefined && session !== undefined) {
      return yield* new CredentialsError({
        provider,
        message: `environment credentials: ${ENV_ROLE_SESSION} is set but ${ENV_ROLE_ARN} is not; set the role to assume, or unset ${ENV_ROLE_SESSION}`
      })
    }
    const key = yield* Effect.catchIf(
      fromEnvironment,
      (e) => e.notConfigured === true && arn !== undefined,
      () => new CredentialsError({ provider, message: `environment credentials: ${ENV_ROLE_ARN} is set but ${ENV_ID} and ${ENV_KEY} are not; set the key that may assume the role` })
    )
    if (arn === undefined) return key
    const invalid = checkRoleOptions(provider, { roleArn: arn, roleSessionName: session }, {
      roleArn: ENV_ROLE_ARN,
      roleSessionName: ENV_ROLE_SESSION,
      durationSeconds: "durationSeconds"
    })
    if (invalid !== undefined) return yield* invalid
    const http = yield* HttpClient.HttpClient
    return yield* assumeRoleOnce({ ...sts, roleArn: arn, roleSessionName: session }, { get: Effect.succeed(key) }, http, provider)
  })

/**
 * The environment source, cached (see {@link cached}): the key is read on the first successful
 * `get` and kept; with `TENCENTCLOUD_ROLE_ARN` the role's temporary key is refreshed before it
 * expires (see {@link fromEnvironmentRole}).
 */
export const makeEnvironment: Effect.Effect<CredentialsService, never, HttpClient.HttpClient> = /*#__PURE__*/ Effect.suspend(() => makeEnvironmentWith())

const makeEnvironmentWith = (options: { readonly sts?: StsOptions | undefined } & CachedOptions = {}) =>
  Effect.flatMap(HttpClient.HttpClient, (http) =>
    cached(Effect.provideService(fromEnvironmentRole(options.sts), HttpClient.HttpClient, http), options))

/** Credentials from the environment (see {@link makeEnvironment}). */
export const layerEnvironment: Layer.Layer<Credentials, never, HttpClient.HttpClient> = /*#__PURE__*/ Layer.effect(Credentials, makeEnvironment)

// -------------------------------------------------------------------------------------------------
// profile file

/** {@link fromProfile}, cached: the file is read on the first successful `get`. */
export const makeProfile = (options: ProfileOptions = {}): Effect.Effect<CredentialsService> =>
  Effect.suspend(() => cached(fromProfile(options)))

/** Credentials from a profile file (cached after the first successful read). */
export const layerProfile = (options: ProfileOptions = {}): Layer.Layer<Credentials> => Layer.effect(Credentials, makeProfile(options))

// -------------------------------------------------------------------------------------------------
// role sources

/**
 * One STS `AssumeRole` call, signed with the `Credentials` in the context (the base credential),
 * over the `HttpClient` in the context. Uncached: see {@link makeAssumeRole}.
 */
export const fromAssumeRole = (options: AssumeRoleOptions): Effect.Effect<Credential, CredentialsError, Credentials | HttpClient.HttpClient> =>
  Effect.flatMap(Effect.all([Credentials, HttpClient.HttpClient]), ([base, http]) => assumeRoleOnce(options, base, http))

/** STS AssumeRole with the base credential from the context, cached and refreshed before expiry. */
export const makeAssumeRole = (
  options: AssumeRoleOptions & CachedOptions
): Effect.Effect<CredentialsService, never, Credentials | HttpClient.HttpClient> =>
  Effect.flatMap(Effect.all([Credentials, HttpClient.HttpClient]), ([base, http]) => cached(assumeRoleOnce(options, base, http), options))

/**
 * The temporary key of a role, assumed with the `Credentials` this layer is given.
 *
 * @example
 * ```ts
 * Credentials.layerAssumeRole({ roleArn: "qcs::cam::uin/100000000001:roleName/app" }).pipe(
 *   Layer.provide(Credentials.layerEnvironment) // the key that may assume the role
 * )
 * ```
 */
export const layerAssumeRole = (
  options: AssumeRoleOptions & CachedOptions
): Layer.Layer<Credentials, never, Credentials | HttpClient.HttpClient> => Layer.effect(Credentials, makeAssumeRole(options))

/** One fetch of the CVM instance role's temporary key from the metadata server. Uncached. */
export const fromCvmRole = (options: CvmRoleOptions = {}): Effect.Effect<Credential, CredentialsError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (http) => cvmRoleOnce(options, http))

/** The CVM instance role, cached and refreshed before expiry. */
export const makeCvmRole = (options: CvmRoleOptions & CachedOptions = {}): Effect.Effect<CredentialsService, never, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (http) => cached(cvmRoleOnce(options, http), options))

/** The CVM instance role as a layer (see {@link makeCvmRole}). */
export const layerCvmRole = (options: CvmRoleOptions & CachedOptions = {}): Layer.Layer<Credentials, never, HttpClient.HttpClient> =>
  Layer.effect(Credentials, makeCvmRole(options))

/** One TKE OIDC exchange (`AssumeRoleWithWebIdentity`, unsigned), the token file read now. Uncached. */
export const fromTkeOidc = (options: TkeOidcOptions = {}): Effect.Effect<Credential, CredentialsError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (http) => tkeOidcOnce(options, http))

/** TKE OIDC, cached; every refresh reads the (rotating) token file again. */
export const makeTkeOidc = (options: TkeOidcOptions & CachedOptions = {}): Effect.Effect<CredentialsService, never, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (http) => cached(tkeOidcOnce(options, http), options))

/** TKE OIDC as a layer (see {@link makeTkeOidc}). */
export const layerTkeOidc = (options: TkeOidcOptions & CachedOptions = {}): Layer.Layer<Credentials, never, HttpClient.HttpClient> =>
  Layer.effect(Credentials, makeTkeOidc(options))

// -------------------------------------------------------------------------------------------------
// chains

const noneFound = (tried: ReadonlyArray<string>) =>
  new CredentialsError({
    provider: "chain",
    notConfigured: true,
    message: `no credentials found; tried ${tried.length === 0 ? "no sources" : tried.join("; ")}. Set ${ENV_ID} and ${ENV_KEY}, or write ~/.tencentcloud/credentials with a [default] profile (secret_id = ..., secret_key = ...), or provide Credentials.layerStatic(...)`
  })

/** The first source that is configured, with its index. */
const firstConfigured = (sources: ReadonlyArray<Source>): Effect.Effect<readonly [Credential, number], CredentialsError> =>
  Effect.gen(function* () {
    const tried: Array<string> = []
    for (let i = 0; i < sources.length; i++) {
      const r = yield* Effect.either(toEffect(sources[i]))
      if (Either.isRight(r)) return [r.right, i] as const
      if (r.left.notConfigured !== true) return yield* r.left
      tried.push(r.left.message)
    }
    return yield* noneFound(tried)
  })

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
  Effect.map(firstConfigured(sources), ([c]) => c)

/** Environment then profile file, uncached (the sources that need no network; see {@link make} for the full chain). */
export const defaultChain: Effect.Effect<Credential, CredentialsError> = /*#__PURE__*/ chain(fromEnvironment, /*#__PURE__*/ fromProfile())

/** Options of the default chain. */
export interface DefaultOptions extends ProfileOptions, CachedOptions {
  /** Where the STS calls of the environment's role and of TKE OIDC go (region, endpoint, client options). */
  readonly sts?: StsOptions | undefined
  /** Options of the CVM instance role (role name, metadata URL, timeout); `false` leaves it out. */
  readonly cvmRole?: CvmRoleOptions | false | undefined
  /** Options of TKE OIDC (instead of the `TKE_*` variables; its STS endpoint comes from `sts`); `false` leaves it out. */
  readonly tkeOidc?: Omit<TkeOidcOptions, "endpoint" | "client"> | false | undefined
}

/**
 * The default chain, in the official SDKs' order: environment (with `TENCENTCLOUD_ROLE_ARN`, the
 * role assumed with that key) → profile file → CVM instance role → TKE OIDC. It moves on only
 * from a source that is not configured (no variables, no file, no metadata server or no role
 * bound, no `TKE_*` variables) and stops at a configured source that is broken.
 *
 * The first source that yields a credential is kept for the life of the service; each source is
 * cached on its own, so a role's temporary key is refreshed before it expires.
 */
export const make = (options: DefaultOptions = {}): Effect.Effect<CredentialsService, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const sources: Array<CredentialsService> = [
      yield* makeEnvironmentWith(options),
      yield* cached(fromProfile(options), options)
    ]
    if (options.cvmRole !== false) sources.push(yield* cached(cvmRoleOnce(options.cvmRole ?? {}, http), options))
    if (options.tkeOidc !== false) sources.push(yield* cached(tkeOidcOnce({ ...options.sts, region: undefined, ...options.tkeOidc }, http), options))
    let chosen: CredentialsService | undefined
    const get = Effect.suspend(() =>
      chosen !== undefined
        ? chosen.get
        : Effect.map(firstConfigured(sources), ([c, i]) => {
          chosen = sources[i]
          return c
        })
    )
    // once a source is chosen, its cached credential is at hand for the engine's fused attempt
    return { get, peek: (now: number) => chosen?.peek?.(now) }
  })

/** The default chain as a layer (see {@link make}). Never fails to build. */
export const layer = (options: DefaultOptions = {}): Layer.Layer<Credentials, never, HttpClient.HttpClient> => Layer.effect(Credentials, make(options))

/** The default chain with default options: `layer()`. */
export const layerDefault: Layer.Layer<Credentials, never, HttpClient.HttpClient> = /*#__PURE__*/ layer()

/** @deprecated Use {@link make}. */
export const makeDefault = make

/** @deprecated Use {@link layer}. */
export const layerDefaultWith = layer

// -------------------------------------------------------------------------------------------------
// Config

/** What {@link layerConfig} reads: a key, optionally the role it assumes. */
export interface ConfigInput extends StaticInput {
  /** Assume this role with the key (STS AssumeRole). */
  readonly roleArn?: string | undefined
  readonly roleSessionName?: string | undefined
  readonly durationSeconds?: number | undefined
}

/**
 * Credentials from `Config` values you choose, read on the first `get` (a missing or invalid
 * value fails `get` with a `CredentialsError` naming it). With `roleArn`, the key assumes that
 * role and the role's temporary key is used, refreshed before it expires.
 *
 * @example
 * ```ts
 * Credentials.layerConfig({
 *   secretId: Config.string("APP_TC_ID"),
 *   secretKey: Config.redacted("APP_TC_KEY"),
 *   roleArn: Config.string("APP_TC_ROLE").pipe(Config.withDefault(undefined))
 * })
 * ```
 */
export const layerConfig = (
  config: Config.Config.Wrap<ConfigInput>,
  options: { readonly sts?: StsOptions | undefined } & CachedOptions = {}
): Layer.Layer<Credentials, never, HttpClient.HttpClient> =>
  Layer.effect(
    Credentials,
    Effect.gen(function* () {
      const http = yield* HttpClient.HttpClient
      const read = Effect.gen(function* () {
        const input = yield* Effect.mapError(
          Config.unwrap(config),
          (cause) => new CredentialsError({ provider: "config", cause, message: `config credentials: ${String(cause)}; set the variable or fix its value` })
        )
        const key = validate("config", input)
        if (Either.isLeft(key)) return yield* key.left
        if (input.roleArn === undefined) return key.right
        return yield* assumeRoleOnce({ ...options.sts, ...input, roleArn: input.roleArn }, { get: Effect.succeed(key.right) }, http, "config")
      })
      return yield* cached(read, options)
    })
  )

/** Wrap the `Credentials` in the context with {@link cached}. */
export const layerCached = (options: CachedOptions = {}): Layer.Layer<Credentials, never, Credentials> =>
  Layer.effect(Credentials, Effect.flatMap(Credentials, (p) => cached(p, options)))
