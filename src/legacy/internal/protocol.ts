/**
 * API 2.0 as a protocol value on the shared core (`core/Protocol.ts`): `layout` checks the
 * module, action, parameters, region, method and signature method and fails before anything is
 * sent; `sign` adds the common parameters and the v1 signature for the attempt's host and instant
 * and lays them out as a GET query or a POST form; `interpret` reads the
 * `{"code","message","codeDesc"}` envelope with lossless integers.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { ActionInfo } from "../../core/Call.js"
import type { Credential } from "../../Credentials.js"
import type { CallOverrides } from "../../core/Overrides.js"
import type { Answer, Laid, Outgoing, Protocol, Target } from "../../core/Protocol.js"
import { type CallSite, HttpStatusError, RequestValidationError, ResponseParseError, type SdkError } from "../../Errors.js"
import * as Json from "../../Json.js"
import { isSafeToRepeat } from "../../Retry.js"
import { formEncode } from "../../Signer.js"
import { codeName, categoryOf, LegacyApiError } from "./errors.js"
import { checkHost, type HostTable, hostOf } from "./hosts.js"
import { flatten } from "./params.js"
import { sign, type SignatureMethod } from "./sign.js"

/** GET requests: at most this many bytes of path and query (the cloud's 32 KB). */
export const GET_LIMIT = 32 * 1024
/** POST requests: at most this many bytes of form body (the v1 signature's 1 MB). */
export const POST_LIMIT = 1024 * 1024

/** A client's resolved configuration. */
export interface LegacyConfig {
  readonly region: string | undefined
  readonly method: "GET" | "POST"
  readonly signatureMethod: SignatureMethod
  readonly table: HostTable
  readonly scheme: "https" | "http"
  readonly path: string
  readonly timeoutMillis: number
  readonly requestClient: string | undefined
}

/** One call. */
export interface LegacyInput {
  readonly module: string
  readonly action: string
  readonly params: unknown
  /** The per-call signature method (`Legacy.withSignatureMethod`), below a `SignatureMethod` parameter. */
  readonly signatureMethod?: SignatureMethod | undefined
  /** Lay the call out as a GET whatever the method in force (`generateUrl`). */
  readonly forceGet?: boolean | undefined
}

/** A laid-out call. */
export interface LegacyLaid extends Laid {
  readonly module: string
  readonly action: string
  readonly method: "GET" | "POST"
  readonly path: string
  readonly region: string | undefined
  readonly signatureMethod: SignatureMethod
  readonly pairs: ReadonlyArray<readonly [string, string]>
  readonly headers: Readonly<Record<string, string>>
  readonly requestClient: string | undefined
}

/** The decoded answer of a successful call (`code` 0): every member, integers beyond 2^53 as `bigint`. */
export type LegacyResult = Record<string, unknown>

const REGION = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/
const ACTION = /^[A-Za-z][A-Za-z0-9_]{0,127}$/
const SIGNATURE_METHODS: ReadonlyArray<string> = ["HmacSHA1", "HmacSHA256"]
const OWNED_HEADERS: ReadonlySet<string> = new Set(["host", "content-type", "content-length", "authorization"])

/** Is this a signature method name? */
export const isSignatureMethod = (s: unknown): s is SignatureMethod => typeof s === "string" && SIGNATURE_METHODS.includes(s)

const invalid = (module: string | undefined, action: string | undefined, field: string, problem: string, fix: string) =>
  Either.left(RequestValidationError.make({ service: module, action, field, problem, fix }))

/** The target of a per-call endpoint override: `host`, `host:port` or a URL. */
const endpointTarget = (endpoint: string, scheme: "https" | "http"): Target | string => {
  if (endpoint.includes("://")) {
    try {
      const u = new URL(endpoint)
      if (u.protocol !== "https:" && u.protocol !== "http:") return `the scheme ${u.protocol} is not http or https`
      return { scheme: u.protocol === "http:" ? "http" : "https", host: u.host }
    } catch {
      return `${JSON.stringify(endpoint)} is not a URL`
    }
  }
  return checkHost(endpoint) ?? { scheme, host: endpoint }
}

const site = (laid: LegacyLaid, target: Target): CallSite =>
  target.host === laid.site.endpoint ? laid.site : { ...laid.site, endpoint: target.host }

