/**
 * The engine's fused attempt: one attempt as plain code around the transport's one promise, for
 * the common case — a transport with a fast lane (`fastLane.ts`), a credential at hand
 * (`CredentialsService.peek`), a breaker step that changes no state (`tryBefore`/`tryAfter`), a
 * signature without a nonce, no tracer, no debug logging and no debugging hook. The breaker's
 * ticket, the size cap, the timeout (an abort), interruption (an abort) and the classification of
 * failures are exactly those of the general attempt in `Engine.ts`; whenever one of the conditions
 * does not hold, {@link attempt} says `undefined` before anything is taken, and the engine runs the
 * general attempt instead.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Credential, CredentialsService } from "../Credentials.js"
import { type CallSite, classify, type SdkError } from "../Errors.js"
import type { RegionBreakerService, Ticket } from "../RegionBreaker.js"
import { checkCredential, checkHeaders } from "./check.js"
import type { FastSend } from "./fastLane.js"
import type { Answer, Laid, Outgoing, Protocol, Target } from "./Protocol.js"
import * as transport from "./transport.js"

/** What a fused attempt runs on (fixed when the engine is built). */
export interface FusedContext {
  readonly fast: FastSend
  readonly http: HttpClient.HttpClient
  readonly breaker: RegionBreakerService
  readonly credentials: CredentialsService
  readonly maxBytes: number
  readonly connectUrl: (url: string) => string
  readonly sendHeaders: (out: Outgoing, target: Target) => Readonly<Record<string, string>>
}

/**
 * One attempt, or `undefined` when it must take the general path. `settled` is called (plain
 * code) when the attempt succeeds (`undefined`) or is interrupted (`"Interrupt"`), for the
 * call's metrics; failures go back to the engine, which retries and records them.
 */
export const attempt = <I, L extends Laid, A, E>(
  fc: FusedContext,
  protocol: Protocol<I, L, A, E>,
  laid: L,
  attemptNumber: number,
  timeoutMillis: number,
  clock: Clock.Clock,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  settled?: (outcome: "Interrupt" | undefined) => void
): Effect.Effect<A, E | SdkError> | undefined => {
  if (protocol.usesNonce === undefined || protocol.usesNonce(laid)) return undefined
  const now = clock.unsafeCurrentTimeMillis()
  let credential: Credential | undefined
  if (laid.anonymous !== true) {
    credential = fc.credentials.peek?.(now)
    if (credential === undefined) return undefined
  }
  const { breaker } = fc
  let ticket: Ticket | undefined
  if (breaker.enabled) {
    ticket = breaker.tryBefore?.(laid.breakerKey, now)
    if (ticket === undefined) return undefined
  }
  const target: Target = ticket?.useBackup ? laid.backup ?? { scheme: "https", host: breaker.backupHost(laid.site.service) } : laid.primary

  // from here the ticket is out: every way out hands it back with the attempt's outcome
  const handBack = (region: boolean | undefined): Effect.Effect<void> | undefined =>
    ticket === undefined || breaker.tryAfter?.(laid.breakerKey, ticket, region, clock.unsafeCurrentTimeMillis()) === true
      ? undefined
      : breaker.after(laid.breakerKey, ticket, region)
  const succeed = (a: A): Effect.Effect<A, E | SdkError> => {
    settled?.(undefined)
    const step = handBack(true)
    return step === undefined ? Effect.succeed(a) : Effect.as(step, a)
  }
  const fail = (e: E | SdkError): Effect.Effect<A, E | SdkError> => {
    const step = handBack(classify(e).region)
    return step === undefined ? Effect.fail(e) : Effect.zipRight(step, Effect.fail(e))
  }

  if (credential !== undefined) {
    const bad = checkCredential(credential)
    if (bad !== undefined) return fail(bad)
  }
  const signed = protocol.sign(laid, target, credential, now, 0)
  if (Either.isLeft(signed)) return fail(signed.left)
  const out = signed.right
  const badHeader = checkHeaders(out.headers, laid.site)
  if (badHeader !== undefined) return fail(badHeader)

  const site: CallSite = target.host === laid.site.endpoint ? laid.site : { ...laid.site, endpoint: target.host }
  const a: transport.AttemptSite = { site, traceId: laid.traceId, attempt: attemptNumber, timeoutMillis, maxBytes: fc.maxBytes }
  const url = fc.connectUrl(out.url)
  const headers = fc.sendHeaders(out, target)
  const body = out.body
  const read = (answer: Answer): Effect.Effect<A, E | SdkError> => {
    const r = protocol.interpret(answer, laid, target)
    return Either.isRight(r) ? succeed(r.right) : fail(r.left)
  }
  if (!(body === undefined || typeof body === "string" || body instanceof Uint8Array)) {
    // a streamed body goes through the platform client (an interruption is counted like the fused wait's)
    return Effect.matchEffect(transport.sendGeneral(fc.http, transport.platformRequest(out, url, headers), a), { onFailure: fail, onSuccess: read }).pipe(
      Effect.onInterrupt(() =>
        Effect.suspend(() => {
          settled?.("Interrupt")
          return handBack(undefined) ?? Effect.void
        })
      )
    )
  }
  // Interruption is heard through the fiber's exit (an observer) rather than a canceler: a
  // canceler wraps the wait in onInterrupt/onExit, a dozen steps on every call for a rare event.
  // The request is aborted, and the ticket handed back, when the interrupted fiber ends.
  return Effect.async<A, E | SdkError>((resume) => {
    const onExit = () => {
      if (!cancel()) return
      settled?.("Interrupt")
      const step = handBack(undefined)
      if (step !== undefined) Effect.runFork(step)
    }
    const cancel = transport.startFast(
      fc.fast,
      out.method,
      url,
      headers,
      body,
      a,
      (answer) => {
        fiber.removeObserver(onExit)
        resume(read(answer))
      },
      (e) => {
        fiber.removeObserver(onExit)
        resume(fail(e))
      }
    )
    fiber.addObserver(onExit)
  })
}
