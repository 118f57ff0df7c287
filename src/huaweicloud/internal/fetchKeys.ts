/**
 * The HTTP exchanges behind Huawei's temporary keys: the ECS metadata service (token, then
 * `securitykey`) and IAM federation (an OIDC id token for an unscoped token, then that token for
 * temporary keys). Unsigned requests over the `HttpClient` given; every failure a
 * `CredentialsError` without secrets.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { CredentialsError } from "../../Errors.js"

/** Temporary keys as fetched. */
export interface TemporaryKeys {
  readonly accessKey: string
  readonly secretKey: Redacted.Redacted<string>
  readonly securityToken: Redacted.Redacted<string>
  readonly expiresAt: number | undefined
}

const str = (o: Record<string, unknown>, ...names: ReadonlyArray<string>): string | undefined => {
  for (const n of names) if (typeof o[n] === "string" && o[n] !== "") return o[n] as string
  return undefined
}

/**
 * Read a credential document: `access|accessKeyId`, `secret|secretAccessKey`,
 * `securitytoken|securityToken`, `expires_at|expiration`, optionally inside `credential` or
 * `credentials`.
 */
export const parseCredentialDocument = (provider: string, text: string): TemporaryKeys | CredentialsError => {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return new CredentialsError({ provider, message: `${provider}: the answer is not JSON; check the endpoint` })
  }
  let o = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>) : {}
  for (const wrap of ["credential", "credentials"]) {
    if (typeof o[wrap] === "object" && o[wrap] !== null) o = o[wrap] as Record<string, unknown>
  }
  const access = str(o, "access", "accessKeyId")
  const secret = str(o, "secret", "secretAccessKey")
  const token = str(o, "securitytoken", "securityToken")
  if (access === undefined || secret === undefined || token === undefined) {
    return new CredentialsError({ provider, message: `${provider}: the answer has no access/secret/securitytoken; check the agency (IAM delegation) of the instance or the identity provider` })
  }
  const exp = str(o, "expires_at", "expiration")
  const expiresAt = exp === undefined ? undefined : Date.parse(exp.replace(/(\.\d{3})\d*Z$/, "$1Z"))
  return { accessKey: access, secretKey: Redacted.make(secret), securityToken: Redacted.make(token), expiresAt: expiresAt !== undefined && Number.isFinite(expiresAt) ? expiresAt : undefined }
}

const send = (
  http: HttpClient.HttpClient,
  provider: string,
  request: HttpClientRequest.HttpClientRequest,
  timeout: Duration.DurationInput
): Effect.Effect<{ readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly text: string }, CredentialsError> =>
  http.execute(request).pipe(
    Effect.flatMap((r) => Effect.map(r.text, (text) => ({ status: r.status, headers: r.headers as Readonly<Record<string, string>>, text }))),
    Effect.scoped,
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => new CredentialsError({ provider, message: `${provider}: no answer from ${request.url} within ${Duration.format(Duration.decode(timeout))}` })
    }),
    Effect.catchAll((e) =>
      e instanceof CredentialsError
        ? Effect.fail(e)
        : Effect.fail(new CredentialsError({ provider, message: `${provider}: ${request.url} could not be reached (${e._tag}); check the endpoint and the network` }))
    )
  )

/** Options of the ECS metadata source. */
export interface MetadataOptions {
  /** Default `http://169.254.169.254`. */
  readonly endpoint?: string | undefined
  /** Per-request timeout; default 3 s (the SDK's). */
  readonly timeout?: Duration.DurationInput | undefined
}