const excerpt = (s: string): string => (s.length > 512 ? s.slice(0, 512) : s)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The API 2.0 protocol of one client, and its signing with any nonce (the pure `signUrl` takes a `bigint`). */
export interface LegacyProtocol extends Protocol<LegacyInput, LegacyLaid, LegacyResult, LegacyApiError> {
  readonly signWith: (laid: LegacyLaid, target: Target, credential: Credential | undefined, nowMillis: number, nonce: number | bigint) => Either.Either<Outgoing, RequestValidationError>
}

/** The API 2.0 protocol of one client. */
export const make = (config: LegacyConfig): LegacyProtocol => {
  const layout = (input: LegacyInput, ov: CallOverrides): Either.Either<LegacyLaid, RequestValidationError> => {
    const module = input.module
    const found = hostOf(config.table, module)
    if ("problem" in found) return invalid(String(module), input.action, "module", found.problem, found.fix)
    if (typeof input.action !== "string" || !ACTION.test(input.action)) {
      return invalid(module, String(input.action), "action", `${JSON.stringify(input.action)} is not an action name`, "use the action name of the module's API 2.0 documentation, e.g. \"DescribeInstances\"")
    }
    // as the qcloudapi SDKs do: `describeInstances` is `DescribeInstances`
    const action = input.action.charAt(0).toUpperCase() + input.action.slice(1)
    let primary: Target = { scheme: config.scheme, host: found.host }
    if (ov.endpoint !== undefined) {
      const t = endpointTarget(ov.endpoint, config.scheme)
      if (typeof t === "string") return invalid(module, action, "endpoint", t, "give a host, host:port or an http(s) URL")
      primary = t
    }
    const method = input.forceGet ? "GET" : (ov.method ?? config.method)
    if (method !== "GET" && method !== "POST") {
      return invalid(module, action, "method", `${JSON.stringify(method)} is not GET or POST`, "use \"GET\" or \"POST\"")
    }
    // a generous cap that ends runaway values; the exact limits are checked below with their own advice
    const flat = flatten(input.params, 2 * POST_LIMIT)
    if (Either.isLeft(flat)) return invalid(module, action, flat.left.field, flat.left.problem, flat.left.fix)
    const region = flat.right.region ?? ov.region ?? config.region
    if (region !== undefined && region !== "" && !REGION.test(region)) {
      return invalid(module, action, "region", `${JSON.stringify(region)} is not a region name`, "use the region of the module's documentation, e.g. \"ap-guangzhou\" (or the short \"gz\" of older modules)")
    }
    const signatureMethod = flat.right.signatureMethod ?? input.signatureMethod ?? config.signatureMethod
    if (!isSignatureMethod(signatureMethod)) {
      return invalid(module, action, "SignatureMethod", `${JSON.stringify(signatureMethod)} is not a v1 signature method`, "use \"HmacSHA1\" (the default) or \"HmacSHA256\"")
    }
    // the caller's part alone over the limit: say so before fetching credentials
    const own = formEncode(flat.right.pairs).length
    if (method === "GET" && own + config.path.length + 1 > GET_LIMIT) {
      return invalid(module, action, "params", `a GET request carries at most ${GET_LIMIT} bytes of query, and these parameters alone take ${own}`, "send it as POST (Client.withMethod(\"POST\") or the client's `method`), which takes up to 1 MB")
    }
    if (method === "POST" && own > POST_LIMIT) {
      return invalid(module, action, "params", `a POST form of API 2.0 carries at most ${POST_LIMIT} bytes (1 MB), and these parameters alone take ${own}`, "send less per call")
    }
    const headers: Record<string, string> = {}
    if (ov.headers !== undefined) for (const k of Object.keys(ov.headers)) if (!OWNED_HEADERS.has(k.toLowerCase())) headers[k] = ov.headers[k]
    const info: ActionInfo = { service: module, version: "", action }
    return Either.right({
      site: { service: module, version: "", action, region: region || undefined, endpoint: primary.host },
      info,
      safe: isSafeToRepeat(info),
      primary,
      breakerKey: `qcloud2:${primary.host}`,
      timeoutMillis: config.timeoutMillis,
      traceId: randomUUID(),
      module,
      action,
      method,
      path: config.path,
      region: region || undefined,
      signatureMethod,
      pairs: flat.right.pairs,
      headers,
      requestClient: config.requestClient
    })
  }

  const signLaid = (laid: LegacyLaid, target: Target, credential: Credential | undefined, nowMillis: number, nonce: number | bigint): Either.Either<Outgoing, RequestValidationError> => {
    if (credential === undefined) {
      return invalid(laid.module, laid.action, "credentials", "no credential to sign with", "provide a Credentials layer")
    }
    const signed = sign({
      method: laid.method,
      host: target.host,
      path: laid.path,
      action: laid.action,
      region: laid.region,
      signatureMethod: laid.signatureMethod,
      params: laid.pairs,
      secretId: credential.secretId,
      secretKey: Redacted.value(credential.secretKey),
      token: credential.token === undefined ? undefined : Redacted.value(credential.token),
      timestamp: Math.floor(nowMillis / 1000),
      nonce,
      requestClient: laid.requestClient
    })
    const base = `${target.scheme}://${target.host}${laid.path}`
    if (laid.method === "GET") {
      const size = laid.path.length + 1 + signed.encoded.length
      if (size > GET_LIMIT) {
        return invalid(laid.module, laid.action, "params", `the signed GET request takes ${size} bytes of path and query, over the limit of ${GET_LIMIT} (32 KB)`, "send it as POST (Client.withMethod(\"POST\") or the client's `method`), which takes up to 1 MB")
      }
      return Either.right({ method: "GET", url: `${base}?${signed.encoded}`, headers: { ...laid.headers, Host: target.host }, body: undefined })
    }
    if (signed.encoded.length > POST_LIMIT) {
      return invalid(laid.module, laid.action, "params", `the signed POST form takes ${signed.encoded.length} bytes, over the API 2.0 limit of ${POST_LIMIT} (1 MB)`, "send less per call")
    }
    return Either.right({
      method: "POST",
      url: base,
      headers: { ...laid.headers, Host: target.host, "Content-Type": "application/x-www-form-urlencoded" },
      body: signed.encoded
    })
  }

  const interpret = (answer: Answer, laid: LegacyLaid, target: Target): Either.Either<LegacyResult, LegacyApiError | SdkError> => {
    const where = site(laid, target)
    const contentType = answer.headers["content-type"] ?? ""
    let data: unknown
    try {
      data = Json.parse(answer.body)
    } catch (cause) {
      if (answer.status !== 200) {
        return Either.left(new HttpStatusError({
          ...where,
          status: answer.status,
          traceId: laid.traceId,
          bodyExcerpt: excerpt(answer.body),
          message: `HTTP ${answer.status} without an API 2.0 answer from ${target.host} (${laid.module} ${laid.action}); ${answer.status >= 500 ? "a gateway or server failure: read-only actions are retried" : "check the host and any proxy in between"}`
        }))
      }
      return Either.left(new ResponseParseError({
        ...where,
        status: answer.status,
        contentType,
        traceId: laid.traceId,
        bodyExcerpt: excerpt(answer.body),
        cause,
        message: `the answer of ${laid.module} ${laid.action} from ${target.host} is not JSON (${answer.body.length} characters, content-type ${JSON.stringify(contentType)}); a body cut short is retried for read-only actions`
      }))
    }
    if (isRecord(data) && "code" in data) {
      if (data.code === 0 || data.code === "0") return Either.right(data)
      const code = codeName(data.code, data.codeDesc)
      const numeric = typeof data.code === "number" ? data.code : /^-?\d+$/.test(String(data.code)) ? Number(data.code) : undefined
      const requestId = typeof data.requestId === "string" ? data.requestId : typeof data.RequestId === "string" ? data.RequestId : undefined
      return Either.left(new LegacyApiError({
        ...where,
        code,
        numericCode: typeof data.code === "number" || typeof data.code === "string" ? data.code : undefined,
        serverMessage: typeof data.message === "string" ? data.message : String(data.message ?? ""),
        category: categoryOf(code, numeric),
        requestId,
        traceId: laid.traceId
      }))
    }
    if (answer.status !== 200) {
      return Either.left(new HttpStatusError({
        ...where,
        status: answer.status,
        traceId: laid.traceId,
        bodyExcerpt: excerpt(answer.body),
        message: `HTTP ${answer.status} without an API 2.0 answer from ${target.host} (${laid.module} ${laid.action})`
      }))
    }
    return Either.left(new ResponseParseError({
      ...where,
      status: answer.status,
      contentType,
      traceId: laid.traceId,
      bodyExcerpt: excerpt(answer.body),
      permanent: true,
      message: `the answer of ${laid.module} ${laid.action} from ${target.host} is JSON but not the API 2.0 envelope (no \`code\`); check that the host serves API 2.0`
    }))
  }

  return { name: "qcloud2", layout, sign: signLaid, signWith: signLaid, interpret, secrets: ["Signature", "Token", "SecretKey"] }
}
