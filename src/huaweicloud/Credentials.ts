/**
 * Huawei Cloud credentials: an AK/SK (long-term or temporary with a security token) with, for
 * regional services, a project id (`basic`) or, for global services (IAM, BSS, ...), a domain id
 * (`global`). When the id is not given the client discovers it through IAM (cached per AK and
 * region). Sources, as in the Huawei SDK:
 *
 * - {@link basic} / {@link global}: from code.
 * - {@link fromEnvironment}: `HUAWEICLOUD_SDK_AK`, `_SK`, `_SECURITY_TOKEN`, `_PROJECT_ID`,
 *   `_DOMAIN_ID`, `_IAM_ENDPOINT`, and `_IDP_ID` + `_ID_TOKEN_FILE` (which win: federation).
 * - {@link fromProfile}: `~/.huaweicloud/credentials` or `HUAWEICLOUD_SDK_CREDENTIALS_FILE`,
 *   sections `[basic]` / `[global]`, keys `ak, sk, security_token, project_id, domain_id,
 *   iam_endpoint, idp_id, id_token_file`.
 * - {@link fromMetadata}: temporary keys of the ECS instance's agency (metadata service).
 * - {@link fromFederated}: an OIDC id token file exchanged at IAM for temporary keys.
 * - {@link chain} and {@link layerDefault}: environment, profile, metadata, in the SDK's order.
 *
 * Every source that can expire goes through the core's `Credentials.cached` (one refresh at a time
 * for all callers), refreshed 40 minutes before expiry as the SDK does. The service has the shape
 * of the core's `Credentials`, under its own tag {@link HuaweiCredentials}.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Core from "../Credentials.js"
import { CredentialsError } from "../Errors.js"
import { federatedKeys, type FederatedOptions, metadataKeys, type MetadataOptions, type TemporaryKeys } from "./internal/fetchKeys.js"

export type { FederatedOptions, MetadataOptions } from "./internal/fetchKeys.js"

/** `basic`: regional services (project id); `global`: global services (domain id). */
export type Kind = "basic" | "global"

/** A Huawei credential: the core's credential (AK as `secretId`, SK, token) plus Huawei's ids. */
export interface HuaweiCredential extends Core.Credential {
  readonly kind: Kind
  readonly projectId?: string | undefined
  readonly domainId?: string | undefined
  /** Where project/domain ids are discovered (and federation happens). */
  readonly iamEndpoint?: string | undefined
}

/** The credentials service. */
export interface HuaweiCredentialsService {
  readonly get: Effect.Effect<HuaweiCredential, CredentialsError>
}

/** The Huawei Cloud credentials in the context. */
export class HuaweiCredentials extends Context.Tag("effect-tencentcloud/huaweicloud/Credentials")<HuaweiCredentials, HuaweiCredentialsService>() {}

/** What {@link basic} and {@link global} take. */
export interface KeyInput {
  readonly ak: string | Redacted.Redacted<string>
  readonly sk: string | Redacted.Redacted<string>
  readonly securityToken?: string | Redacted.Redacted<string> | undefined
  readonly projectId?: string | undefined
  readonly domainId?: string | undefined
  readonly iamEndpoint?: string | undefined
  readonly expiresAt?: number | undefined
}

const reveal = (v: string | Redacted.Redacted<string>): string => (typeof v === "string" ? v : Redacted.value(v))

