/**
 * The engine runs a call of any protocol (`Protocol.ts`): per attempt it picks the endpoint
 * (primary, or the backup while the region breaker is open), fetches the credential, signs, sends,
 * reads the answer within the size cap and the timeout, and interprets it; around the attempts it
 * applies the retry policy (`Errors.classify` decides what may be retried and what counts against
 * a region), one span per call, metrics per call (`Metrics.ts`), debug logs and the debugging hook.
 *
 * The fused fast path: the layout, the context lookups (overrides, clock, tracer, log level) and
 * signing are plain code in one step; the transport's fast lane (`fastLane.ts`) sends and reads in
 * one promise with its own timeout; the breaker's bookkeeping runs only when the breaker is on; the
 * span only when a tracer other than Effect's default is installed; the retry driver only after a
 * first failure. What remains per call is a handful of Effect steps around one promise.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
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
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Fiber from "effect/Fiber"
import type { CredentialsService } from "../Credentials.js"
import { type CallSite, classify, RequestValidationError, type SdkError } from "../Errors.js"
import { checkCredential, checkHeaders } from "./check.js"
import * as Metrics from "../Metrics.js"
import * as RegionBreaker from "../RegionBreaker.js"
import * as Retry from "../Retry.js"
import { fastLaneOf } from "./fastLane.js"
import * as fused from "./fused.js"
import { CurrentOverrides } from "./Overrides.js"
import type { Answer, Laid, Outgoing, Protocol, Target } from "./Protocol.js"
import { redactForm, redactHeaders } from "./redact.js"
import * as span from "./span.js"
import * as transport from "./transport.js"

/** A raw exchange shown to the debugging hook; secret headers and parameters redacted. */
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

/** What the engine runs on. */
export interface EngineOptions {
  readonly credentials: CredentialsService
  readonly http: HttpClient.HttpClient
  /** Default: the disabled breaker (every attempt to the primary endpoint, no bookkeeping). */
  readonly breaker?: RegionBreaker.RegionBreakerService | undefined
  /** The client's policy; a per-call `Retry.withRetryPolicy` wins. Default `Retry.defaultPolicy`. */
  readonly retryPolicy?: Retry.RetryPolicy | undefined
  /** The debugging hook: every raw exchange, secrets redacted. */
  readonly listener?: ((exchange: HttpExchange) => Effect.Effect<void>) | undefined
  /** Connect here instead of the signed host (the emulator), keeping the signed `Host` header. */
  readonly connectTo?: Target | undefined
  /** Largest answer read (bytes); default 64 MiB. */
  readonly maxResponseBytes?: number | undefined
}

/** A streamed answer: its head, and its body as bytes (the caller runs it in the call's scope). */
export interface Streamed<L extends Laid> {
  readonly laid: L
  readonly target: Target
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** `false` when the answer was not a stream but a text answer that `interpret` accepted. */
  readonly streamed: boolean
  readonly body: Stream.Stream<Uint8Array, SdkError>
  /** The text of a non-streamed answer. */
  readonly text?: string | undefined
}

/** The engine. */
export interface Engine {
  readonly call: <I, L extends Laid, A, E>(protocol: Protocol<I, L, A, E>, input: I) => Effect.Effect<A, E | SdkError>
  readonly stream: <I, L extends Laid, A, E>(
    protocol: Protocol<I, L, A, E>,
    input: I
  ) => Effect.Effect<Streamed<L>, E | SdkError, Scope.Scope>
}

/** Default cap of an answer's size. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

const nowOf = (services: Context.Context<never>): number =>
  Context.get(services as Context.Context<Clock.Clock>, Clock.Clock).unsafeCurrentTimeMillis()

/** The per-attempt timeout, per-call override first. */
const timeoutOf = (laid: Laid, override: Duration.DurationInput | undefined): Either.Either<number, RequestValidationError> => {
  if (override === undefined) return Either.right(laid.timeoutMillis)
  const d = Duration.decodeUnknown(override)
  return Option.isSome(d) && Duration.toMillis(d.value) > 0
    ? Either.right(Duration.toMillis(d.value))
    : Either.left(RequestValidationError.make({ field: "timeout", problem: `${String(override)} is not a positive duration`, fix: "use e.g. \"30 seconds\" or a number of milliseconds" }))
}

