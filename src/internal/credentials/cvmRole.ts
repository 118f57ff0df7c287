/**
 * The CVM instance role: on a CVM instance with a CAM role bound, the metadata server
 * (`http://metadata.tencentyun.com/latest/meta-data/`) names the role and hands out its temporary
 * key. Off CVM there is no metadata server: the first request fails fast (short timeout) and the
 * source reports itself not configured, so the default chain moves on.
 *
 * Answers are never quoted in errors (a cut-off answer may hold part of a key).
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { CredentialsError } from "../../Errors.js"
import type { Credential } from "./service.js"
import { traced } from "./sts.js"
import { temporary } from "./validate.js"

/** Options of the CVM instance role source. */
export interface CvmRoleOptions {
  /** The role; default: the one the metadata server lists (the role bound to the instance). */
  readonly roleName?: string | undefined
  /** The metadata server's base URL; default `http://metadata.tencentyun.com/latest/meta-data/`. */
  readonly baseUrl?: string | undefined
  /**
   * How long one metadata request may take (connect and answer); default 1 second. The server
   * answers in milliseconds on CVM; off CVM this bounds how long the default chain waits.
   */
  readonly timeout?: Duration.DurationInput | undefined
}

export const DEFAULT_METADATA_URL = "http://metadata.tencentyun.com/latest/meta-data/"
const PROVIDER = "cvm-role"
const ROLE_NAME = /^[\w+=,.@-]{1,128}$/

type Answer = { readonly status: number; readonly text: string; readonly contentType: string }
type Failure = { readonly reason: string }

const fetchText = (http: HttpClient.HttpClient, url: string, timeout: number): Effect.Effect<Answer, Failure> =>
  http.get(url, { headers: { accept: "text/plain, application/json" } }).pipe(
    Effect.flatMap((r) => Effect.map(r.text, (text) => ({ status: r.status, text, contentType: r.headers["content-type"] ?? "" }))),
    Effect.mapError((e): Failure => ({ reason: describe(e) })),
    Effect.timeoutFail({ duration: Duration.millis(timeout), onTimeout: (): Failure => ({ reason: `no answer within ${timeout} ms` }) })
  )

/** The transport failure in a few words, never with the request's headers. */
const describe = (e: unknown): string => {
  let c: any = e
  for (let i = 0; i < 6 && c; i++) {
    if (typeof c.code === "string" && /^E[A-Z_]+$/.test(c.code)) return c.code
    c = c.cause
  }
  const reason = (e as { reason?: unknown })?.reason
  return typeof reason === "string" ? `${reason} error` : "transport error"
}

const fail = (message: string, notConfigured = false) => new CredentialsError({ provider: PROVIDER, notConfigured: notConfigured || undefined, message })

/**
 * One fetch of the instance role's temporary key: the role list (unless `roleName` is given),
 * then the role's credentials (`TmpSecretId`, `TmpSecretKey`, `Token`, `ExpiredTime`,
 * `Code: "Success"`).
 */
export const cvmRoleOnce = (options: CvmRoleOptions, http: HttpClient.HttpClient): Effect.Effect<Credential, CredentialsError> =>
  Effect.gen(function* () {
    let base = options.baseUrl ?? DEFAULT_METADATA_URL
    if (!base.endsWith("/")) base += "/"
    if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
      return yield* fail(`${PROVIDER} credentials: baseUrl is not an http(s) URL; use e.g. ${DEFAULT_METADATA_URL}`)
    }
    const timeout = options.timeout === undefined ? 1000 : Duration.toMillis(Duration.decode(options.timeout))
    if (!(timeout > 0)) return yield* fail(`${PROVIDER} credentials: timeout must be a positive duration, e.g. "1 second"`)
    if (options.roleName !== undefined && !ROLE_NAME.test(options.roleName)) {
      return yield* fail(`${PROVIDER} credentials: roleName must be 1 to 128 characters of letters, digits and _+=,.@-`)
    }
    const listUrl = `${base}cam/security-credentials/`
    let role = options.roleName
    if (role === undefined) {
      const list = yield* Effect.either(fetchText(http, listUrl, timeout))
      if (Either.isLeft(list)) {
        return yield* fail(`CVM instance role: no metadata server at ${base} (${list.left.reason}); not on a CVM instance`, true)
      }
      const { status, text } = list.right
      if (status === 404) return yield* fail(`CVM instance role: no CAM role is bound to this instance (${listUrl} answered 404)`, true)
      if (status !== 200) {
        return yield* fail(`${PROVIDER}: the metadata server answered HTTP ${status} for ${listUrl}; try again later, or bind a role to the instance in the CVM console`)
      }
      const first = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "")
      if (first === undefined) return yield* fail(`CVM instance role: no CAM role is bound to this instance (${listUrl} lists none)`, true)
      if (!ROLE_NAME.test(first)) {
        return yield* fail(`${PROVIDER}: the metadata server's role list at ${listUrl} is not a role name (${text.length} characters); check that ${base} is the CVM metadata server, or set roleName`)
      }
      role = first
    }
    const url = `${listUrl}${encodeURIComponent(role)}`
    const got = yield* Effect.either(fetchText(http, url, timeout))
    if (Either.isLeft(got)) {
      return yield* fail(`${PROVIDER}: the metadata server at ${base} did not answer for role ${role} (${got.left.reason}); this source works only on a CVM instance`)
    }
    const { status, text, contentType } = got.right
    if (status === 404) {
      return yield* fail(`${PROVIDER}: role ${role} is not bound to this instance (${url} answered 404); bind it in the CVM console${options.roleName !== undefined ? " or correct roleName" : ""}`)
    }
    if (status !== 200) return yield* fail(`${PROVIDER}: the metadata server answered HTTP ${status} for role ${role}; try again later`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return yield* fail(
        `${PROVIDER}: the metadata server's answer for role ${role} is not a JSON object (${text.length} characters, content-type ${contentType || "none"}); check that ${base} is the CVM metadata server`
      )
    }
    const answer = body as Record<string, unknown>
    if (answer.Code !== "Success") {
      const code = typeof answer.Code === "string" && /^[\w.-]{1,64}$/.test(answer.Code) ? answer.Code : "missing"
      return yield* fail(`${PROVIDER}: the metadata server refused the credentials of role ${role} (Code ${code}); check the role binding in the CVM console`)
    }
    const r = temporary(PROVIDER, `${PROVIDER}: the metadata server's answer for role ${role}`, `check that ${base} is the CVM metadata server`, answer)
    return Either.isRight(r) ? r.right : yield* r.left
  }).pipe(traced(PROVIDER, {}))