/** Check a key and build the credential, or say what is missing. */
export const validate = (provider: string, kind: Kind, input: KeyInput): Either.Either<HuaweiCredential, CredentialsError> => {
  const ak = reveal(input.ak).trim()
  const sk = reveal(input.sk).trim()
  if (ak === "" || sk === "") {
    return Either.left(new CredentialsError({ provider, notConfigured: ak === "" && sk === "", message: `${provider}: ${ak === "" ? "the AK" : "the SK"} is empty; set both the AK and the SK` }))
  }
  if (/\s/.test(ak)) return Either.left(new CredentialsError({ provider, message: `${provider}: the AK contains whitespace; copy it again from the console` }))
  const token = input.securityToken === undefined ? "" : reveal(input.securityToken).trim()
  return Either.right({
    kind,
    secretId: ak,
    secretKey: Redacted.make(sk),
    token: token === "" ? undefined : Redacted.make(token),
    expiresAt: input.expiresAt,
    projectId: kind === "basic" && input.projectId ? input.projectId : undefined,
    domainId: input.domainId ? input.domainId : undefined,
    iamEndpoint: input.iamEndpoint ? input.iamEndpoint : undefined
  })
}

const fixed = (provider: string, kind: Kind, input: KeyInput): HuaweiCredentialsService => {
  const v = validate(provider, kind, input)
  return { get: Either.isRight(v) ? Effect.succeed(v.right) : Effect.fail(v.left) }
}

/** A regional-service key (project id optional: discovered through IAM when absent). */
export const basic = (input: KeyInput): HuaweiCredentialsService => fixed("huaweicloud basic", "basic", input)
/** A global-service key (domain id optional: discovered through IAM when absent). */
export const global = (input: KeyInput): HuaweiCredentialsService => fixed("huaweicloud global", "global", input)

/** {@link basic} as a layer. */
export const layerBasic = (input: KeyInput): Layer.Layer<HuaweiCredentials> => Layer.succeed(HuaweiCredentials, basic(input))
/** {@link global} as a layer. */
export const layerGlobal = (input: KeyInput): Layer.Layer<HuaweiCredentials> => Layer.succeed(HuaweiCredentials, global(input))

// -------------------------------------------------------------------------------------------------
// sources that may expire

const fromKeys = (provider: string, kind: Kind, keys: TemporaryKeys, extra: Partial<KeyInput>): Effect.Effect<HuaweiCredential, CredentialsError> => {
  const v = validate(provider, kind, { ...extra, ak: keys.accessKey, sk: keys.secretKey, securityToken: keys.securityToken, expiresAt: keys.expiresAt })
  return Either.isRight(v) ? Effect.succeed(v.right) : Effect.fail(v.left)
}

/** One fetch of the instance's temporary keys (uncached; see {@link makeMetadata}). */
export const fromMetadata = (
  options: MetadataOptions & { readonly kind?: Kind | undefined; readonly projectId?: string; readonly domainId?: string } = {}
): Effect.Effect<HuaweiCredential, CredentialsError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (http) =>
    Effect.flatMap(metadataKeys(http, options), (k) => fromKeys("huaweicloud metadata", options.kind ?? "basic", k, options)))

/** One federation with an id token file (uncached; see {@link makeFederated}). */
export const fromFederated = (
  options: FederatedOptions & { readonly kind?: Kind | undefined; readonly projectId?: string; readonly domainId?: string }
): Effect.Effect<HuaweiCredential, CredentialsError, HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (http) =>
    Effect.flatMap(federatedKeys(http, options), (k) => fromKeys("huaweicloud federated", options.kind ?? "basic", k, options)))

/** The SDK's refresh margin: 40 minutes before expiry. */
export const REFRESH_BEFORE: Duration.Duration = Duration.minutes(40)

/** Cache a source with the core's single-flight refresh (40 minutes before expiry by default). */
export const cached = <R>(
  source: Effect.Effect<HuaweiCredential, CredentialsError, R>,
  options: Core.CachedOptions = {}
): Effect.Effect<HuaweiCredentialsService, never, R> =>
  Effect.flatMap(Effect.context<R>(), (ctx) =>
    Effect.map(
      Core.cached(Effect.provide(source, ctx), { refreshBefore: options.refreshBefore ?? REFRESH_BEFORE }),
      (s) => s as unknown as HuaweiCredentialsService
    ))

