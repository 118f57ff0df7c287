/**
 * Sending one attempt and reading its answer, for every protocol: the fast lane of a transport
 * that has one (`fastLane.ts`), otherwise `@effect/platform`'s `HttpClient`. Transport failures
 * become `NetworkError` (with a reason and a hint), `TimeoutError` or `ResponseTooLargeError`;
 * nothing else is decided here.
 *
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type CallSite, NetworkError, ResponseTooLargeError, TimeoutError } from "../Errors.js"
import { abortable, FastBroken, type FastSend, FastTooLarge } from "./fastLane.js"
import type { Answer, Outgoing } from "./Protocol.js"
import { isBeforeSend } from "../internal/staleConnection.js"
import { sanitizeCause } from "./sanitize.js"

/** What an attempt's errors say about where it was going. */
export interface AttemptSite {
  readonly site: CallSite
  readonly traceId: string
  readonly attempt: number
  readonly timeoutMillis: number
  readonly maxBytes: number
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
  return msg === "" ? "unknown transport failure" : msg
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

/** A failure to send or to receive the answer's head. */
export const networkError = (a: AttemptSite, rawCause: unknown): NetworkError => {
  // read from the raw cause: sanitising drops the socket the check looks at
  const beforeSend = isBeforeSend(rawCause) || undefined
  const cause = sanitizeCause(rawCause)
  const code = causeCode(cause)
  const reason = networkReason(code)
  const s = a.site
  return new NetworkError({
    ...s,
    reason,
    beforeSend,
    traceId: a.traceId,
    cause,
    message: `${reason} failure calling ${s.service} ${s.action} at ${s.endpoint}${code ? ` (${code})` : ""}: ${causeMessage(cause)}; ${networkHint[reason]} (trace id ${a.traceId}, attempt ${a.attempt})`
  })
}

/** The connection broke after the answer began (while reading a body or an event stream). */
export const brokenAnswer = (site: CallSite, traceId: string, rawCause: unknown, what: string): NetworkError => {
  const cause = sanitizeCause(rawCause)
  const code = causeCode(cause)
  return new NetworkError({
    ...site,
    reason: "Reset",
    traceId,
    cause,
    message: `the connection broke while reading ${what} of ${site.service} ${site.action} from ${site.endpoint}${code ? ` (${code})` : ""}: ${causeMessage(cause)}; ${networkHint.Reset} (trace id ${traceId})`
  })
}

export const timeoutError = (a: AttemptSite): TimeoutError =>
  new TimeoutError({
    ...a.site,
    timeoutMillis: a.timeoutMillis,
    traceId: a.traceId,
    message: `no answer from ${a.site.endpoint} for ${a.site.service} ${a.site.action} within ${a.timeoutMillis} ms; the request was aborted (trace id ${a.traceId}, attempt ${a.attempt}). Raise the timeout (client option \`timeout\` or \`Client.withTimeout\`) or check the network.`
  })

export const tooLarge = (a: AttemptSite): ResponseTooLargeError =>
  new ResponseTooLargeError({
    ...a.site,
    limitBytes: a.maxBytes,
    traceId: a.traceId,
    message: `the answer of ${a.site.service} ${a.site.action} from ${a.site.endpoint} is larger than ${a.maxBytes} bytes; reading stopped and the connection was closed (trace id ${a.traceId}). Raise \`maxResponseBytes\` if such answers are expected, or narrow the request (paging, filters).`
  })

/** What a rejection of the fast lane means for the attempt. */
export const fastFailure = (a: AttemptSite, e: unknown, timedOut: boolean): NetworkError | TimeoutError | ResponseTooLargeError =>
  timedOut
    ? timeoutError(a)
    : e instanceof FastTooLarge
      ? tooLarge(a)
      : e instanceof FastBroken
        ? brokenAnswer(a.site, a.traceId, e.cause, `the answer (attempt ${a.attempt})`)
        : networkError(a, e)

/**
 * Start one fast-lane exchange (plain code): the timeout is an abort; exactly one of `onAnswer`,
 * `onFailure` is called, unless the returned `cancel` ran first. `cancel` clears the timer, aborts
 * the request and says whether it stopped an exchange still open.
 */
export const startFast = (
  fast: FastSend,
  method: string,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string | Uint8Array | undefined,
  a: AttemptSite,
  onAnswer: (answer: Answer) => void,
  onFailure: (e: NetworkError | TimeoutError | ResponseTooLargeError) => void
): (() => boolean) => {
  const controller = abortable()
  let open = true
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, a.timeoutMillis)
  fast({ method, url, headers, body, maxBytes: a.maxBytes, signal: controller.signal }).then(
    (r) => {
      clearTimeout(timer)
      if (!open) return
      open = false
      onAnswer(r)
    },
    (e) => {
      clearTimeout(timer)
      if (!open) return
      open = false
      onFailure(fastFailure(a, e, timedOut))
    }
  )
  return () => {
    if (!open) return false
    open = false
    clearTimeout(timer)
    controller.abort()
    return true
  }
}

