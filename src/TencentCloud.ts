/**
 * The `TencentCloud` service that every generated action requires, and the types of a call.
 * Kept apart from `Client` (layers, configuration) so that one generated action bundles without
 * the client's construction code.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ApiError, SdkError, UnknownApiError } from "./Errors.js"

/** What the core needs to know about an action to call it. Generated code passes a constant. */
export interface ActionInfo {
  /** The signing and endpoint service name: the spec's `serviceShortName` (`cvm`, `as`, ...). */
  readonly service: string
  /** The API version, `YYYY-MM-DD`. */
  readonly version: string
  /** The action name, `DescribeInstances`. */
  readonly action: string
  /**
   * The codes this action declares (besides the common codes). A code outside this set and the
   * common codes arrives as `UnknownApiError`. `undefined` (the generic call): every code is an `ApiError`.
   */
  readonly codes?: ReadonlySet<string> | undefined
  /** The request has a `ClientToken` member: the core fills it once and reuses it across retries. */
  readonly clientToken?: boolean | undefined
  /** Override the read-only detection (Describe/Get/List/... prefixes) used by the retry policy. */
  readonly idempotent?: boolean | undefined
  /** Body layout; `json` unless the action uploads a file. */
  readonly transport?: "json" | "multipart" | "octet-stream" | undefined
  /** Send unsigned (`Authorization: SKIP`), e.g. `AssumeRoleWithWebIdentity`. */
  readonly skipSign?: boolean | undefined
}

/** Per-call options beside the parameters. */
export interface CallOptions {
  /** Extra headers for this call (e.g. `X-CLS-TopicId` for octet-stream uploads). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Body bytes of an octet-stream action. */
  readonly octetStream?: Uint8Array | undefined
}

/** One server-sent event. */
export interface ServerSentEvent {
  readonly id?: string | undefined
  readonly event?: string | undefined
  /** The data lines joined by `\n`. */
  readonly data: string
  readonly retry?: number | undefined
}

/** Any error a call can fail with. */
export type CallError = ApiError<string> | UnknownApiError | SdkError

/** The service shape. */
export interface TencentCloudService {
  /**
   * Call one action with parameters already in wire form. Succeeds with the `Response` object
   * (`RequestId` included), parsed losslessly (integers beyond 2^53 as `bigint`).
   */
  readonly call: (
    info: ActionInfo,
    params: Readonly<Record<string, unknown>>,
    options?: CallOptions
  ) => Effect.Effect<Record<string, unknown>, CallError>
  /**
   * Call a streaming action (server-sent events). A JSON answer instead of a stream becomes a
   * single event whose data is the JSON text; an API error fails the stream.
   */
  readonly stream: (
    info: ActionInfo,
    params: Readonly<Record<string, unknown>>,
    options?: CallOptions
  ) => Stream.Stream<ServerSentEvent, CallError>
}

/** The client service every generated action requires. */
export class TencentCloud extends Context.Tag("effect-tencentcloud/TencentCloud")<TencentCloud, TencentCloudService>() {}