/** The metadata source, cached and refreshed. */
export const makeMetadata = (options: MetadataOptions & { readonly kind?: Kind | undefined } = {}) => cached(fromMetadata(options))
/** The federated source, cached and refreshed (the token file is read again on every refresh). */
export const makeFederated = (options: FederatedOptions & { readonly kind?: Kind | undefined }) => cached(fromFederated(options))

/** The metadata source as a layer. */
export const layerMetadata = (options: MetadataOptions & { readonly kind?: Kind | undefined } = {}): Layer.Layer<HuaweiCredentials, never, HttpClient.HttpClient> =>
  Layer.effect(HuaweiCredentials, makeMetadata(options))
/** The federated source as a layer. */
export const layerFederated = (options: FederatedOptions & { readonly kind?: Kind | undefined }): Layer.Layer<HuaweiCredentials, never, HttpClient.HttpClient> =>
  Layer.effect(HuaweiCredentials, makeFederated(options))

// -------------------------------------------------------------------------------------------------
// environment and profile

const env = (name: string) => Effect.map(Effect.orElseSucceed(Config.option(Config.string(name)), () => Option.none<string>()), (o) => Option.getOrUndefined(Option.filter(o, (s) => s.trim() !== "")))

/** What a key set (environment or profile section) says, before any network call. */
interface Settings {
  readonly ak?: string | undefined
  readonly sk?: string | undefined
  readonly securityToken?: string | undefined
  readonly projectId?: string | undefined
  readonly domainId?: string | undefined
  readonly iamEndpoint?: string | undefined
  readonly idpId?: string | undefined
  readonly idTokenFile?: string | undefined
}

const fromSettings = (provider: string, kind: Kind, s: Settings, where: string): Effect.Effect<HuaweiCredential, CredentialsError, HttpClient.HttpClient> => {
  if (s.idpId !== undefined && s.idTokenFile !== undefined) {
    return fromFederated({ kind, idpId: s.idpId, idTokenFile: s.idTokenFile, iamEndpoint: s.iamEndpoint, projectId: s.projectId, domainId: s.domainId })
  }
  if (s.ak === undefined && s.sk === undefined) {
    return Effect.fail(new CredentialsError({ provider, notConfigured: true, message: `${provider}: no AK/SK nor identity provider in ${where}` }))
  }
  const v = validate(provider, kind, { ak: s.ak ?? "", sk: s.sk ?? "", securityToken: s.securityToken, projectId: s.projectId, domainId: s.domainId, iamEndpoint: s.iamEndpoint })
  return Either.isRight(v) ? Effect.succeed(v.right) : Effect.fail(v.left)
}

/** The environment's key (read through `Config`): AK/SK, or an identity provider and token file. */
export const fromEnvironment = (kind: Kind = "basic"): Effect.Effect<HuaweiCredential, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const s: Settings = {
      ak: yield* env("HUAWEICLOUD_SDK_AK"),
      sk: yield* env("HUAWEICLOUD_SDK_SK"),
      securityToken: yield* env("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
      projectId: yield* env("HUAWEICLOUD_SDK_PROJECT_ID"),
      domainId: yield* env("HUAWEICLOUD_SDK_DOMAIN_ID"),
      iamEndpoint: yield* env("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
      idpId: yield* env("HUAWEICLOUD_SDK_IDP_ID"),
      idTokenFile: yield* env("HUAWEICLOUD_SDK_ID_TOKEN_FILE")
    }
    return yield* fromSettings("huaweicloud environment", kind, s, "HUAWEICLOUD_SDK_* variables")
  })

/** Options of {@link fromProfile}. */
export interface ProfileOptions {
  /** The file; default `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`. */
  readonly file?: string | undefined
  /** `basic` reads `[basic]`, `global` reads `[global]`. */
  readonly kind?: Kind | undefined
}

