/**
 * STS AssumeRole as a credential source: the base credential (any `Credentials` service) signs an
 * `AssumeRole` call made through the generated `sts` action over a normal client (`Client.make`:
 * signed, retried, traced), and the answer's temporary key becomes the credential. Also the STS
 * client helper shared with the TKE OIDC source.
 *
 * `Client` takes the `Credentials` tag from `service.ts`, not from the `Credentials` module that
 * re-exports this one, so `Client` is imported here statically without a cycle. (A dynamic
 * `import()` of a bundled module makes esbuild wrap every module it reaches in a lazy initialiser,
 * and wrapped modules are not tree-shaken: it cost every one-call bundle 5 KB.)
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Client from "../../Client.js"
import type { ClientOptions, TencentCloud } from "../../Client.js"
import { CredentialsError } from "../../Errors.js"
import { assumeRole } from "../../generated/sts/v20180813.js"
import { type Credential, Credentials, type CredentialsService } from "./service.js"
import { temporary } from "./validate.js"

/** Where and how the STS calls of role sources go. */
export interface StsOptions {
  /** Region of the STS call (`X-TC-Region`); default `ap-guangzhou`. */
  readonly region?: string | undefined
  /**
   * The STS endpoint: default `sts.tencentcloudapi.com`; a regional one
   * (`sts.ap-shanghai.tencentcloudapi.com`) or the internal one (`sts.internal.tencentcloudapi.com`).
   */
  readonly endpoint?: string | undefined
  /**
   * Other options of the STS client: `timeout`, `retryPolicy`, `connectTo`, `scheme`, ...
   * (`httpListener` is ignored: it would see the temporary key in the answer).
   */
  readonly client?: ClientOptions | undefined
}

/** Run an `sts` action on a client built from `sts`, signed by `base`, over `http`. */
export const withStsClient = <A, E>(
  provider: string,
  sts: StsOptions,
  base: CredentialsService,
  http: HttpClient.HttpClient,
  action: Effect.Effect<A, E, TencentCloud>
): Effect.Effect<A, E | CredentialsError> =>
  Effect.gen(function* () {
    // the debugging hook would see the STS answer (a temporary key and token): never installed here
    const { httpListener: _hook, ...client } = sts.client ?? {}
    const options: ClientOptions = {
      ...client,
      region: sts.region ?? sts.client?.region ?? "ap-guangzhou",
      ...(sts.endpoint !== undefined ? { endpoint: sts.endpoint } : {})
    }
    const service = yield* Client.make(options).pipe(
      Effect.provideService(Credentials, base),
      Effect.provideService(HttpClient.HttpClient, http),
      Effect.mapError((e) => new CredentialsError({ provider, message: `${provider}: the STS client options are invalid: ${e.message}`, cause: e }))
    )
    // The engine's span would end with the raw answer (a temporary key and token in plain text)
    // as its exit value; the role sources trace each fetch with a span of their own instead
    // (see `traced`), whose exit is the credential with its secrets `Redacted`.
    // For the same reason the engine's debug lines (whose failures may quote a cut-off answer)
    // are off for these calls.
    return yield* Effect.provideService(action, Client.TencentCloud, service).pipe(
      Effect.withTracerEnabled(false),
      Logger.withMinimumLogLevel(LogLevel.Info)
    )
  })

/**
 * A failure of an STS call, told without anything from the answer's body: an answer that could
 * not be parsed or decoded, or an HTTP error page, may hold part of a temporary key, so only its
 * kind, status and request id are kept (as message and as `cause`).
 */
export const safeFailure = (e: { readonly _tag: string; readonly message: string }): { readonly message: string; readonly cause: unknown } => {
  const x = e as { _tag: string; message: string; status?: unknown; requestId?: unknown; code?: unknown; traceId?: unknown }
  if (x._tag === "ResponseParseError" || x._tag === "ResponseDecodeError" || x._tag === "HttpStatusError") {
    const parts = [
      typeof x.status === "number" ? `HTTP ${x.status}` : undefined,
      typeof x.requestId === "string" && x.requestId !== "" ? `RequestId ${x.requestId}` : undefined,
      typeof x.traceId === "string" ? `trace id ${x.traceId}` : undefined
    ].filter((p) => p !== undefined)
    const what = x._tag === "HttpStatusError" ? "an HTTP error answer" : x._tag === "ResponseDecodeError" ? "an answer of the wrong shape" : "an answer that is not the API's JSON envelope (or was cut short)"
    return { message: `${x._tag}: ${what}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`, cause: { _tag: x._tag, status: x.status, requestId: x.requestId, traceId: x.traceId } }
  }
  return { message: x.message, cause: e }
}

