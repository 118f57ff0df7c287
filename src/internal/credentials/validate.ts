/**
 * Checking credential values: empty values and values with surrounding whitespace are refused
 * with an error naming the field (never the value), and the temporary keys that STS and the
 * metadata server hand out are turned into a {@link Credential} the same way.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { CredentialsError } from "../../Errors.js"
import type { Credential } from "./service.js"

/** Input of `makeStatic` / `layerStatic`: plain strings or `Redacted`. */
export interface StaticInput {
  readonly secretId: string | Redacted.Redacted<string>
  readonly secretKey: string | Redacted.Redacted<string>
  readonly token?: string | Redacted.Redacted<string> | undefined
  /** Epoch milliseconds; only for temporary credentials. */
  readonly expiresAt?: number | undefined
}

export const reveal = (v: string | Redacted.Redacted<string>): string => (typeof v === "string" ? v : Redacted.value(v))

/** One value to check. */
export interface Field {
  /** What the user calls it: `secretId`, `TENCENTCLOUD_SECRET_KEY`, `secret_key`. */
  readonly label: string
  readonly value: string
  readonly line?: number | undefined
}

const at = (file: string | undefined, line: number | undefined) =>
  file === undefined ? "" : ` (${file}${line !== undefined ? `:${line}` : ""})`

/** Check one value; the message names the field and never contains the value. */
const checkField = (provider: string, field: Field, file: string | undefined): CredentialsError | undefined => {
  const problem = field.value === ""
    ? "is empty; set it to the value shown in the CAM console (API keys)"
    : field.value.trim() !== field.value
    ? "has leading or trailing whitespace; remove it (copying a key often adds a space or a newline)"
    : undefined
  if (problem === undefined) return undefined
  const [what, fix] = problem.split("; ")
  return new CredentialsError({
    provider,
    file,
    line: field.line,
    message: `${provider} credentials: ${field.label} ${what}${at(file, field.line)}; ${fix}`
  })
}

/** Validate the fields and build the credential. */
export const build = (
  provider: string,
  fields: { readonly secretId: Field; readonly secretKey: Field; readonly token?: Field | undefined },
  secretKey: Redacted.Redacted<string> | undefined,
  expiresAt: number | undefined,
  file?: string
): Either.Either<Credential, CredentialsError> => {
  for (const f of [fields.secretId, fields.secretKey]) {
    const e = checkField(provider, f, file)
    if (e) return Either.left(e)
  }
  let token: Redacted.Redacted<string> | undefined
  if (fields.token !== undefined && fields.token.value !== "") {
    const e = checkField(provider, fields.token, file)
    if (e) return Either.left(e)
    token = Redacted.make(fields.token.value)
  }
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    return Either.left(
      new CredentialsError({ provider, message: `${provider} credentials: expiresAt is not a finite number (epoch milliseconds expected)` })
    )
  }
  return Either.right({
    secretId: fields.secretId.value,
    secretKey: secretKey ?? Redacted.make(fields.secretKey.value),
    token,
    expiresAt
  })
}

/**
 * Validate and build a credential. Empty values and values with leading or trailing whitespace
 * are rejected with an error naming the field (`secretId`, `secretKey`, `token`), never the value.
 * An empty token means "no token".
 */
export const validate = (provider: string, input: StaticInput): Either.Either<Credential, CredentialsError> =>
  build(
    provider,
    {
      secretId: { label: "secretId", value: reveal(input.secretId) },
      secretKey: { label: "secretKey", value: reveal(input.secretKey) },
      token: input.token === undefined ? undefined : { label: "token", value: reveal(input.token) }
    },
    typeof input.secretKey === "string" ? undefined : input.secretKey,
    input.expiresAt
  )

/**
 * A temporary credential from an answer (`TmpSecretId`, `TmpSecretKey`, `Token`, `ExpiredTime`
 * in Unix seconds), every member checked. `what` names the answer in messages
 * (`the metadata server's answer for role app`); values are never quoted.
 */
export const temporary = (
  provider: string,
  what: string,
  fix: string,
  answer: { readonly TmpSecretId?: unknown; readonly TmpSecretKey?: unknown; readonly Token?: unknown; readonly ExpiredTime?: unknown }
): Either.Either<Credential, CredentialsError> => {
  const fail = (problem: string) => Either.left(new CredentialsError({ provider, message: `${what} ${problem}; ${fix}` }))
  for (const k of ["TmpSecretId", "TmpSecretKey", "Token"] as const) {
    const v = answer[k]
    if (typeof v !== "string" || v === "") return fail(`has no ${k} (or it is not a non-empty string)`)
    if (v.trim() !== v || /[\u0000-\u001f\u007f]/.test(v)) return fail(`has a ${k} with whitespace or control characters`)
  }
  const expired = typeof answer.ExpiredTime === "string" && /^\d+$/.test(answer.ExpiredTime) ? Number(answer.ExpiredTime) : answer.ExpiredTime
  if (typeof expired !== "number" || !Number.isSafeInteger(expired) || expired <= 0) {
    return fail("has no ExpiredTime (Unix seconds) or it is not a positive integer")
  }
  return Either.right({
    secretId: answer.TmpSecretId as string,
    secretKey: Redacted.make(answer.TmpSecretKey as string),
    token: Redacted.make(answer.Token as string),
    expiresAt: expired * 1000
  })
}
