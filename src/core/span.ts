/**
 * The call's span: made only when a tracer other than Effect's default is installed. It carries the
 * site and trace id, where the last attempt went, each failed attempt as an event, and the outcome:
 * the error's code, kind and request id, or the answer's request id — never the answer itself (an
 * answer can hold secrets, such as an STS key).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as Tracer from "effect/Tracer"
import { classify } from "../Errors.js"
import type { Laid } from "./Protocol.js"

let nativeTracer: Tracer.Tracer | undefined
/** Effect's default tracer: spans made with it go nowhere unless someone reads them. */
const defaultTracer = (): Tracer.Tracer => (nativeTracer ??= Effect.runSync(Effect.tracer))

/** Is a tracer other than Effect's default installed in the fiber? */
export const isTracing = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => fiber.currentTracer !== defaultTracer()

/** Span attributes of a failure: its code (server errors), its kind and the server's request id. */
const errorAttributes = (prefix: string, failure: unknown, c: { readonly code?: string | undefined } | undefined): Record<string, unknown> => {
  const f = failure as { _tag?: string; requestId?: unknown }
  return {
    ...(c?.code !== undefined ? { [`${prefix}.error_code`]: c.code, [`${prefix}.error`]: "ApiError" } : { [`${prefix}.error`]: f._tag }),
    ...(typeof f.requestId === "string" && f.requestId !== "" ? { [`${prefix}.request_id`]: f.requestId } : {})
  }
}

/**
 * After an attempt: the span says where it went; a failure is an event (so a call that succeeded
 * after a retry carries no error attributes).
 */
export const attemptEnded = (
  prefix: string,
  attempt: number,
  endpoint: string,
  failure: unknown,
  c: { readonly code?: string | undefined } | undefined
): Effect.Effect<void> => {
  const annotate = Effect.annotateCurrentSpan({ [`${prefix}.attempt`]: attempt, [`${prefix}.endpoint`]: endpoint })
  if (failure === undefined) return annotate
  return Effect.zipRight(
    annotate,
    Effect.withFiberRuntime<void>((f) => {
      const span = f.currentSpan
      if (span !== undefined && span._tag === "Span") {
        const now = Context.get(f.currentDefaultServices as Context.Context<Clock.Clock>, Clock.Clock).unsafeCurrentTimeMillis()
        span.event(`${prefix}.attempt_failed`, BigInt(now) * 1_000_000n, errorAttributes(prefix, failure, c))
      }
      return Effect.void
    })
  )
}

/** Run the call (its attempts, retries and metrics) inside its span, which ends with the outcome. */
export const withCallSpan = <A, E>(prefix: string, laid: Laid, call: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatMap(
    Effect.makeSpan(`${prefix}.${laid.site.service}.${laid.site.action}`, {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        [`${prefix}.service`]: laid.site.service,
        [`${prefix}.version`]: laid.site.version,
        [`${prefix}.action`]: laid.site.action,
        [`${prefix}.region`]: laid.site.region ?? "",
        [`${prefix}.trace_id`]: laid.traceId
      }
    }),
    (span) =>
      Effect.onExit(Effect.withParentSpan(call, span), (exit) =>
        Effect.flatMap(Clock.currentTimeNanos, (now) =>
          Effect.sync(() => {
            if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
              const attrs = errorAttributes(prefix, exit.cause.error, classify(exit.cause.error))
              for (const k in attrs) span.attribute(k, attrs[k])
            } else if (Exit.isSuccess(exit)) {
              // the answer's request id (API 3.0 `RequestId`), never the answer itself
              const v = exit.value as { RequestId?: unknown; requestId?: unknown } | null
              const id = typeof v === "object" && v !== null ? (typeof v.RequestId === "string" ? v.RequestId : v.requestId) : undefined
              if (typeof id === "string" && id !== "") span.attribute(`${prefix}.request_id`, id)
            }
            span.end(now, Exit.isSuccess(exit) ? Exit.void : exit)
          })
        )
      )
  )
