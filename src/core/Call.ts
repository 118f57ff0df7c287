/**
 * The types of a call that every layer above the transport shares: what the retry policy knows
 * about an action, per-call options, server-sent events, and the union of call errors.
 *
 * @internal
 */
import type { ApiError, SdkError, UnknownApiError } from "../Errors.js"

/** What the core needs to know about an action to call it. Generated code passes a constant. */
export interface ActionInfo {
  /** The signing and endpoint service name: the spec's `serviceShortName` (`cvm`, `as`, ...). */
  readonly service: string
  /** The API version, `YYYY-MM-DD` (empty for protocols without versions). */
  readonly version: string
  /** The action name, `DescribeInstances` (for REST protocols: the operation, e.g. `GetObject`). */
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

/** Any error an API 3.0 call can fail with. */
export type CallError = ApiError<string> | UnknownApiError | SdkError