/** One span per credential fetch, named by the source; its exit holds only `Redacted` secrets. */
export const traced = (provider: string, attributes: Record<string, unknown>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withSpan(self, `credentials.${provider}`, { kind: "client", attributes: { "credentials.provider": provider, ...attributes } })

/** Options of the STS AssumeRole source. */
export interface AssumeRoleOptions extends StsOptions {
  /** `qcs::cam::uin/<account>:roleName/<name>`. */
  readonly roleArn: string
  /** 2 to 128 of `[A-Za-z0-9_+=,.@-]`; default `effect-tencentcloud-<epoch ms>`. */
  readonly roleSessionName?: string | undefined
  /** Lifetime of the temporary key, 1 to 43200 s; default 7200. */
  readonly durationSeconds?: number | undefined
  /** A policy (JSON) narrowing the role's permissions for this session. */
  readonly policy?: string | undefined
  /** The external id the role's trust policy asks for. */
  readonly externalId?: string | undefined
  /** The caller's identity, recorded by CloudAudit. */
  readonly sourceIdentity?: string | undefined
}

const ROLE_ARN = /^qcs::cam::uin\/\d+:role(Name)?\/[\w+=,.@-]{1,128}$/
const SESSION = /^[\w+=,.@-]{2,128}$/

/** The role options checked before anything is sent, or the error naming the bad one. */
export const checkRoleOptions = (
  provider: string,
  o: { readonly roleArn?: string | undefined; readonly roleSessionName?: string | undefined; readonly durationSeconds?: number | undefined },
  names: { readonly roleArn: string; readonly roleSessionName: string; readonly durationSeconds: string } = {
    roleArn: "roleArn",
    roleSessionName: "roleSessionName",
    durationSeconds: "durationSeconds"
  }
): CredentialsError | undefined => {
  const bad = (message: string) => new CredentialsError({ provider, message: `${provider} credentials: ${message}` })
  if (typeof o.roleArn !== "string" || !ROLE_ARN.test(o.roleArn)) {
    return bad(`${names.roleArn} is not a role ARN; write it as qcs::cam::uin/<account id>:roleName/<role name> (the CAM console shows it on the role's page)`)
  }
  if (o.roleSessionName !== undefined && !SESSION.test(o.roleSessionName)) {
    return bad(`${names.roleSessionName} must be 2 to 128 characters of letters, digits and _+=,.@-`)
  }
  const d = o.durationSeconds
  if (d !== undefined && !(Number.isInteger(d) && d >= 1 && d <= 43200)) {
    return bad(`${names.durationSeconds} must be a whole number of seconds from 1 to 43200 (12 hours); got ${String(d)}`)
  }
  return undefined
}

/** The default session name: `effect-tencentcloud-<epoch ms>`. */
export const defaultSessionName = /*#__PURE__*/ Effect.map(Clock.currentTimeMillis, (ms) => `effect-tencentcloud-${ms}`)

/**
 * One `AssumeRole` call: the base credential signs it; the answer's temporary key is checked and
 * returned. Errors name the role and what to do; they never contain a key or token.
 */
export const assumeRoleOnce = (
  options: AssumeRoleOptions,
  base: CredentialsService,
  http: HttpClient.HttpClient,
  provider = "assume-role"
): Effect.Effect<Credential, CredentialsError> =>
  Effect.gen(function* () {
    const invalid = checkRoleOptions(provider, options)
    if (invalid !== undefined) return yield* invalid
    const session = options.roleSessionName ?? (yield* defaultSessionName)
    const request = {
      RoleArn: options.roleArn,
      RoleSessionName: session,
      DurationSeconds: options.durationSeconds ?? 7200,
      ...(options.policy !== undefined ? { Policy: options.policy } : {}),
      ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
      ...(options.sourceIdentity !== undefined ? { SourceIdentity: options.sourceIdentity } : {})
    }
    const answer = yield* withStsClient(provider, options, base, http, assumeRole(request)).pipe(
      Effect.mapError((e) =>
        e._tag === "CredentialsError" && e.provider === provider
          ? e
          : e._tag === "CredentialsError"
          ? new CredentialsError({ provider, cause: e, message: `${provider}: the base credential that signs AssumeRole failed: ${e.message}` })
          : new CredentialsError({
            provider,
            cause: safeFailure(e).cause,
            message: `${provider}: AssumeRole of ${options.roleArn} failed: ${safeFailure(e).message}; check that the base key may call sts:AssumeRole and that the role's trust policy allows it`
          })
      )
    )
    const r = temporary(
      provider,
      `${provider}: the AssumeRole answer for ${options.roleArn}`,
      "this is a server-side problem; try again later",
      { ...answer.Credentials, ExpiredTime: Number(answer.ExpiredTime) }
    )
    return Either.isRight(r) ? r.right : yield* r.left
  }).pipe(traced(provider, { "credentials.role_arn": options.roleArn }))
