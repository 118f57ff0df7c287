/**
 * Tencent Cloud API 3.0 as a protocol value (`core/Protocol.ts`): layout (parameters, headers,
 * endpoint, trace id, ClientToken, body kind), signing (TC3 or v1 through the `Signer`, with the
 * cloud's size limits), and reading the `{"Response": ...}` envelope.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { randomUUID } from "node:crypto"
import type { ActionInfo, CallOptions } from "../core/Call.js"
import type { CallOverrides } from "../core/Overrides.js"
import type { Answer, Laid, Outgoing, Protocol, Target } from "../core/Protocol.js"
import * as ClientConfig from "../ClientConfig.js"
import * as Endpoint from "../Endpoint.js"
import {
  type ApiError,
  type CallSite,
  fromServerCode,
  HttpStatusError,
  RequestValidationError,
  ResponseParseError,
  type UnknownApiError
} from "../Errors.js"
import * as Json from "../Json.js"
import * as Retry from "../Retry.js"
import type * as Signer from "../Signer.js"

const SIZE_GET = 32 * 1024
const SIZE_V1_POST = 1024 * 1024
const SIZE_TC3 = 10 * 1024 * 1024
const EXCERPT = 512

/** JSON members whose values are secrets (temporary keys in STS and metadata answers). */
const SECRET_MEMBERS = /("(?:Token|TmpSecretKey|SecretKey|SessionToken|SecurityToken|Password|PrivateKey)"\s*:\s*)"(?:[^"\\]|\\.)*("|$)/gi

/** The start of a body, for errors: secret members redacted (also when cut short). */
const excerpt = (text: string) =>
  (text.length > EXCERPT ? text.slice(0, EXCERPT) + "…" : text).replace(SECRET_MEMBERS, (_, k: string) => `${k}"<redacted>"`)

/** The input of one API 3.0 call. */
export interface Input {
  readonly info: ActionInfo
  readonly params: Readonly<Record<string, unknown>>
  readonly options?: CallOptions | undefined
}

/** A laid-out API 3.0 call. */
export interface Api3Laid extends Laid {
  readonly method: "GET" | "POST"
  readonly language: "zh-CN" | "en-US" | undefined
  readonly params: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
  readonly body: Signer.RequestBody | undefined
}

/** The `Response` object of an answer, `RequestId` included. */
export type Api3Response = Record<string, unknown>

/** Interpret an answer: the `Response` object, or the error it carries. */
export const interpret = (
  status: number,
  contentType: string,
  text: string,
  info: ActionInfo,
  site: CallSite,
  traceId: string
): Either.Either<Api3Response, ApiError<string> | UnknownApiError | HttpStatusError | ResponseParseError> => {
  let parsed: unknown
  let parseFailure: unknown
  try {
    parsed = text === "" ? undefined : Json.parse(text)
  } catch (e) {
    parseFailure = e
  }
  const resp = parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>).Response : undefined
  const env = resp !== null && typeof resp === "object" && !Array.isArray(resp) ? (resp as Record<string, unknown>) : undefined
  const requestId = env && typeof env.RequestId === "string" ? env.RequestId : undefined
  if (env !== undefined && "Error" in env && env.Error !== undefined) {
    // any Error member is a failure; a code that is not a non-empty string is not a code we can type
    const err = env.Error as any
    const code: unknown = err !== null && typeof err === "object" ? err.Code : undefined
    const serverMessage = err !== null && typeof err === "object" && typeof err.Message === "string" ? err.Message : typeof err === "string" ? err : ""
    if (typeof code === "string" && code !== "") {
      return Either.left(fromServerCode({ ...site, code, serverMessage, requestId: requestId ?? "" }, info.codes))
    }
    return Either.left(
      fromServerCode({ ...site, code: `Invalid(${JSON.stringify(code ?? err) ?? "undefined"})`, serverMessage, requestId: requestId ?? "" }, new Set())
    )
  }
  if (status !== 200) {
    return Either.left(
      new HttpStatusError({
        ...site,
        status,
        traceId,
        requestId,
        bodyExcerpt: excerpt(text),
        message: `HTTP ${status} without an API error body from ${site.endpoint} (${site.service} ${site.action}, trace id ${traceId}); ${status >= 500 ? "a gateway or server failure: safe actions are retried by the default policy and the region breaker can fail over" : "check the endpoint and any proxy in between"}`
      })
    )
  }
  if (contentType.startsWith("text/event-stream")) {
    return Either.left(
      new ResponseParseError({
        ...site,
        status,
        contentType,
        traceId,
        bodyExcerpt: excerpt(text),
        permanent: true,
        message: `${site.service} ${site.action} answered a server-sent event stream; call its streaming variant (Client.stream or the generated \`...Stream\` function)`
      })
    )
  }
  if (env === undefined || requestId === undefined) {
    const cutShort = parseFailure !== undefined && text.length > 0 && !/[}\]]\s*$/.test(text)
    const why = parseFailure !== undefined
      ? `the body is not valid JSON (${text.length} bytes${cutShort ? ", apparently cut short" : ""})`
      : text === ""
        ? "the body is empty"
        : "the body is JSON but not the API envelope {\"Response\":{...,\"RequestId\"}}"
    return Either.left(
      new ResponseParseError({
        ...site,
        status,
        contentType,
        traceId,
        bodyExcerpt: excerpt(text),
        cause: parseFailure,
        // a complete answer that is not the envelope will not change when asked again; a body cut short may
        permanent: parseFailure === undefined || !cutShort ? true : undefined,
        message: `could not read the answer of ${site.service} ${site.action} from ${site.endpoint}: ${why}; content-type ${JSON.stringify(contentType)}, trace id ${traceId}. Check that the endpoint is a Tencent Cloud API endpoint (not a proxy or portal page).`
      })
    )
  }
  return Either.right(env)
}

