/**
 * The protocol seam. Tencent Cloud API 3.0, the legacy API 2.0, COS XML and Huawei Cloud differ in
 * how a call is laid out, signed and read; everything else (credentials, transport, timeouts,
 * retries, the region breaker, spans, logs, the debugging hook, redaction) is the engine's
 * (`core/Engine.ts`) and the same for all of them.
 *
 * A protocol is one value, {@link Protocol}: three pure functions.
 *
 * ```
 * input ──layout──▶ Laid ──(engine: endpoint/breaker → credentials)──▶ sign ──▶ Outgoing
 *       ──(engine: send, read the body within a size cap)──▶ Answer ──interpret──▶ A | CallError
 *       ──(engine: Errors.classify → retry schedule, breaker record, span)
 * ```
 *
 * The core never names a protocol; a protocol never reaches into another protocol's modules.
 *
 * @internal
 */
import type * as Either from "effect/Either"
import type * as Stream from "effect/Stream"
import type { Credential } from "../Credentials.js"
import type { CallSite, RequestValidationError, SdkError } from "../Errors.js"
import type { ActionInfo } from "./Call.js"
import type { CallOverrides } from "./Overrides.js"

/** Where one attempt goes: the signed host (with a port when it has one) and the scheme. */
export interface Target {
  readonly scheme: "https" | "http"
  readonly host: string
}

/** A request body whose bytes are produced on demand (each attempt opens it again). */
export interface StreamBody {
  readonly _tag: "Stream"
  /** Exact length in bytes, sent as `Content-Length`. */
  readonly length: number
  readonly open: () => Stream.Stream<Uint8Array, unknown>
}

/** The body of a signed request. A `Content-Type` header goes with any body. */
export type OutgoingBody = undefined | string | Uint8Array | StreamBody

/** A signed request, ready for the transport. */
export interface Outgoing {
  readonly method: string
  /**
   * The URL exactly as signed: scheme, the signed Host, the encoded path and query. The engine
   * connects elsewhere only when the client sets `connectTo` (the emulator), keeping this Host.
   */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: OutgoingBody
}

/**
 * What every laid-out call tells the engine. A protocol extends it with whatever its `sign` and
 * `interpret` need (parameters, body, signature method, ...).
 */
export interface Laid {
  /** Where the call goes, carried by every error, span and log line. */
  readonly site: CallSite
  /** What the retry policy sees (`Retry.RetryContext.info`). */
  readonly info: ActionInfo
  /** Repeating the call cannot do harm (read-only, idempotent, or de-duplicated by a token). */
  readonly safe: boolean
  /** The endpoint of the first attempt. */
  readonly primary: Target
  /** The endpoint used when the region breaker is open; default: the breaker's backup for the service. */
  readonly backup?: Target | undefined
  /** The breaker's bookkeeping key: one circuit per key (service, region, host). */
  readonly breakerKey: string
  /** Per-attempt timeout (ms). */
  readonly timeoutMillis: number
  /** Sent with the request and carried by errors, so a failed call can be found in server logs. */
  readonly traceId: string
  /** No credential is fetched and nothing is signed (e.g. `Authorization: SKIP` actions, public reads). */
  readonly anonymous?: boolean | undefined
}

/** An answer with its body read as text (bounded by the engine's response size cap). */
export interface Answer {
  readonly status: number
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * One protocol: how a call is laid out, signed and read. Every function is pure.
 *
 * `E` is the protocol's own server errors (API 3.0: `ApiError | UnknownApiError`). They are
 * classified by `Errors.classify`: give them a `code` and, where the code alone does not say it,
 * a `category` (`"throttling" | "unavailable" | "internal" | "client"`), and retries and the
 * breaker treat them like every other protocol's.
 */
export interface Protocol<I, L extends Laid, A, E> {
  /** Short name used in span names and metrics: `tencentcloud`, `cos`, `qcloud2`, `huaweicloud`. */
  readonly name: string
  /**
   * Lay out one call from the caller's input and the per-call overrides in force
   * (`core/Overrides.ts`), or say what is wrong. Nothing is sent when this fails.
   */
  readonly layout: (input: I, overrides: CallOverrides) => Either.Either<L, RequestValidationError>
  /**
   * Whether `sign` uses its `nonce` for this call. When it says `false` the engine passes `0` and
   * may take its fast path (no random number drawn); absent means it may use one.
   */
  readonly usesNonce?: ((laid: L) => boolean) | undefined
  /** Sign one attempt for its target at `nowMillis` (every attempt is signed again). */
  readonly sign: (
    laid: L,
    target: Target,
    credential: Credential | undefined,
    nowMillis: number,
    nonce: number
  ) => Either.Either<Outgoing, RequestValidationError>
  /** Read one answer: the result, or the typed error it carries. */
  readonly interpret: (answer: Answer, laid: L, target: Target) => Either.Either<A, E | SdkError>
  /**
   * For streamed reads (`Engine.stream`): whether an answer with this head is the stream the
   * caller wants (e.g. 200/206 for a COS download, `text/event-stream` for SSE). Any other answer
   * is read as text and given to `interpret`, whose error fails the call.
   */
  readonly streams?: ((status: number, headers: Readonly<Record<string, string>>, laid: L) => boolean) | undefined
  /** Names of secret-bearing headers and query/form parameters to redact (besides the engine's own list). */
  readonly secrets?: ReadonlyArray<string> | undefined
}
