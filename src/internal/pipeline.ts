/**
 * The call pipeline behind `TencentCloud.call`: overrides → endpoint → breaker → credentials →
 * sign → HTTP → envelope → errors, wrapped in the retry schedule, a span and debug logs.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpBody from "@effect/platform/HttpBody"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import { randomUUID } from "node:crypto"
import type { ActionInfo, CallError, CallOptions, ServerSentEvent, TencentCloudService } from "../Client.js"
import { Credentials } from "../Credentials.js"
import * as Endpoint from "../Endpoint.js"
import {
  type CallSite,
  fromServerCode,
  HttpStatusError,
  isApiError,
  NetworkError,
  RequestValidationError,
  ResponseParseError,
  TimeoutError
} from "../Errors.js"
import * as Json from "../Json.js"
import * as RegionBreaker from "../RegionBreaker.js"
import * as Retry from "../Retry.js"
import * as Signer from "../Signer.js"
import * as sse from "./sse.js"
import { VERSION } from "./version.js"

/** A raw exchange shown to the debugging hook; `Authorization`, tokens and signatures redacted. */
export interface HttpExchange {
  readonly service: string
  readonly action: string
  readonly attempt: number
  readonly request: {
    readonly method: string
    readonly url: string
    readonly headers: Readonly<Record<string, string>>
    readonly body: string | undefined
  }
  readonly response?:
    | { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string | undefined }
    | undefined
  readonly error?: string | undefined
}

/** Client options (validated when the layer is built). */
export interface ClientOptions {
  /** Region sent as `X-TC-Region`, e.g. `ap-guangzhou`. Unset for global services. */
  readonly region?: string | undefined
  /** `X-TC-Language`: `zh-CN` or `en-US`; unset sends no header. */
  readonly language?: "zh-CN" | "en-US" | undefined
  /** `POST` (default) or `GET`. Upload actions always use POST. */
  readonly method?: "GET" | "POST" | undefined
  /** `TC3-HMAC-SHA256` (default), `HmacSHA256` or `HmacSHA1` (v1). */
  readonly signMethod?: Signer.SignatureMethod | undefined
  /** Per-request timeout (default 60 s); the request is aborted when it fires. */
  readonly timeout?: Duration.DurationInput | undefined
  /** `https` (default) or `http`. */
  readonly scheme?: "https" | "http" | undefined
  /** A custom endpoint (`host`, `host:port` or URL) used for every service. */
  readonly endpoint?: string | undefined
  /** Root domain for `<service>.<root>` (default `tencentcloudapi.com`). */
  readonly rootDomain?: string | undefined
  /** Use `<service>.<region>.<root>` when a region is set. */
  readonly regionalEndpoint?: boolean | undefined
  /**
   * Send every request to this address (e.g. the local emulator, `http://127.0.0.1:4599`) while
   * keeping the logical `Host` header and signature, and adding `X-TC-Service`. Needs a transport
   * that sends the given Host header (the Node undici layer does; fetch does not).
   */
  readonly connectTo?: string | undefined
  /** Headers added to every request (per-call headers win; SDK X-TC-* headers win over both). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Retry policy of this client (per-call `Retry.withRetryPolicy` wins). Default `Retry.defaultPolicy`. */
  readonly retryPolicy?: Retry.RetryPolicy | undefined
  /** TC3: do not hash the body (`X-TC-Content-SHA256: UNSIGNED-PAYLOAD`). */
  readonly unsignedPayload?: boolean | undefined
  /** Enable the region breaker with these settings (or `true` for defaults). A `RegionBreaker` in the context wins. */
  readonly breaker?: boolean | Partial<RegionBreaker.BreakerSettings> | undefined
  /** Extra identification appended to `X-TC-RequestClient` (`[0-9a-zA-Z-_,;.]`, at most 128 chars). */
  readonly requestClient?: string | undefined
  /** A debugging hook that sees every raw request and response, secrets redacted. */
  readonly httpListener?: ((exchange: HttpExchange) => Effect.Effect<void>) | undefined
}

