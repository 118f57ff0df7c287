/**
 * The transport's fast lane: a transport that can send a whole exchange in one promise (the Node
 * undici transport) puts a {@link FastSend} on its `HttpClient` under {@link FastLane}. The engine
 * then sends without building a platform request, forking a timeout fiber or reading the body
 * through an Effect: the request is sent, the body read within the size cap by the transport, and
 * the timeout enforced by aborting the request. Any other `HttpClient` (fetch, a mock, a wrapped client) goes
 * through `@effect/platform`'s `execute`, with `Effect.timeoutFail`, unchanged in behaviour.
 *
 * @internal
 */

/** The property under which a transport offers its fast lane. */
export const FastLane: unique symbol = Symbol.for("effect-tencentcloud/FastLane") as never

/** One exchange for the fast lane. */
export interface FastRequest {
  readonly method: string
  /** The URL to connect to (scheme, address, path and query). */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | undefined
  /** Abort and reject with {@link FastTooLarge} when the body grows beyond it. */
  readonly maxBytes: number
  readonly signal: AbortSignal
}

/** The answer of the fast lane, its body read as UTF-8 text. */
export interface FastResponse {
  readonly status: number
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * The rejection for an answer over `maxBytes`; anything else is a transport failure (mapped by its
 * `code`). The engine enforces the timeout itself, by aborting `signal`.
 */
export class FastTooLarge {
  readonly _tag = "FastTooLarge"
}

/** The connection broke after the answer's head arrived (while reading the body): never "before send". */
export class FastBroken {
  readonly _tag = "FastBroken"
  constructor(readonly cause: unknown) {}
}

/** Send one exchange. */
export type FastSend = (request: FastRequest) => Promise<FastResponse>

/** The fast lane of a client, if it has one. */
export const fastLaneOf = (client: unknown): FastSend | undefined =>
  typeof client === "object" && client !== null && FastLane in client ? ((client as any)[FastLane] as FastSend) : undefined