/** The key in the profile file's `[basic]` or `[global]` section. */
export const fromProfile = (options: ProfileOptions = {}): Effect.Effect<HuaweiCredential, CredentialsError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const provider = "huaweicloud profile"
    const kind = options.kind ?? "basic"
    const file = options.file ?? (yield* env("HUAWEICLOUD_SDK_CREDENTIALS_FILE")) ??
      (yield* Effect.promise(() => import("node:os").then((os) => `${os.homedir()}/.huaweicloud/credentials`).catch(() => "")))
    const text = yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.readFile(file, "utf8")).catch(() => undefined))
    if (text === undefined) return yield* new CredentialsError({ provider, file, notConfigured: true, message: `${provider}: ${file} does not exist or cannot be read` })
    const sections = yield* Core.parseIni(text, file)
    const section = sections.get(kind)
    if (section === undefined) return yield* new CredentialsError({ provider, file, notConfigured: true, message: `${provider}: ${file} has no [${kind}] section` })
    const get = (k: string) => {
      const v = section.values.get(k)?.value
      return v === undefined || v === "" ? undefined : v
    }
    const s: Settings = {
      ak: get("ak"), sk: get("sk"), securityToken: get("security_token"), projectId: get("project_id"), domainId: get("domain_id"),
      iamEndpoint: get("iam_endpoint"), idpId: get("idp_id"), idTokenFile: get("id_token_file")
    }
    return yield* fromSettings(provider, kind, s, `${file} [${kind}]`)
  })

/** The first source that is configured; errors of configured sources stop the chain. */
export const chain = <R>(
  ...sources: ReadonlyArray<Effect.Effect<HuaweiCredential, CredentialsError, R>>
): Effect.Effect<HuaweiCredential, CredentialsError, R> =>
  Effect.suspend(() => {
    const reasons: Array<string> = []
    const go = (i: number): Effect.Effect<HuaweiCredential, CredentialsError, R> =>
      i >= sources.length
        ? Effect.fail(new CredentialsError({ provider: "huaweicloud chain", message: `Failed to get credentials from provider chain:\n${reasons.join("\n")}` }))
        : Effect.catchAll(sources[i], (e) => {
          reasons.push(`- ${e.message}`)
          return e.notConfigured === true ? go(i + 1) : Effect.fail(e)
        })
    return go(0)
  })

/** Options of the default chain. */
export interface DefaultOptions {
  readonly kind?: Kind | undefined
  readonly profile?: ProfileOptions | undefined
  /** The metadata service; `false` leaves it out. */
  readonly metadata?: MetadataOptions | false | undefined
}

/** Environment, then profile file, then the ECS metadata service (the SDK's order), cached. */
export const makeDefault = (options: DefaultOptions = {}): Effect.Effect<HuaweiCredentialsService, never, HttpClient.HttpClient> => {
  const kind = options.kind ?? "basic"
  const metadata = options.metadata === false
    ? []
    : [Effect.mapError(fromMetadata({ ...options.metadata, kind }), (e) => new CredentialsError({ provider: e.provider, message: e.message, notConfigured: true }))]
  return cached(chain(fromEnvironment(kind), fromProfile({ kind, ...options.profile }), ...metadata))
}

/** The default chain as a layer. */
export const layerDefault: Layer.Layer<HuaweiCredentials, never, HttpClient.HttpClient> = Layer.effect(HuaweiCredentials, makeDefault())

/** The default chain with options, as a layer. */
export const layerDefaultWith = (options: DefaultOptions): Layer.Layer<HuaweiCredentials, never, HttpClient.HttpClient> =>
  Layer.effect(HuaweiCredentials, makeDefault(options))

/** The environment source as a layer (cached: federation refreshes). */
export const layerEnvironment = (kind: Kind = "basic"): Layer.Layer<HuaweiCredentials, never, HttpClient.HttpClient> =>
  Layer.effect(HuaweiCredentials, cached(fromEnvironment(kind)))

/** The profile source as a layer (cached). */
export const layerProfile = (options: ProfileOptions = {}): Layer.Layer<HuaweiCredentials, never, HttpClient.HttpClient> =>
  Layer.effect(HuaweiCredentials, cached(fromProfile(options)))