/** Send through the fast lane: one promise, aborted on interruption and when the timeout fires. */
export const sendFast = (
  fast: FastSend,
  method: string,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string | Uint8Array | undefined,
  a: AttemptSite
): Effect.Effect<Answer, NetworkError | TimeoutError | ResponseTooLargeError> =>
  Effect.async<Answer, NetworkError | TimeoutError | ResponseTooLargeError>((resume) => {
    const cancel = startFast(fast, method, url, headers, body, a, (r) => resume(Effect.succeed(r)), (e) => resume(Effect.fail(e)))
    return Effect.sync(cancel)
  })

const bodyOf = (out: Outgoing): HttpBody.HttpBody | undefined => {
  const b = out.body
  if (b === undefined) return undefined
  const ct = out.headers["Content-Type"] ?? out.headers["content-type"]
  if (typeof b === "string") return HttpBody.text(b, ct)
  if (b instanceof Uint8Array) return HttpBody.uint8Array(b, ct)
  return HttpBody.stream(b.open() as Stream.Stream<Uint8Array, never>, ct, b.length)
}

/** Build the platform request for an outgoing request sent to `url`. */
export const platformRequest = (out: Outgoing, url: string, headers: Readonly<Record<string, string>>): HttpClientRequest.HttpClientRequest => {
  const request = HttpClientRequest.make(out.method as "GET")(url, { headers })
  const body = bodyOf(out)
  return body === undefined ? request : HttpClientRequest.setBody(request, body)
}

/** Execute through the platform client; the answer's head, body unread. Times out with the attempt. */
export const executeHead = (
  http: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  a: AttemptSite
): Effect.Effect<HttpClientResponse.HttpClientResponse, NetworkError> =>
  Effect.mapError(http.execute(request), (e: HttpClientError.HttpClientError) => networkError(a, e.cause))

const headersOf = (response: HttpClientResponse.HttpClientResponse): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const k in response.headers) out[k.toLowerCase()] = response.headers[k]
  return out
}

/** Send through the platform client and read the body as text, within the timeout and size cap. */
export const sendGeneral = (
  http: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  a: AttemptSite
): Effect.Effect<Answer, NetworkError | TimeoutError | ResponseTooLargeError> =>
  Effect.flatMap(executeHead(http, request, a), (response) => {
    const headers = headersOf(response)
    const declared = Number(headers["content-length"])
    if (Number.isFinite(declared) && declared > a.maxBytes) return Effect.fail(tooLarge(a))
    return Effect.flatMap(
      Effect.mapError(response.text, (e) => brokenAnswer(a.site, a.traceId, e.cause, `the answer (attempt ${a.attempt})`)),
      (text): Effect.Effect<Answer, ResponseTooLargeError> =>
        text.length > a.maxBytes ? Effect.fail(tooLarge(a)) : Effect.succeed({ status: response.status, headers, body: text })
    )
  }).pipe(withTimeout(a))

/** Fail with `TimeoutError` (interrupting, so aborting, the request) after the attempt's timeout. */
export const withTimeout = (a: AttemptSite) => <A, E>(self: Effect.Effect<A, E>): Effect.Effect<A, E | TimeoutError> =>
  Effect.timeoutFail(self, { duration: Duration.millis(a.timeoutMillis), onTimeout: () => timeoutError(a) })

/** The head of a streamed answer and its body as a stream of bytes. */
export const headersOfResponse = headersOf

/** The body of a streamed answer; a broken connection becomes `NetworkError` (reason `Reset`). */
export const bodyStream = (response: HttpClientResponse.HttpClientResponse, site: CallSite, traceId: string, what: string) =>
  response.stream.pipe(Stream.mapError((e) => brokenAnswer(site, traceId, e.cause, what)))
