/**
 * The errors an API 2.0 server answers: `{"code": <non-zero>, "message": "...", "codeDesc": "..."}`.
 * `_tag` is the `codeDesc` (`InvalidParameter`, `AuthFailure.SignatureFailure`, ...) so
 * `catchTag` works by code; `code` holds the same string for `Errors.classify`, and `category`
 * says how retries and the region breaker treat it, the same as for API 3.0 codes of that name.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type { Category } from "../../Errors.js"

/**
 * Names for the numeric codes of the API 2.0 common error table, used when an answer has no
 * `codeDesc` (older modules): the API 3.0 code of the same meaning.
 */
export const NUMERIC_CODE_NAMES: Readonly<Record<number, string>> = {
  4000: "InvalidParameter",
  4100: "AuthFailure",
  4200: "AuthFailure.SignatureExpire",
  4300: "UnauthorizedOperation",
  4400: "RequestLimitExceeded",
  5000: "ResourceNotFound",
  6000: "InternalError",
  6100: "UnsupportedOperation",
  6200: "ServiceUnavailable"
}

/** The code name of an answer: its `codeDesc`, else the name of its numeric `code`. */
export const codeName = (code: unknown, codeDesc: unknown): string => {
  if (typeof codeDesc === "string" && codeDesc !== "" && codeDesc !== "Success") return codeDesc
  if (typeof code === "string" && code !== "" && !/^-?\d+$/.test(code)) return code
  const n = typeof code === "number" ? code : Number(code)
  return NUMERIC_CODE_NAMES[n] ?? (Number.isFinite(n) ? `Code${n}` : "UnknownError")
}

/** How retries and the breaker treat a code, by its name (as API 3.0) or its numeric class. */
export const categoryOf = (name: string, numeric: number | undefined): Category => {
  if (name.startsWith("RequestLimitExceeded") || name === "LimitExceeded.RequestFrequency" || numeric === 4400) return "throttling"
  if (name === "ServiceUnavailable" || name.startsWith("ServiceUnavailable.") || numeric === 6200) return "unavailable"
  if (name === "InternalError" || name.startsWith("InternalError.") || numeric === 6000) return "internal"
  return "client"
}

const hintFor = (name: string, category: Category): string => {
  if (category === "throttling") return "the module is throttling this account; the default retry policy backs off and retries"
  if (name === "AuthFailure.SignatureExpire") return "the local clock is more than 5 minutes off; sync it (NTP)"
  if (name === "AuthFailure.SignatureFailure") return "check the SecretKey and that nothing rewrites the request between signing and sending"
  if (name.startsWith("AuthFailure") || name.startsWith("UnauthorizedOperation")) return "check the credentials and their permissions"
  if (name === "InvalidAction") return "the module has no action of that name; check the module and the spelling"
  if (category === "internal") return "a server-side failure; not retried, because the action may have run"
  if (category === "unavailable") return "the module cannot take the call now; read-only actions are retried"
  return "see the module's API 2.0 documentation for this code"
}

/** Fields of a {@link LegacyApiError}. */
export interface LegacyApiErrorFields {
  /** The module called (`cvm`, `sec`, ...). */
  readonly service: string
  readonly version: string
  readonly action: string
  readonly region?: string | undefined
  readonly endpoint?: string | undefined
  /** The code name: the answer's `codeDesc`, or the name of its numeric code. */
  readonly code: string
  /** The answer's `code` as sent (usually a number such as 4000). */
  readonly numericCode: number | string | undefined
  /** The server's own message, unchanged. */
  readonly serverMessage: string
  readonly category: Category
  /** A request id, when the answer carries one. */
  readonly requestId?: string | undefined
  readonly traceId: string
}

/** An API 2.0 server answered an error. `_tag` is the code name. */
export class LegacyApiError<Code extends string = string> extends /*#__PURE__*/ Data.Error<
  LegacyApiErrorFields & { readonly code: Code; readonly message: string }
> {
  readonly _tag: Code
  constructor(fields: LegacyApiErrorFields & { readonly code: Code }) {
    const where = `${fields.service} ${fields.action}${fields.region ? ` in ${fields.region}` : ""}${fields.endpoint ? ` via ${fields.endpoint}` : ""}`
    super({
      ...fields,
      message: `${fields.code} (${String(fields.numericCode)}): ${fields.serverMessage} (${where}); ${hintFor(fields.code, fields.category)}.`
    })
    this._tag = fields.code
  }
}

/**
 * Codes any API 2.0 module may answer (the common table, named as API 3.0 names them). A call's
 * error type lists them one by one, so `Effect.catchTag("InvalidParameter", (e) => ...)` hands a
 * typed error to the handler; any other code still arrives as a `LegacyApiError` with that `_tag`.
 */
export const commonCodes = [
  "AuthFailure",
  "AuthFailure.NonceReplay",
  "AuthFailure.SecretIdNotFound",
  "AuthFailure.SignatureExpire",
  "AuthFailure.SignatureFailure",
  "AuthFailure.TokenFailure",
  "InternalError",
  "InvalidAction",
  "InvalidParameter",
  "InvalidParameterValue",
  "InvalidRequest",
  "MissingParameter",
  "RequestLimitExceeded",
  "ResourceNotFound",
  "ServiceUnavailable",
  "UnauthorizedOperation",
  "UnsupportedOperation",
  "UnsupportedProtocol"
] as const

/** A code of {@link commonCodes}. */
export type CommonCode = (typeof commonCodes)[number]

/** One {@link LegacyApiError} per code, so `catchTag` narrows: `LegacyApiErrorOf<"A" | "B">` is `LegacyApiError<"A"> | LegacyApiError<"B">`. */
export type LegacyApiErrorOf<Codes extends string> = Codes extends string ? LegacyApiError<Codes> : never

/** Brand check for any {@link LegacyApiError}. */
export const isLegacyApiError = (u: unknown): u is LegacyApiError<string> => u instanceof LegacyApiError
