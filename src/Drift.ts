/**
 * Spec drift: where a Tencent Cloud answer differs from the spec this SDK was generated from.
 *
 * By default a generated action decodes **tolerantly**: a successful answer is returned whenever
 * its envelope is valid. A value that does not match is converted when the conversion is
 * lossless and unambiguous (`"42"` for an integer, `null` where the spec says nothing about null,
 * a number for a string, one item for a list), kept when its TypeScript type allows it (a
 * fraction for an integer, an undeclared member), and otherwise set aside: absent from the typed
 * value (response members are optional in the generated types, so the types stay true) and kept
 * in the answer as it came, {@link raw}. Nothing is silent: each difference becomes one
 * {@link DriftRecord}, reported as a debug log line, a span event `tencentcloud.drift` on the
 * current span, the counter {@link metric} (tags `service`, `action`), and to listeners
 * ({@link layerListener}, {@link layerPubSub}).
 *
 * **Strict mode** ({@link layerStrict}, or per call {@link withStrict}) fails on any drift with a
 * `ResponseDecodeError` naming every mismatch, and refuses requests that need a conversion
 * (`"10"` for an integer). Answers of `Testing` mocks are checked strictly unless strict mode is
 * explicitly off.
 *
 * @example
 * ```ts
 * import { Drift } from "effect-tencentcloud"
 * // tests: strict everywhere
 * program.pipe(Effect.provide(Drift.layerStrict))
 * // production: watch the records
 * program.pipe(Effect.provide(Drift.layerListener((r) => Effect.logWarning(`${r.action} ${r.path}: ${r.got}`))))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { counter, type DriftRecord, type Listener, Listeners, RawAnswer, StrictMode } from "./internal/drift.js"

export type { DriftRecord, Listener } from "./internal/drift.js"
export type { Resolution } from "./internal/tolerant.js"
export { StrictMode } from "./internal/drift.js"

/** Strict mode for every call in scope: drift fails with `ResponseDecodeError`, request conversions are refused. */
export const layerStrict: Layer.Layer<never> = /*#__PURE__*/ Layer.succeed(StrictMode, true)

/** Tolerant mode for every call in scope, `Testing` mock answers included. */
export const layerTolerant: Layer.Layer<never> = /*#__PURE__*/ Layer.succeed(StrictMode, false)

/**
 * Run an effect (one call, or a whole program) in strict mode (`strict = true`, the default) or
 * tolerant mode (`false`).
 *
 * @example
 * ```ts
 * const exact = Drift.withStrict(describeInstances({ Limit: 10 }))
 * ```
 */
export const withStrict = <A, E, R>(self: Effect.Effect<A, E, R>, strict = true): Effect.Effect<A, E, R> =>
  Effect.provideService(self, StrictMode, strict)

/** As {@link withStrict}, for a stream (the `...Pages` / `...Items` streams). */
export const withStrictStream = <A, E, R>(self: Stream.Stream<A, E, R>, strict = true): Stream.Stream<A, E, R> =>
  Stream.provideService(self, StrictMode, strict)

/** Add a listener of drift records for every call in scope (after those already there). */
export const layerListener = (listener: Listener): Layer.Layer<never> =>
  Layer.effect(Listeners, Effect.map(Listeners, (ls) => [...ls, listener]))

/** Add a listener of drift records to one effect. */
export const withListener = <A, E, R>(self: Effect.Effect<A, E, R>, listener: Listener): Effect.Effect<A, E, R> =>
  Effect.flatMap(Listeners, (ls) => Effect.provideService(self, Listeners, [...ls, listener]))

/** The drift records of calls in scope, published by {@link layerPubSub}. */
export class Records extends Context.Tag("effect-tencentcloud/Drift/Records")<Records, PubSub.PubSub<DriftRecord>>() {}

/**
 * A `PubSub` of the drift records of every call in scope ({@link Records}); read it with
 * {@link subscribe} or {@link stream}. Records published while nobody subscribes are dropped.
 */
export const layerPubSub: Layer.Layer<Records> = /*#__PURE__*/ Layer.scopedContext(
  Effect.gen(function*() {
    const hub = yield* Effect.acquireRelease(PubSub.unbounded<DriftRecord>(), PubSub.shutdown)
    const ls = yield* Listeners
    const publish: Listener = (r) => Effect.asVoid(PubSub.publish(hub, r))
    return Context.make(Records, hub).pipe(Context.add(Listeners, [...ls, publish]))
  })
) as Layer.Layer<Records>

/** Subscribe to the records (a queue that receives every record published after this). */
export const subscribe: Effect.Effect<Queue.Dequeue<DriftRecord>, never, Records | Scope.Scope> = /*#__PURE__*/ Effect.flatMap(Records, PubSub.subscribe)

/** The records as a stream (subscribed when the stream starts). */
export const stream: Stream.Stream<DriftRecord, never, Records> = /*#__PURE__*/ Stream.unwrapScoped(
  Effect.map(subscribe, (q) => Stream.fromQueue(q))
)

/** The counter of drift records (`tencentcloud_drift_total`, tags `service` and `action`). */
export const metric = counter

/**
 * The answer as it came, for a value returned by a generated action: differs from the value
 * itself only when the tolerant decoder had to change something (a conversion, a member set
 * aside, a `null` removed). Lists and nested objects of the answer are found by path in it.
 */
export const raw = (value: unknown): unknown =>
  typeof value === "object" && value !== null && RawAnswer in value ? (value as { [RawAnswer]: unknown })[RawAnswer] : value