/** Per-call overrides carried in the context (see `Client.withRegion` and friends). */
export interface CallOverrides {
  readonly region?: string | undefined
  readonly language?: "zh-CN" | "en-US" | undefined
  readonly endpoint?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly method?: "GET" | "POST" | undefined
}

const SIZE_GET = 32 * 1024
const SIZE_V1_POST = 1024 * 1024
const SIZE_TC3 = 10 * 1024 * 1024
const EXCERPT = 512

const REQUEST_CLIENT = /^[0-9a-zA-Z\-_,;.]{1,128}$/

const excerpt = (text: string) => (text.length > EXCERPT ? text.slice(0, EXCERPT) + "…" : text)


/** Redact `Token=` and `Signature=` in a query string or form body. */
export const redactForm = (s: string): string => s.replace(/(^|[?&])(Token|Signature)=[^&]*/g, "$1$2=<redacted>")

/** Redact secret-bearing headers. */
export const redactHeaders = (h: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const k in h) {
    const l = k.toLowerCase()
    out[k] = l === "authorization" || l === "x-tc-token" ? "<redacted>" : h[k]
  }
  return out
}

const causeCode = (cause: unknown): string | undefined => {
  let c: any = cause
  for (let i = 0; i < 5 && c; i++) {
    if (typeof c.code === "string") return c.code
    c = c.cause
  }
  return undefined
}

const causeMessage = (cause: unknown): string => {
  let c: any = cause
  let msg = ""
  for (let i = 0; i < 5 && c; i++) {
    if (typeof c.message === "string" && c.message !== "") msg = msg === "" ? c.message : `${msg}: ${c.message}`
    c = c.cause
  }
  return msg === "" ? String(cause) : msg
}