/** Build the API 3.0 protocol for a client's configuration and signer. */
export const make = (cfg: ClientConfig.Resolved, signer: Signer.SignerService): Protocol<Input, Api3Laid, Api3Response, ApiError<string> | UnknownApiError> => {
  // the endpoint depends only on service, region and endpoint override: resolve each once
  const endpoints = new Map<string, Either.Either<Endpoint.ResolvedEndpoint, RequestValidationError>>()
  const resolveEndpoint = (service: string, region: string | undefined, endpoint: string | undefined) => {
    const key = `${service}|${region ?? ""}|${endpoint ?? ""}`
    let ep = endpoints.get(key)
    if (ep === undefined) {
      ep = Endpoint.resolve({ service, region, endpoint, rootDomain: cfg.rootDomain, regionalEndpoint: cfg.regionalEndpoint, scheme: cfg.scheme })
      if (endpoints.size >= 1024) endpoints.clear()
      endpoints.set(key, ep)
    }
    return ep
  }
  const base: ClientConfig.PerCall = { region: cfg.region, language: cfg.language, method: cfg.method, endpoint: cfg.endpoint }
  const v1 = signer.method !== "TC3-HMAC-SHA256"
  // what a call of an action with the client's own settings always lays out the same (read-only,
  // shared by its calls); an action's info is made once per action
  interface Fixed {
    readonly site: CallSite
    readonly primary: Endpoint.ResolvedEndpoint
    readonly breakerKey: string
    readonly safe: boolean
  }
  const fixedByAction = new WeakMap<ActionInfo, Fixed>()
  const fixedOf = (info: ActionInfo, pc: ClientConfig.PerCall): Either.Either<Fixed, RequestValidationError> => {
    const cached = pc === base ? fixedByAction.get(info) : undefined
    if (cached !== undefined) return Either.right(cached)
    const ep = resolveEndpoint(info.service, pc.region, pc.endpoint)
    if (Either.isLeft(ep)) return Either.left(ep.left)
    const fixed: Fixed = {
      site: { service: info.service, version: info.version, action: info.action, region: pc.region, endpoint: ep.right.host },
      primary: ep.right,
      breakerKey: `${info.service}|${pc.region ?? ""}|${ep.right.host}`,
      safe: Retry.isSafeToRepeat(info)
    }
    if (pc === base) fixedByAction.set(info, fixed)
    return Either.right(fixed)
  }

  const layout = (input: Input, ov: CallOverrides): Either.Either<Api3Laid, RequestValidationError> => {
    const { info, params, options: callOptions } = input
    const fail = (field: string, problem: string, fix: string) =>
      Either.left(RequestValidationError.make({ service: info.service, action: info.action, field, problem, fix }))
    if (params === null || typeof params !== "object" || Array.isArray(params)) {
      return fail("params", "the request parameters are not an object", "pass an object such as {} or { Limit: 10 }")
    }
    let pc = base
    if (ov.region !== undefined || ov.language !== undefined || ov.method !== undefined || ov.endpoint !== undefined) {
      const r = ClientConfig.perCall(cfg, ov)
      if (Either.isLeft(r)) return Either.left(r.left)
      pc = r.right
    }
    const transport = info.transport ?? "json"
    const method = transport === "json" ? pc.method : "POST"
    const fixed = fixedOf(info, pc)
    if (Either.isLeft(fixed)) return Either.left(fixed.left)
    const { site, primary, breakerKey, safe } = fixed.right
    const headers: Record<string, string> = {}
    for (const k in cfg.headers) headers[k] = cfg.headers[k]
    if (ov.headers !== undefined) for (const k in ov.headers) headers[k] = ov.headers[k]
    if (callOptions?.headers !== undefined) for (const k in callOptions.headers) headers[k] = callOptions.headers[k]
    let traceId: string | undefined
    for (const k in headers) {
      if (k.toLowerCase() === "x-tc-traceid") {
        traceId = headers[k]
        delete headers[k]
      }
    }
    traceId ??= randomUUID()
    headers["X-TC-TraceId"] = traceId
    headers["X-TC-RequestClient"] = cfg.requestClient
    if (cfg.connectTo !== undefined) headers["X-TC-Service"] = info.service
    let body: Signer.RequestBody | undefined
    if (transport === "multipart") body = { _tag: "Multipart" }
    else if (transport === "octet-stream") {
      if (callOptions?.octetStream === undefined) {
        return fail("body", "this action uploads bytes but none were given", "pass the body bytes (CallOptions.octetStream)")
      }
      body = { _tag: "OctetStream", bytes: callOptions.octetStream }
    }
    let finalParams = params
    if (info.clientToken && (params as any).ClientToken === undefined) {
      finalParams = { ...params, ClientToken: randomUUID() }
    }
    return Either.right({
      info,
      site,
      safe,
      primary,
      breakerKey,
      timeoutMillis: cfg.timeoutMillis,
      traceId,
      anonymous: info.skipSign === true,
      method,
      language: pc.language,
      params: finalParams,
      headers,
      body
    })
  }

  const sign = (laid: Api3Laid, target: Target, credential: Parameters<Signer.SignerService["sign"]>[1], now: number, nonce: number): Either.Either<Outgoing, RequestValidationError> => {
    const { info } = laid
    const checked = signer.signChecked(
      {
        method: laid.method,
        scheme: target.scheme,
        host: target.host,
        service: info.service,
        version: info.version,
        action: info.action,
        region: laid.site.region,
        language: laid.language,
        params: laid.params,
        body: laid.body,
        headers: laid.headers,
        unsignedPayload: cfg.unsignedPayload,
        skipSign: info.skipSign,
        requestClient: cfg.requestClient
      },
      credential,
      now / 1000,
      nonce
    )
    if (Either.isLeft(checked)) {
      const { path, problem } = checked.left
      return Either.left(
        RequestValidationError.make({
          service: info.service,
          action: info.action,
          field: path === "" ? "params" : path,
          problem,
          fix: "send plain data: finite numbers within the member's type, strings without lone surrogates, no cycles or functions"
        })
      )
    }
    const signed = checked.right
    const fail = (problem: string, fix: string) =>
      Either.left(RequestValidationError.make({ service: info.service, action: info.action, field: "params", problem, fix }))
    const bodyLen = signed.body === undefined ? 0 : typeof signed.body === "string" ? Buffer.byteLength(signed.body) : signed.body.length
    if (signed.method === "GET" && signed.url.length > SIZE_GET) {
      return fail(`the GET request is ${signed.url.length} bytes, over the 32 KB limit`, "use POST (the default method) for large requests")
    }
    if (v1 && !info.skipSign && signed.method === "POST" && bodyLen > SIZE_V1_POST) {
      return fail(`the v1-signed POST body is ${bodyLen} bytes, over the 1 MB limit of v1 signatures`, "use TC3-HMAC-SHA256 (the default signMethod), which allows 10 MB")
    }
    if (bodyLen > SIZE_TC3) {
      return fail(`the request body is ${bodyLen} bytes, over the 10 MB limit`, "split the request or upload large data through COS")
    }
    return Either.right(signed)
  }

  return {
    name: "tencentcloud",
    layout,
    // only the v1 signatures (HmacSHA1/HmacSHA256) carry a nonce
    usesNonce: () => v1,
    sign,
    interpret: (answer: Answer, laid: Api3Laid, target: Target) =>
      interpret(answer.status, answer.headers["content-type"] ?? "", answer.body, laid.info, laid.site.endpoint === target.host ? laid.site : { ...laid.site, endpoint: target.host }, laid.traceId),
    streams: (status, headers) => status === 200 && (headers["content-type"] ?? "").startsWith("text/event-stream")
  }
}
