/**
 * The errors COS answers: its XML error document (`Code`, `Message`, `Resource`, `RequestId`,
 * `TraceId`) as one class whose `_tag` is the COS code, so `Effect.catchTag("NoSuchKey", ...)`
 * works. Each carries a `category` for retries and the region breaker (`Errors.classify`):
 * `SlowDown` is throttling, 5xx answers are `unavailable` (COS operations are safe to repeat unless
 * they append or complete), everything else a client error.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type { Category } from "../Errors.js"

/** Fields of a {@link CosError}. */
export interface CosErrorFields<Code extends string = string> {
  readonly code: Code
  readonly category: Category
  readonly status: number
  /** The server's message, unchanged (for a body-less answer: what we know). */
  readonly serverMessage: string
  /** `x-cos-request-id` (or the document's `RequestId`). */
  readonly requestId: string
  readonly traceId?: string | undefined
  readonly resource?: string | undefined
  /** The COS operation, e.g. `GetObject`. */
  readonly operation: string
  readonly bucket?: string | undefined
  readonly key?: string | undefined
  readonly region?: string | undefined
  /** The server's `Date` header, when it sent one (clock-skew correction reads it). */
  readonly serverDate?: string | undefined
}

const hint = (code: string): string => {
  switch (code) {
    case "NoSuchKey":
      return "the object does not exist; check the key (keys are case-sensitive and exact)."
    case "NoSuchBucket":
      return "the bucket does not exist in this region; check the name (<name>-<appid>) and the region."
    case "SignatureDoesNotMatch":
      return "check the SecretKey, and that nothing rewrites the request (proxy, Host header) between signing and sending."
    case "AccessDenied":
      return "check the key's CAM policy for this bucket and object, and the local clock."
    case "RequestTimeTooSkewed":
      return "the local clock is far from the server's; sync it (NTP). The client corrects once from the server's Date."
    case "SlowDown":
      return "COS is throttling this bucket; retried with backoff by the default policy."
    case "InvalidAccessKeyId":
      return "the SecretId is unknown or disabled."
    case "NoSuchUpload":
      return "the multipart upload was completed or aborted; start a new one."
    case "BucketNotEmpty":
      return "delete the bucket's objects (and multipart uploads) first."
    case "FileAlreadyExists":
      return "the object exists and overwriting was forbidden (insertOnly / x-cos-forbid-overwrite)."
    default:
      return "see the COS error code documentation (436/7730)."
  }
}

/** A COS error answer. `_tag` is the code. */
export class CosError<Code extends string = string> extends /*#__PURE__*/ Data.Error<CosErrorFields<Code> & { readonly message: string }> {
  readonly _tag: Code
  constructor(fields: CosErrorFields<Code>) {
    const where = [fields.bucket, fields.key].filter((s) => s !== undefined && s !== "").join("/")
    super({
      ...fields,
      message: `${fields.code}: ${fields.serverMessage} (COS ${fields.operation}${where ? ` ${where}` : ""}${fields.region ? ` in ${fields.region}` : ""}, HTTP ${fields.status}, RequestId ${fields.requestId || "none"}); ${hint(fields.code)}`
    })
    this._tag = fields.code
  }
}

/** Codes COS commonly answers (any other code still arrives as a `CosError<string>`). */
export type CommonCode =
  | "AccessDenied"
  | "BadDigest"
  | "BucketAlreadyOwnedByYou"
  | "BucketNotEmpty"
  | "EntityTooLarge"
  | "EntityTooSmall"
  | "ExpiredToken"
  | "FileAlreadyExists"
  | "InternalError"
  | "InvalidAccessKeyId"
  | "InvalidArgument"
  | "InvalidBucketName"
  | "InvalidPart"
  | "InvalidPartOrder"
  | "InvalidRange"
  | "InvalidRequest"
  | "MalformedXML"
  | "MethodNotAllowed"
  | "NoSuchBucket"
  | "NoSuchCORSConfiguration"
  | "NoSuchKey"
  | "NoSuchLifecycleConfiguration"
  | "NoSuchTagSet"
  | "NoSuchUpload"
  | "NotModified"
  | "ObjectNotAppendable"
  | "PositionNotEqualToLength"
  | "PreconditionFailed"
  | "RequestTimeTooSkewed"
  | "RequestTimeout"
  | "ServiceUnavailable"
  | "SignatureDoesNotMatch"
  | "SlowDown"

/**
 * A COS error of any code, typed so that `Effect.catchTag("NoSuchKey", (e) => ...)` narrows to
 * `CosError<"NoSuchKey">`: one member per common code, and `CosError<string>` for the rest.
 */
export type AnyCosError = { readonly [K in CommonCode]: CosError<K> }[CommonCode] | CosError<string>

/** Whether a value is a {@link CosError}. */
export const isCosError = (u: unknown): u is CosError => u instanceof CosError

/** The category of a COS answer by its code and status. */
export const categoryOf = (code: string, status: number): Category =>
  code === "SlowDown" || status === 429 ? "throttling" : status >= 500 ? "unavailable" : code === "RequestTimeout" ? "unavailable" : "client"

/**
 * A transfer's integrity check failed: the CRC-64 or MD5 of what was sent or received differs
 * from the server's.
 */
export class IntegrityError extends /*#__PURE__*/ Data.TaggedError("IntegrityError")<{
  readonly what: string
  readonly expected: string
  readonly actual: string
  readonly bucket: string
  readonly key: string
  readonly message: string
}> {
  static make(args: { what: string; expected: string; actual: string; bucket: string; key: string }) {
    return new IntegrityError({
      ...args,
      message: `${args.what} of ${args.bucket}/${args.key} does not match: expected ${args.expected}, got ${args.actual}; the data was corrupted in transit or changed meanwhile. Retry the transfer.`
    })
  }
}

/** A local file could not be read or written. */
export class FileError extends /*#__PURE__*/ Data.TaggedError("FileError")<{
  readonly path: string
  readonly operation: string
  readonly message: string
  readonly cause?: unknown
}> {
  static make(path: string, operation: string, cause: unknown) {
    return new FileError({
      path,
      operation,
      cause,
      message: `could not ${operation} ${path}: ${cause instanceof Error ? cause.message : String(cause)}; check the path and its permissions.`
    })
  }
}
