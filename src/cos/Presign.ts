/**
 * Presigned URLs of the configured client: a GET or PUT URL for an object, valid for a while,
 * signed with the current credential (temporary keys add `x-cos-security-token`), with the clock
 * corrected by any skew the client learnt. The pure builder is `Signature.presignedUrl`.
 *
 * @example
 * ```ts
 * const url = yield* Presign.presignedUrl({ bucket, key: "report.pdf", expires: "10 minutes" })
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CurrentOverrides } from "../core/Overrides.js"
import { type CredentialsError, RequestValidationError } from "../Errors.js"
import { Cos } from "./Cos.js"
import { layout } from "./internal/protocol.js"
import { presignedUrl as build } from "./Signature.js"

/** What a presigned URL is for. */
export interface PresignInput {
  readonly bucket: string
  readonly key: string
  /** `GET` (default) or `PUT`. */
  readonly method?: "GET" | "PUT" | "HEAD" | "DELETE" | undefined
  /** How long the URL works (default 15 minutes). */
  readonly expires?: Duration.DurationInput | undefined
  /** Signed query parameters, e.g. `{ "response-content-disposition": "attachment" }`. */
  readonly query?: Readonly<Record<string, string>> | undefined
  /** Headers the user of the URL must send exactly, e.g. `{ "content-type": "image/png" }`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** A presigned URL for an object. */
export const presignedUrl = (input: PresignInput): Effect.Effect<string, RequestValidationError | CredentialsError, Cos> =>
  Effect.gen(function* () {
    const cos = yield* Cos
    const ov = yield* CurrentOverrides
    const expires = Duration.decodeUnknown(input.expires ?? "15 minutes")
    if (Option.isNone(expires) || Duration.toSeconds(expires.value) < 1) {
      return yield* RequestValidationError.make({ service: "cos", action: "Presign", field: "expires", problem: `${String(input.expires)} is not at least 1 second`, fix: "use e.g. \"10 minutes\"" })
    }
    const laid = layout(cos.config)({ operation: "Presign", method: "GET", bucket: input.bucket, key: input.key, read: () => Either.right(undefined) }, ov)
    if (Either.isLeft(laid)) return yield* laid.left
    const credential = yield* cos.credentials.get
    const now = (yield* Clock.currentTimeMillis) + (cos.config.correctClockSkew ? cos.skew.offsetMillis : 0)
    const start = Math.floor(now / 1000) - 1
    const prefix = laid.right.signPath.slice(0, laid.right.signPath.length - input.key.length - 1)
    return build({
      secretId: credential.secretId,
      secretKey: Redacted.value(credential.secretKey),
      token: credential.token === undefined ? undefined : Redacted.value(credential.token),
      method: input.method ?? "GET",
      origin: `${cos.config.scheme}://${laid.right.host}`,
      pathPrefix: prefix === "" ? undefined : prefix,
      key: input.key,
      query: input.query,
      headers: input.headers,
      startSeconds: start,
      endSeconds: start + Math.ceil(Duration.toSeconds(expires.value))
    })
  })
