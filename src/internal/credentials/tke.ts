/**
 * TKE OIDC (web identity): a pod's service-account token, read from a file that the cluster
 * rotates, is exchanged by an unsigned `AssumeRoleWithWebIdentity` call for a temporary key. The
 * file is read again at every refresh.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { CredentialsError } from "../../Errors.js"
import { assumeRoleWithWebIdentity } from "../../generated/sts/v20180813.js"
import { configuredString } from "./profile.js"
import type { Credential, CredentialsService } from "./service.js"
import { checkRoleOptions, defaultSessionName, safeFailure, type StsOptions, traced, withStsClient } from "./sts.js"
import { temporary } from "./validate.js"

/** Options of the TKE OIDC source; each unset one is read from its `TKE_*` variable. */
export interface TkeOidcOptions extends Omit<StsOptions, "region"> {
  /** The cluster's region, sent with the call; default `TKE_REGION`. */
  readonly region?: string | undefined
  /** The OIDC identity provider; default `TKE_PROVIDER_ID`. */
  readonly providerId?: string | undefined
  /** The file holding the web identity token; default `TKE_WEB_IDENTITY_TOKEN_FILE`. */
  readonly tokenFile?: string | undefined
  /** The role to assume; default `TKE_ROLE_ARN`. */
  readonly roleArn?: string | undefined
  /** Default `effect-tencentcloud-<epoch ms>`. */
  readonly roleSessionName?: string | undefined
  /** 1 to 43200 s; default 7200. */
  readonly durationSeconds?: number | undefined
}

const VARS = {
  region: "TKE_REGION",
  providerId: "TKE_PROVIDER_ID",
  tokenFile: "TKE_WEB_IDENTITY_TOKEN_FILE",
  roleArn: "TKE_ROLE_ARN"
} as const

const PROVIDER = "tke-oidc"

/** Nothing signs `AssumeRoleWithWebIdentity`; a credential asked for anyway is a bug, said so. */
const unsigned: CredentialsService = {
  get: new CredentialsError({ provider: PROVIDER, message: `${PROVIDER}: AssumeRoleWithWebIdentity is sent unsigned; no credential should be asked for` })
}

const readToken = (file: string): Effect.Effect<string, CredentialsError> =>
  Effect.tryPromise({
    try: async () => (await import("node:fs/promises")).readFile(file, "utf8"),
    catch: (e) => {
      const code = (e as { code?: string } | undefined)?.code
      return new CredentialsError({
        provider: PROVIDER,
        file,
        message: `${PROVIDER}: the web identity token file ${file} cannot be read (${code ?? "unknown error"}); check ${VARS.tokenFile} and that the pod mounts the service-account token`
      })
    }
  }).pipe(
    Effect.flatMap((text) => {
      const token = text.trim()
      return token === "" || /[\s\u0000-\u001f]/.test(token)
        ? new CredentialsError({
          provider: PROVIDER,
          file,
          message: `${PROVIDER}: the web identity token file ${file} is ${token === "" ? "empty" : "not a single token (it has whitespace inside)"}; it should hold the service-account token the cluster writes`
        })
        : Effect.succeed(token)
    })
  )

/**
 * One `AssumeRoleWithWebIdentity` exchange. Without any of the four settings the source is not
 * configured (a chain moves on); with some but not all, the error names the missing ones.
 */
export const tkeOidcOnce = (options: TkeOidcOptions, http: HttpClient.HttpClient): Effect.Effect<Credential, CredentialsError> =>
  Effect.gen(function* () {
    const values: Record<keyof typeof VARS, string | undefined> = {
      region: options.region ?? (yield* configuredString(VARS.region)),
      providerId: options.providerId ?? (yield* configuredString(VARS.providerId)),
      tokenFile: options.tokenFile ?? (yield* configuredString(VARS.tokenFile)),
      roleArn: options.roleArn ?? (yield* configuredString(VARS.roleArn))
    }
    const missing = (Object.keys(VARS) as Array<keyof typeof VARS>).filter((k) => values[k] === undefined || values[k] === "")
    if (missing.length === 4) {
      return yield* new CredentialsError({
        provider: PROVIDER,
        notConfigured: true,
        message: `TKE OIDC: ${Object.values(VARS).join(", ")} are not set`
      })
    }
    if (missing.length > 0) {
      return yield* new CredentialsError({
        provider: PROVIDER,
        message: `${PROVIDER} credentials: ${missing.map((k) => VARS[k]).join(", ")} ${missing.length === 1 ? "is" : "are"} not set but ${
          Object.keys(VARS).filter((k) => !missing.includes(k as keyof typeof VARS)).map((k) => VARS[k as keyof typeof VARS]).join(", ")
        } ${4 - missing.length === 1 ? "is" : "are"}; TKE sets all four when the pod's service account is bound to a role (set them all, or none)`
      })
    }
    const invalid = checkRoleOptions(PROVIDER, { ...options, roleArn: values.roleArn }, {
      roleArn: options.roleArn !== undefined ? "roleArn" : VARS.roleArn,
      roleSessionName: "roleSessionName",
      durationSeconds: "durationSeconds"
    })
    if (invalid !== undefined) return yield* invalid
    const token = yield* readToken(values.tokenFile!)
    const session = options.roleSessionName ?? (yield* defaultSessionName)
    const answer = yield* withStsClient(
      PROVIDER,
      { ...options, region: values.region },
      unsigned,
      http,
      assumeRoleWithWebIdentity({
        ProviderId: values.providerId!,
        WebIdentityToken: token,
        RoleArn: values.roleArn!,
        RoleSessionName: session,
        DurationSeconds: options.durationSeconds ?? 7200
      })
    ).pipe(
      Effect.mapError((e) =>
        e._tag === "CredentialsError"
          ? e
          : new CredentialsError({
            provider: PROVIDER,
            cause: safeFailure(e).cause,
            message: `${PROVIDER}: AssumeRoleWithWebIdentity of ${values.roleArn} (provider ${values.providerId}) failed: ${safeFailure(e).message}; ${
              e._tag === "InvalidParameter.WebIdentityTokenError"
                ? `the token in ${values.tokenFile} was refused: check that the cluster's OIDC provider is registered in CAM and the role trusts it`
                : "check the role's trust policy and the TKE_* settings"
            }`
          })
      )
    )
    const r = temporary(PROVIDER, `${PROVIDER}: the AssumeRoleWithWebIdentity answer for ${values.roleArn}`, "this is a server-side problem; try again later", {
      ...answer.Credentials,
      ExpiredTime: Number(answer.ExpiredTime)
    })
    return Either.isRight(r) ? r.right : yield* r.left
  }).pipe(traced(PROVIDER, {}))