const networkReason = (code: string | undefined): NetworkError["reason"] => {
  if (code === undefined) return "Transport"
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "DNS"
  if (code === "ECONNREFUSED" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH") return "Connect"
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE" || code === "UND_ERR_CLOSED" || code === "ERR_STREAM_PREMATURE_CLOSE") return "Reset"
  if (code.includes("CERT") || code.includes("TLS") || code.includes("SSL") || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") return "TLS"
  return "Transport"
}

const networkHint: Record<NetworkError["reason"], string> = {
  DNS: "check the endpoint's host name and the machine's DNS",
  Connect: "check that the endpoint is reachable (firewall, proxy settings, region host) or that the local emulator is running",
  Reset: "the connection was closed before the answer was complete; safe actions are retried by the default policy",
  TLS: "check the server certificate or the configured CA (`ca` option); `insecure` skips verification for local tests only",
  Transport: "check the network path to the endpoint"
}

interface Resolved {
  readonly region: string | undefined
  readonly language: "zh-CN" | "en-US" | undefined
  readonly method: "GET" | "POST"
  readonly signMethod: Signer.SignatureMethod
  readonly timeoutMillis: number
  readonly scheme: "https" | "http"
  readonly endpoint: string | undefined
  readonly rootDomain: string | undefined
  readonly regionalEndpoint: boolean
  readonly connectTo: Endpoint.ResolvedEndpoint | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly requestClient: string
  readonly unsignedPayload: boolean
}

/** A positive timeout in milliseconds, or the error naming the `timeout` option. */
const parseTimeout = (input: Duration.DurationInput): Either.Either<number, RequestValidationError> => {
  const d = Duration.decodeUnknown(input)
  return Option.isSome(d) && Duration.toMillis(d.value) > 0
    ? Either.right(Duration.toMillis(d.value))
    : Either.left(RequestValidationError.make({ field: "timeout", problem: `${String(input)} is not a positive duration`, fix: "use e.g. \"30 seconds\" or a number of milliseconds" }))
}

/** Validate client options; the first problem is reported with the option's name. */
export const resolveOptions = (o: ClientOptions): Either.Either<Resolved, RequestValidationError> => {
  if (o.region !== undefined && o.region !== "") {
    const r = Endpoint.validateRegion(o.region)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  if (o.language !== undefined) {
    const r = Endpoint.validateLanguage(o.language)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  let method: "GET" | "POST" = "POST"
  if (o.method !== undefined) {
    const r = Endpoint.validateMethod(o.method)
    if (Either.isLeft(r)) return Either.left(r.left)
    method = r.right
  }
  const signMethod = o.signMethod ?? "TC3-HMAC-SHA256"
  if (signMethod !== "TC3-HMAC-SHA256" && signMethod !== "HmacSHA256" && signMethod !== "HmacSHA1") {
    return Either.left(
      RequestValidationError.make({ field: "signMethod", problem: `${JSON.stringify(signMethod)} is not a signature method`, fix: "use \"TC3-HMAC-SHA256\" (default), \"HmacSHA256\" or \"HmacSHA1\"" })
    )
  }
  if (o.scheme !== undefined && o.scheme !== "https" && o.scheme !== "http") {
    return Either.left(RequestValidationError.make({ field: "scheme", problem: `${JSON.stringify(o.scheme)} is not a scheme`, fix: "use \"https\" (default) or \"http\"" }))
  }
  const scheme = o.scheme ?? "https"
  if (o.endpoint !== undefined && o.endpoint !== "") {
    const r = Endpoint.parseEndpoint(o.endpoint, scheme)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  if (o.rootDomain !== undefined && o.rootDomain !== "") {
    const r = Endpoint.validateRootDomain(o.rootDomain)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  let connectTo: Endpoint.ResolvedEndpoint | undefined
  if (o.connectTo !== undefined && o.connectTo !== "") {
    const r = Endpoint.parseEndpoint(o.connectTo, "http", "connectTo")
    if (Either.isLeft(r)) return Either.left(r.left)
    connectTo = r.right
  }
  let timeoutMillis = 60_000
  if (o.timeout !== undefined) {
    const t = parseTimeout(o.timeout)
    if (Either.isLeft(t)) return Either.left(t.left)
    timeoutMillis = t.right
  }
  let requestClient = `effect-tencentcloud/${VERSION}`
  if (o.requestClient !== undefined) {
    if (!REQUEST_CLIENT.test(o.requestClient)) {
      return Either.left(
        RequestValidationError.make({ field: "requestClient", problem: `${JSON.stringify(o.requestClient)} has characters outside [0-9a-zA-Z-_,;.] or is longer than 128`, fix: "use a short identifier such as \"my-app;1.2\"" })
      )
    }
    requestClient += `; ${o.requestClient}`
  }
  return Either.right({
    region: o.region === "" ? undefined : o.region,
    language: o.language,
    method,
    signMethod,
    timeoutMillis,
    scheme,
    endpoint: o.endpoint === "" ? undefined : o.endpoint,
    rootDomain: o.rootDomain === "" ? undefined : o.rootDomain,
    regionalEndpoint: o.regionalEndpoint ?? false,
    connectTo,
    headers: o.headers ?? {},
    requestClient,
    unsignedPayload: o.unsignedPayload ?? false
  })
}

/** Everything a call needs, fixed for all its attempts. */
interface Prepared {
  readonly info: ActionInfo
  readonly site: CallSite
  readonly primary: Endpoint.ResolvedEndpoint
  readonly breakerKey: string
  readonly method: "GET" | "POST"
  readonly region: string | undefined
  readonly language: "zh-CN" | "en-US" | undefined
  readonly params: Readonly<Record<string, unknown>>
  readonly headers: Record<string, string>
  readonly traceId: string
  readonly timeoutMillis: number
  readonly body: Signer.RequestBody | undefined
}

/** Interpret an answer: the `Response` object, or the error it carries. */
export const interpret = (
  status: number,
  contentType: string,
  text: string,
  info: ActionInfo,
  site: CallSite,
  traceId: string
): Either.Either<Record<string, unknown>, CallError> => {
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
  const err = env?.Error
  if (err !== null && typeof err === "object" && typeof (err as any).Code === "string") {
    const code: string = (err as any).Code
    const serverMessage = typeof (err as any).Message === "string" ? (err as any).Message : ""
    return Either.left(fromServerCode({ ...site, code, serverMessage, requestId: requestId ?? "" }, info.codes))
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
  if (env === undefined || requestId === undefined) {
    const why = parseFailure !== undefined
      ? `the body is not valid JSON (${text.length} bytes${text.length > 0 && !/[}\]]\s*$/.test(text) ? ", apparently cut short" : ""})`
      : "the body is JSON but not the API envelope {\"Response\":{...,\"RequestId\"}}"
    return Either.left(
      new ResponseParseError({
        ...site,
        status,
        contentType,
        traceId,
        bodyExcerpt: excerpt(text),
        cause: parseFailure,
        message: `could not read the answer of ${site.service} ${site.action} from ${site.endpoint}: ${why}; content-type ${JSON.stringify(contentType)}, trace id ${traceId}. Check that the endpoint is a Tencent Cloud API endpoint (not a proxy or portal page).`
      })
    )
  }
  return Either.right(env)
}

/** Build the service. */
export const make = (options: ClientOptions) =>
  Effect.gen(function* () {
    const resolvedE = resolveOptions(options)
    if (Either.isLeft(resolvedE)) return yield* Effect.fail(resolvedE.left)
    const cfg = resolvedE.right
    const credentials = yield* Credentials
    const http = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
    const signer = Option.getOrElse(yield* Effect.serviceOption(Signer.Signer), () => Signer.make(cfg.signMethod))
    const breakerFromContext = yield* Effect.serviceOption(RegionBreaker.RegionBreaker)
    const breaker: RegionBreaker.RegionBreakerService = Option.isSome(breakerFromContext)
      ? breakerFromContext.value
      : options.breaker
        ? yield* RegionBreaker.make(options.breaker === true ? {} : options.breaker)
        : RegionBreaker.disabled
    const clientPolicy = options.retryPolicy
    const listener = options.httpListener

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

    const prepare = (
      info: ActionInfo,
      params: Readonly<Record<string, unknown>>,
      callOptions: CallOptions | undefined,
      ov: CallOverrides
    ): Effect.Effect<Prepared, RequestValidationError> => {
      const fail = (field: string, problem: string, fix: string) =>
        Effect.fail(RequestValidationError.make({ service: info.service, action: info.action, field, problem, fix }))
      if (params === null || typeof params !== "object" || Array.isArray(params)) {
        return fail("params", "the request parameters are not an object", "pass an object such as {} or { Limit: 10 }")
      }
      let region = cfg.region
      if (ov.region !== undefined) {
        const r = Endpoint.validateRegion(ov.region)
        if (Either.isLeft(r)) return Effect.fail(r.left)
        region = ov.region
      }
      let language = cfg.language
      if (ov.language !== undefined) {
        const r = Endpoint.validateLanguage(ov.language)
        if (Either.isLeft(r)) return Effect.fail(r.left)
        language = r.right
      }
      let method = cfg.method
      if (ov.method !== undefined) {
        const r = Endpoint.validateMethod(ov.method)
        if (Either.isLeft(r)) return Effect.fail(r.left)
        method = r.right
      }
      const transport = info.transport ?? "json"
      if (transport !== "json") method = "POST"
      const ep = resolveEndpoint(info.service, region, ov.endpoint ?? cfg.endpoint)
      if (Either.isLeft(ep)) return Effect.fail(ep.left)
      let timeoutMillis = cfg.timeoutMillis
      if (ov.timeout !== undefined) {
        const t = parseTimeout(ov.timeout)
        if (Either.isLeft(t)) return Effect.fail(t.left)
        timeoutMillis = t.right
      }
      const headers: Record<string, string> = { ...cfg.headers, ...ov.headers, ...callOptions?.headers }
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
      return Effect.succeed({
        info,
        site: { service: info.service, version: info.version, action: info.action, region, endpoint: ep.right.host },
        primary: ep.right,
        breakerKey: `${info.service}|${region ?? ""}|${ep.right.host}`,
        method,
        region,
        language,
        params: finalParams,
        headers,
        traceId,
        timeoutMillis,
        body
      })
    }

    /** Sign and send one attempt; yields the response head (body unread). */
    const sendOnce = (p: Prepared, attempt: number, host: string, scheme: "https" | "http") =>
      Effect.gen(function* () {
        const site: CallSite = { ...p.site, endpoint: host }
        const credential = p.info.skipSign ? undefined : yield* credentials.get
        const now = yield* Clock.currentTimeMillis
        const nonce = yield* Random.nextIntBetween(1, 2147483647)
        const signed = signer.sign(
          {
            method: p.method,
            scheme,
            host,
            service: p.info.service,
            version: p.info.version,
            action: p.info.action,
            region: p.region,
            language: p.language,
            params: p.params,
            body: p.body,
            headers: p.headers,
            unsignedPayload: cfg.unsignedPayload,
            skipSign: p.info.skipSign,
            requestClient: cfg.requestClient
          },
          credential,
          now / 1000,
          nonce
        )
        // size limits, before anything is sent
        const bodyLen = signed.body === undefined ? 0 : typeof signed.body === "string" ? Buffer.byteLength(signed.body) : signed.body.length
        const v1 = signer.method !== "TC3-HMAC-SHA256" && !p.info.skipSign
        if (signed.method === "GET" && signed.url.length > SIZE_GET) {
          return yield* Effect.fail(RequestValidationError.make({ service: p.info.service, action: p.info.action, field: "params", problem: `the GET request is ${signed.url.length} bytes, over the 32 KB limit`, fix: "use POST (the default method) for large requests" }))
        }
        if (v1 && signed.method === "POST" && bodyLen > SIZE_V1_POST) {
          return yield* Effect.fail(RequestValidationError.make({ service: p.info.service, action: p.info.action, field: "params", problem: `the v1-signed POST body is ${bodyLen} bytes, over the 1 MB limit of v1 signatures`, fix: "use TC3-HMAC-SHA256 (the default signMethod), which allows 10 MB" }))
        }
        if (bodyLen > SIZE_TC3) {
          return yield* Effect.fail(RequestValidationError.make({ service: p.info.service, action: p.info.action, field: "params", problem: `the request body is ${bodyLen} bytes, over the 10 MB limit`, fix: "split the request or upload large data through COS" }))
        }
        let url = signed.url
        if (cfg.connectTo !== undefined) {
          const i = url.indexOf("/", url.indexOf("//") + 2)
          url = `${cfg.connectTo.scheme}://${cfg.connectTo.host}${i < 0 ? "/" : url.slice(i)}`
        }
        let request = HttpClientRequest.make(signed.method)(url, { headers: signed.headers })
        if (signed.body !== undefined) {
          const ct = signed.headers["Content-Type"]
          request = HttpClientRequest.setBody(
            request,
            typeof signed.body === "string" ? HttpBody.text(signed.body, ct) : HttpBody.uint8Array(signed.body, ct)
          )
        }
        const exchangeRequest = listener
          ? {
              method: signed.method,
              url: redactForm(url),
              headers: redactHeaders(signed.headers),
              body: signed.body === undefined ? undefined : typeof signed.body === "string" ? redactForm(signed.body) : `<${signed.body.length} bytes>`
            }
          : undefined
        const response = yield* http.execute(request).pipe(
          Effect.mapError((e: HttpClientError.HttpClientError) => {
            const cause = e.cause
            const code = causeCode(cause)
            const reason = networkReason(code)
            return new NetworkError({
              ...site,
              reason,
              traceId: p.traceId,
              cause,
              message: `${reason} failure calling ${site.service} ${site.action} at ${host}${code ? ` (${code})` : ""}: ${causeMessage(cause)}; ${networkHint[reason]} (trace id ${p.traceId}, attempt ${attempt})`
            })
          }),
          Effect.tapError((e) =>
            listener && exchangeRequest
              ? listener({ service: p.info.service, action: p.info.action, attempt, request: exchangeRequest, error: e.message })
              : Effect.void
          )
        )
        return { response, site, exchangeRequest }
      })

    /** The connection broke after the answer began (while reading a body or an event stream). */
    const brokenAnswer = (site: CallSite, traceId: string, cause: unknown, what: string) => {
      const code = causeCode(cause)
      return new NetworkError({
        ...site,
        reason: "Reset",
        traceId,
        cause,
        message: `the connection broke while reading ${what} of ${site.service} ${site.action} from ${site.endpoint}${code ? ` (${code})` : ""}: ${causeMessage(cause)}; ${networkHint.Reset} (trace id ${traceId})`
      })
    }

    const readBody = (response: HttpClientResponse.HttpClientResponse, site: CallSite, traceId: string, attempt: number) =>
      Effect.mapError(response.text, (e) => brokenAnswer(site, traceId, e.cause, `the answer (attempt ${attempt})`))

    /** Fail an attempt with a TimeoutError (and abort its request) after the call's timeout. */
    const attemptTimeout = (p: Prepared, host: string, attempt: number) =>
      <A>(self: Effect.Effect<A, CallError>): Effect.Effect<A, CallError> =>
        Effect.timeoutFail(self, {
          duration: Duration.millis(p.timeoutMillis),
          onTimeout: () =>
            new TimeoutError({
              ...p.site,
              endpoint: host,
              timeoutMillis: p.timeoutMillis,
              traceId: p.traceId,
              message: `no answer from ${host} for ${p.site.service} ${p.site.action} within ${p.timeoutMillis} ms; the request was aborted (trace id ${p.traceId}, attempt ${attempt}). Raise the timeout (Client option \`timeout\` or \`Client.withTimeout\`) or check the network.`
            })
        })

    /** Runs `attemptBody` under breaker, retry, span; shared by call and stream. */
    const orchestrate = <A>(
      p: Prepared,
      attemptBody: (attempt: number, host: string, scheme: "https" | "http") => Effect.Effect<A, CallError>
    ) =>
      Effect.gen(function* () {
        // a policy set on the call (Retry.withRetryPolicy) wins over the client's, even the default one
        const setOnCall = (yield* Effect.context<never>()).unsafeMap.has(Retry.CurrentRetryPolicy.key)
        const policy = setOnCall ? yield* Retry.CurrentRetryPolicy : clientPolicy ?? Retry.defaultPolicy
        const schedule = policy({ info: p.info, safe: Retry.isSafeToRepeat(p.info) })
        let attempts = 0
        const debug = LogLevel.greaterThanEqual(LogLevel.Debug, yield* FiberRef.get(FiberRef.currentMinimumLogLevel))
        const one = Effect.suspend(() => {
          const attempt = ++attempts
          return Effect.flatMap(breaker.before(p.breakerKey), (ticket) => {
            const host = ticket.useBackup ? breaker.backupHost(p.info.service) : p.primary.host
            const scheme = ticket.useBackup ? "https" : p.primary.scheme
            return attemptBody(attempt, host, scheme).pipe(
              Effect.exit,
              Effect.flatMap((exit) => {
                const s = RegionBreaker.classify(exit)
                const record = s === undefined ? Effect.void : breaker.after(p.breakerKey, ticket, s)
                const failure = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
                const annotate = Effect.annotateCurrentSpan({
                  "tencentcloud.attempt": attempt,
                  "tencentcloud.endpoint": host,
                  ...(failure && "code" in failure ? { "tencentcloud.error_code": (failure as any).code } : {}),
                  ...(failure ? { "tencentcloud.error": isApiError(failure) ? "ApiError" : failure._tag } : {}),
                  ...(failure && "requestId" in failure && (failure as any).requestId ? { "tencentcloud.request_id": (failure as any).requestId } : {})
                })
                const log = debug
                  ? Effect.logDebug(
                      `tencentcloud ${p.info.service} ${p.info.action} attempt ${attempt} via ${host}${ticket.useBackup ? " (backup)" : ""}: ${Exit.isSuccess(exit) ? "ok" : failure ? failure.message : "interrupted"}`
                    ).pipe(Effect.annotateLogs({ service: p.info.service, action: p.info.action, attempt, endpoint: host, traceId: p.traceId }))
                  : Effect.void
                return Effect.zipRight(Effect.zipRight(Effect.zipRight(record, annotate), log), exit)
              })
            )
          })
        })
        // fast path: the schedule's driver is only built when the first attempt fails;
        // the first failure is replayed into it so the policy sees every error
        return yield* Effect.catchAll(one, (first) => {
          let replay = true
          return Effect.retry(
            Effect.suspend(() => {
              if (replay) {
                replay = false
                return Effect.fail(first)
              }
              return one
            }),
            schedule
          )
        })
      }).pipe(
        Effect.withSpan(`tencentcloud.${p.info.service}.${p.info.action}`, {
          kind: "client",
          captureStackTrace: false,
          attributes: {
            "tencentcloud.service": p.info.service,
            "tencentcloud.version": p.info.version,
            "tencentcloud.action": p.info.action,
            "tencentcloud.region": p.region ?? "",
            "tencentcloud.trace_id": p.traceId
          }
        })
      )

    const callPrepared = (p: Prepared) =>
      orchestrate(
        p,
        (attempt, host, scheme) =>
          Effect.gen(function* () {
            const { response, site, exchangeRequest } = yield* sendOnce(p, attempt, host, scheme)
            const text = yield* readBody(response, site, p.traceId, attempt)
            if (listener && exchangeRequest) {
              yield* listener({
                service: p.info.service,
                action: p.info.action,
                attempt,
                request: exchangeRequest,
                response: { status: response.status, headers: { ...response.headers }, body: text }
              })
            }
            const ct = response.headers["content-type"] ?? ""
            if (ct.startsWith("text/event-stream")) {
              return yield* Effect.fail(
                new ResponseParseError({
                  ...site,
                  status: response.status,
                  contentType: ct,
                  traceId: p.traceId,
                  bodyExcerpt: excerpt(text),
                  message: `${site.service} ${site.action} answered a server-sent event stream; call its streaming variant (TencentCloud.stream or the generated \`...Stream\` function)`
                })
              )
            }
            const r = interpret(response.status, ct, text, p.info, site, p.traceId)
            return Either.isRight(r) ? r.right : yield* Effect.fail(r.left)
          }).pipe(attemptTimeout(p, host, attempt))
      )

    const overridesOf = Effect.map(CurrentOverrides, (o) => o)

    const call: TencentCloudService["call"] = (info, params, callOptions) =>
      Effect.flatMap(overridesOf, (ov) => Effect.flatMap(prepare(info, params ?? {}, callOptions, ov), callPrepared))

    const stream: TencentCloudService["stream"] = (info, params, callOptions) =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          const ov = yield* overridesOf
          const p = yield* prepare(info, params ?? {}, callOptions, ov)
          const head = yield* orchestrate(
            p,
            (attempt, host, scheme) =>
              Effect.gen(function* () {
                const { response, site } = yield* sendOnce(p, attempt, host, scheme)
                const ct = response.headers["content-type"] ?? ""
                if (response.status === 200 && ct.startsWith("text/event-stream")) {
                  return { _tag: "Stream" as const, response, site }
                }
                const text = yield* readBody(response, site, p.traceId, attempt)
                const r = interpret(response.status, ct, text, p.info, site, p.traceId)
                if (Either.isLeft(r)) return yield* Effect.fail(r.left)
                return { _tag: "Json" as const, text }
              }).pipe(attemptTimeout(p, host, attempt))
          )
          if (head._tag === "Json") return Stream.succeed<ServerSentEvent>({ data: head.text })
          const site = head.site
          return sse.fromBytes(
            head.response.stream.pipe(Stream.mapError((e) => brokenAnswer(site, p.traceId, e.cause, "the event stream")))
          )
        })
      )

    return { call, stream } satisfies TencentCloudService
  })

// -------------------------------------------------------------------------------------------------
// per-call overrides

/** The per-call overrides in the context. */
export class CurrentOverrides extends Context.Reference<CurrentOverrides>()("effect-tencentcloud/Client/CurrentOverrides", {
  defaultValue: (): CallOverrides => ({})
}) {}