/** One fetch from the ECS metadata service: a session token (if supported), then the security key. */
export const metadataKeys = (http: HttpClient.HttpClient, options: MetadataOptions = {}): Effect.Effect<TemporaryKeys, CredentialsError> =>
  Effect.gen(function* () {
    const base = (options.endpoint ?? "http://169.254.169.254").replace(/\/+$/, "")
    const timeout = options.timeout ?? Duration.seconds(3)
    const provider = "huaweicloud metadata"
    const t = yield* send(http, provider, HttpClientRequest.put(`${base}/meta-data/latest/api/token`).pipe(HttpClientRequest.setHeader("X-Metadata-Token-Ttl-Seconds", "21600")), timeout)
    // 404/405/503: a metadata service without session tokens
    const token = t.status === 200 ? t.text.trim() : undefined
    if (token === undefined && ![404, 405, 503].includes(t.status)) {
      return yield* new CredentialsError({ provider, message: `${provider}: the token request answered HTTP ${t.status}` })
    }
    const key = HttpClientRequest.get(`${base}/openstack/latest/securitykey`).pipe(token === undefined ? (r) => r : HttpClientRequest.setHeader("X-Metadata-Token", token))
    const r = yield* send(http, provider, key, timeout)
    if (r.status !== 200) {
      return yield* new CredentialsError({ provider, message: `${provider}: securitykey answered HTTP ${r.status}${r.text.includes("Please configure Cloud Service Agency first") ? "; configure an agency for the instance" : ""}` })
    }
    const keys = parseCredentialDocument(provider, r.text)
    return keys instanceof CredentialsError ? yield* keys : keys
  })

/** Options of the federated (OIDC id token) source. */
export interface FederatedOptions {
  readonly idpId: string
  readonly idTokenFile: string
  /** IAM endpoint; default `https://iam.myhuaweicloud.com`. */
  readonly iamEndpoint?: string | undefined
  /** Lifetime asked for; default 6 h (the SDK's). */
  readonly durationSeconds?: number | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

/** One federation: read the id token file, get an unscoped token, exchange it for temporary keys. */
export const federatedKeys = (http: HttpClient.HttpClient, options: FederatedOptions): Effect.Effect<TemporaryKeys, CredentialsError> =>
  Effect.gen(function* () {
    const provider = "huaweicloud federated"
    const iam = (options.iamEndpoint ?? "https://iam.myhuaweicloud.com").replace(/\/+$/, "")
    const timeout = options.timeout ?? Duration.seconds(60)
    const idToken = yield* Effect.tryPromise({
      try: () => import("node:fs/promises").then((fs) => fs.readFile(options.idTokenFile, "utf8")),
      catch: () => new CredentialsError({ provider, file: options.idTokenFile, message: `${provider}: the id token file ${options.idTokenFile} cannot be read; check HUAWEICLOUD_SDK_ID_TOKEN_FILE` })
    }).pipe(Effect.map((s) => s.trim()))
    if (idToken === "") return yield* new CredentialsError({ provider, file: options.idTokenFile, message: `${provider}: the id token file ${options.idTokenFile} is empty` })
    const unscoped = yield* send(
      http,
      provider,
      HttpClientRequest.post(`${iam}/v3.0/OS-AUTH/id-token/tokens`).pipe(
        HttpClientRequest.setHeader("X-Idp-Id", options.idpId),
        HttpClientRequest.bodyUnsafeJson({ auth: { id_token: { id: idToken } } })
      ),
      timeout
    )
    const subject = unscoped.headers["x-subject-token"]
    if (unscoped.status >= 300 || subject === undefined || subject === "") {
      return yield* new CredentialsError({ provider, message: `${provider}: the identity provider ${options.idpId} refused the id token (HTTP ${unscoped.status}); check the provider id and the token` })
    }
    const keys = yield* send(
      http,
      provider,
      HttpClientRequest.post(`${iam}/v3.0/OS-CREDENTIAL/securitytokens`).pipe(
        HttpClientRequest.setHeader("X-Auth-Token", subject),
        HttpClientRequest.bodyUnsafeJson({ auth: { identity: { methods: ["token"], token: { id: subject, duration_seconds: options.durationSeconds ?? 21600 } } } })
      ),
      timeout
    )
    if (keys.status >= 300) return yield* new CredentialsError({ provider, message: `${provider}: IAM refused to issue temporary keys (HTTP ${keys.status})` })
    const parsed = parseCredentialDocument(provider, keys.text)
    return parsed instanceof CredentialsError ? yield* parsed : parsed
  })
