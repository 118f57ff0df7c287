/**
 * Per-call overrides, shared by every protocol: region, endpoint, method, language, headers,
 * timeout and retry policy, carried in the context by the `with...` combinators (`Client.withRegion`
 * and friends), so they never show up in an action's requirements. Each protocol's `layout` reads
 * what applies to it; the engine reads `headers`, `timeout` and `retryPolicy`.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Stream from "effect/Stream"
import type { RetryPolicy } from "../Retry.js"

/** The overrides in force for a call. */
export interface CallOverrides {
  readonly region?: string | undefined
  readonly language?: "zh-CN" | "en-US" | undefined
  readonly endpoint?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly method?: "GET" | "POST" | undefined
  readonly retryPolicy?: RetryPolicy | undefined
}

/** The per-call overrides in the context (empty by default). */
export class CurrentOverrides extends /*#__PURE__*/ Context.Reference<CurrentOverrides>()("effect-tencentcloud/CurrentOverrides", {
  defaultValue: (): CallOverrides => ({})
}) {}

/** An Effect or a Stream: every per-call option applies to both (pages, items, SSE included). */
export type Overridable<A, E, R> = Effect.Effect<A, E, R> | Stream.Stream<A, E, R>

/**
 * A dual combinator that sets one field of the overrides for the effects or streams inside. It
 * returns what it is given, type unchanged, so it fits in any `pipe` (one generic signature:
 * overloads would be resolved by their last signature inside `pipe`).
 */
export interface Override<V> {
  (value: V): <Self extends Effect.Effect<any, any, any> | Stream.Stream<any, any, any>>(self: Self) => Self
  <Self extends Effect.Effect<any, any, any> | Stream.Stream<any, any, any>>(self: Self, value: V): Self
}

/** Build an {@link Override} from how it changes the overrides. */
export const override = <V>(set: (o: CallOverrides, value: V) => CallOverrides): Override<V> =>
  dual(
    2,
    (self: Overridable<unknown, unknown, unknown>, value: V): Overridable<unknown, unknown, unknown> =>
      // an Effect is also a Stream of one element: test for Effect first
      Effect.isEffect(self)
        ? Effect.flatMap(CurrentOverrides, (o) => Effect.provideService(self, CurrentOverrides, set(o, value)))
        : Stream.unwrap(Effect.map(CurrentOverrides, (o) => Stream.provideService(self, CurrentOverrides, set(o, value))))
  ) as Override<V>