/** Build an engine. */
export const make = (options: EngineOptions): Engine => {
  const { credentials, listener, connectTo } = options
  const breaker = options.breaker ?? RegionBreaker.disabled
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  // the fast lane is taken from the client as given: a wrapped client has none and goes the general way
  const fast = listener === undefined ? fastLaneOf(options.http) : undefined
  // the platform's own span would record the full URL (a v1 query carries the token)
  const http = options.http.pipe(HttpClient.withTracerDisabledWhen(() => true))

  const connectUrl = (url: string): string => {
    if (connectTo === undefined) return url
    const i = url.indexOf("/", url.indexOf("//") + 2)
    return `${connectTo.scheme}://${connectTo.host}${i < 0 ? "/" : url.slice(i)}`
  }
  const sendHeaders = (out: Outgoing, target: Target): Readonly<Record<string, string>> =>
    connectTo === undefined || out.headers.Host !== undefined || out.headers.host !== undefined ? out.headers : { ...out.headers, Host: target.host }
  const fc: fused.FusedContext | undefined = fast === undefined ? undefined : { fast, http, breaker, credentials, maxBytes, connectUrl, sendHeaders }

  /** Sign one attempt for its target. */
  const signAttempt = <I, L extends Laid, A, E>(
    protocol: Protocol<I, L, A, E>,
    laid: L,
    target: Target
  ): Effect.Effect<Outgoing, SdkError> =>
    Effect.flatMap(laid.anonymous ? Effect.succeed(undefined) : credentials.get, (credential) =>
      Effect.flatMap(protocol.usesNonce?.(laid) === false ? Effect.succeed(0) : Random.nextIntBetween(1, 2147483647), (nonce) =>
        Effect.withFiberRuntime<Outgoing, SdkError>((fiber) => {
          if (credential !== undefined) {
            const bad = checkCredential(credential)
            if (bad !== undefined) return Effect.fail(bad)
          }
          const signed = protocol.sign(laid, target, credential, nowOf(fiber.currentDefaultServices as Context.Context<never>), nonce)
          if (Either.isLeft(signed)) return Effect.fail(signed.left)
          const badHeader = checkHeaders(signed.right.headers, laid.site)
          return badHeader === undefined ? Effect.succeed(signed.right) : Effect.fail(badHeader)
        })
      )
    )

  const redactedRequest = (protocol: Protocol<any, any, any, any>, out: Outgoing, url: string) => ({
    method: out.method,
    url: redactForm(url, protocol.secrets),
    headers: redactHeaders(out.headers, protocol.secrets),
    body: out.body === undefined ? undefined : typeof out.body === "string" ? redactForm(out.body, protocol.secrets) : out.body instanceof Uint8Array ? `<${out.body.length} bytes>` : `<stream of ${out.body.length} bytes>`
  })

  /** One attempt to one target: sign, send, read, interpret. */
  const attemptTo = <I, L extends Laid, A, E>(
    protocol: Protocol<I, L, A, E>,
    laid: L,
    target: Target,
    attempt: number,
    timeoutMillis: number
  ): Effect.Effect<A, E | SdkError> =>
    Effect.flatMap(signAttempt(protocol, laid, target), (out) => {
      const site: CallSite = target.host === laid.site.endpoint ? laid.site : { ...laid.site, endpoint: target.host }
      const a: transport.AttemptSite = { site, traceId: laid.traceId, attempt, timeoutMillis, maxBytes }
      const url = connectUrl(out.url)
      const headers = sendHeaders(out, target)
      const body = out.body
      const sent: Effect.Effect<Answer, SdkError> =
        fast !== undefined && (body === undefined || typeof body === "string" || body instanceof Uint8Array)
          ? transport.sendFast(fast, out.method, url, headers, body, a)
          : transport.sendGeneral(http, transport.platformRequest(out, url, headers), a)
      const read = Effect.flatMap(sent, (answer): Effect.Effect<A, E | SdkError> => {
        const r = protocol.interpret(answer, laid, target)
        return Either.isRight(r) ? Effect.succeed(r.right) : Effect.fail(r.left)
      })
      if (listener === undefined) return read
      const request = redactedRequest(protocol, out, url)
      const base = { service: site.service, action: site.action, attempt, request }
      return sent.pipe(
        Effect.tapBoth({
          onFailure: (e) => listener({ ...base, error: e.message }),
          onSuccess: (answer) =>
            listener({ ...base, response: { status: answer.status, headers: answer.headers, body: answer.body } })
        }),
        Effect.flatMap((answer) => {
          const r = protocol.interpret(answer, laid, target)
          return Either.isRight(r) ? Effect.succeed(r.right) : Effect.fail(r.left)
        })
      )
    })

  /**
   * Run attempts under the breaker, the retry policy, logs and the span, in the calling fiber.
   * `fusedOf` gives the fused attempt (`fused.ts`) when the call may take it.
   */
  const orchestrateIn = <L extends Laid, A, E>(
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    protocolName: string,
    laid: L,
    body: (target: Target, attempt: number) => Effect.Effect<A, E | SdkError>,
    fusedOf?: (attempt: number, clock: Clock.Clock, settled?: (outcome: "Interrupt" | undefined) => void) => Effect.Effect<A, E | SdkError> | undefined
  ): Effect.Effect<A, E | SdkError> => {
      const ov = Context.get(fiber.currentContext as Context.Context<CurrentOverrides>, CurrentOverrides)
      const tracing = span.isTracing(fiber)
      const debug = LogLevel.greaterThanEqual(LogLevel.Debug, fiber.getFiberRef(FiberRef.currentMinimumLogLevel))
      const clock = Context.get(fiber.currentDefaultServices as Context.Context<Clock.Clock>, Clock.Clock)
      const fusing = fusedOf !== undefined && !tracing && !debug
      let attempts = 0
      const one: Effect.Effect<A, E | SdkError> = Effect.suspend(() => {
        const attempt = ++attempts
        if (fusing) {
          const f = fusedOf(attempt, clock)
          if (f !== undefined) return f
        }
        if (!breaker.enabled && !tracing && !debug) return body(laid.primary, attempt)
        return Effect.flatMap(breaker.enabled ? breaker.before(laid.breakerKey) : Effect.succeed(undefined), (ticket) => {
          const target = ticket?.useBackup ? laid.backup ?? { scheme: "https" as const, host: breaker.backupHost(laid.site.service) } : laid.primary
          // an interrupted attempt hands its ticket back unrecorded, once (a half-open probe's place is freed)
          let handedBack = false
          const sent = ticket === undefined
            ? body(target, attempt)
            : Effect.onInterrupt(body(target, attempt), () => Effect.suspend(() => ((handedBack = true), breaker.after(laid.breakerKey, ticket, undefined))))
          return Effect.flatMap(Effect.exit(sent), (exit) => {
            const failure = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
            const c = failure === undefined ? undefined : classify(failure)
            const steps: Array<Effect.Effect<void>> = []
            // every other ticket is handed back here (undefined: not recorded)
            if (ticket !== undefined && !handedBack) steps.push(breaker.after(laid.breakerKey, ticket, Exit.isSuccess(exit) ? true : c?.region))
            // the call's span says where the last attempt went; a failed attempt is an event
            if (tracing) steps.push(span.attemptEnded(protocolName, attempt, target.host, failure, c))
            if (debug) {
              steps.push(
                Effect.logDebug(
                  `${protocolName} ${laid.site.service} ${laid.site.action} attempt ${attempt} via ${target.host}${ticket?.useBackup ? " (backup)" : ""}: ${Exit.isSuccess(exit) ? "ok" : failure ? (failure as { message: string }).message : "interrupted"}`
                ).pipe(Effect.annotateLogs({ service: laid.site.service, action: laid.site.action, attempt, endpoint: target.host, traceId: laid.traceId }))
              )
            }
            return Effect.zipRight(Effect.all(steps, { discard: true }), exit)
          })
        })
      })
      // the retry driver is built only after a first failure, which is replayed into it
      const policy = ov.retryPolicy ?? options.retryPolicy ?? Retry.defaultPolicy
      const retryFrom = (first: E | SdkError): Effect.Effect<A, E | SdkError> => {
        let replay = true
        return Effect.retry(
          Effect.suspend(() => {
            if (replay) {
              replay = false
              return Effect.fail(first)
            }
            return one
          }),
          policy({ info: laid.info, safe: laid.safe }) as never
        ) as Effect.Effect<A, E | SdkError>
      }
      const start = clock.unsafeCurrentTimeMillis()
      const recordExit = (exit: Exit.Exit<A, E | SdkError>) =>
        Effect.sync(() =>
          Metrics.unsafeRecord(
            laid.site,
            clock.unsafeCurrentTimeMillis() - start,
            Exit.isFailure(exit) ? (exit.cause._tag === "Fail" ? exit.cause.error : exit.cause._tag) : undefined
          )
        )
      if (fusing) {
        // the fused first attempt records a success (or an interruption) itself; a failure goes on
        // to the retry driver, whose end is recorded
        attempts = 1
        const first = fusedOf(1, clock, (outcome) => Metrics.unsafeRecord(laid.site, clock.unsafeCurrentTimeMillis() - start, outcome))
        if (first !== undefined) return Effect.catchAll(first, (e) => Effect.onExit(retryFrom(e), recordExit))
        attempts = 0
      }
      const measured = Effect.onExit(Effect.catchAll(one, retryFrom), recordExit)
      return tracing ? span.withCallSpan(protocolName, laid, measured) : measured
  }

  /** Lay the call out with the overrides in force; the per-call timeout applied. */
  const layOut = <I, L extends Laid, A, E, B, R>(
    protocol: Protocol<I, L, A, E>,
    input: I,
    k: (laid: L, timeoutMillis: number, fiber: Fiber.RuntimeFiber<unknown, unknown>) => Effect.Effect<B, E | SdkError, R>
  ): Effect.Effect<B, E | SdkError, R> =>
    Effect.withFiberRuntime<B, E | SdkError, R>((fiber) => {
      const ov = Context.get(fiber.currentContext as Context.Context<CurrentOverrides>, CurrentOverrides)
      const laid = protocol.layout(input, ov)
      if (Either.isLeft(laid)) return Effect.fail(laid.left)
      const t = timeoutOf(laid.right, ov.timeout)
      if (Either.isLeft(t)) return Effect.fail(t.left)
      return k(laid.right, t.right, fiber as Fiber.RuntimeFiber<unknown, unknown>)
    })

  const call: Engine["call"] = <I, L extends Laid, A, E>(protocol: Protocol<I, L, A, E>, input: I): Effect.Effect<A, E | SdkError> =>
    layOut(protocol, input, (laid, timeoutMillis, fiber) =>
      orchestrateIn(
        fiber,
        protocol.name,
        laid,
        (target, attempt) => attemptTo(protocol, laid, target, attempt, timeoutMillis),
        fc === undefined ? undefined : (attempt, clock, settled) => fused.attempt(fc, protocol, laid, attempt, timeoutMillis, clock, fiber, settled)
      )
    )

  const stream: Engine["stream"] = <I, L extends Laid, A, E>(protocol: Protocol<I, L, A, E>, input: I) =>
    layOut(protocol, input, (laid, timeoutMillis, fiber) =>
      orchestrateIn(fiber, protocol.name, laid, (target, attempt) =>
        Effect.flatMap(signAttempt(protocol, laid, target), (out) => {
          const site: CallSite = { ...laid.site, endpoint: target.host }
          const a: transport.AttemptSite = { site, traceId: laid.traceId, attempt, timeoutMillis, maxBytes }
          const url = connectUrl(out.url)
          const request = transport.platformRequest(out, url, sendHeaders(out, target))
          return transport.executeHead(http, request, a).pipe(
            transport.withTimeout(a),
            Effect.flatMap((response): Effect.Effect<Streamed<L>, E | SdkError> => {
              const headers = transport.headersOfResponse(response)
              if (protocol.streams?.(response.status, headers, laid) === true) {
                return Effect.succeed({ laid, target, status: response.status, headers, streamed: true, body: transport.bodyStream(response, site, laid.traceId, "the answer's body") })
              }
              return Effect.flatMap(
                Effect.mapError(response.text, (e) => transport.brokenAnswer(site, laid.traceId, e.cause, `the answer (attempt ${attempt})`)),
                (text) => {
                  const r = protocol.interpret({ status: response.status, headers, body: text }, laid, target)
                  if (Either.isLeft(r)) return Effect.fail(r.left)
                  const bytes = new TextEncoder().encode(text)
                  return Effect.succeed<Streamed<L>>({ laid, target, status: response.status, headers, streamed: false, text, body: Effect.succeed(bytes) as never })
                }
              )
            })
          )
        })
      )
    )

  return { call, stream }
}
