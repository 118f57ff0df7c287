/**
 * Checks of what is about to be sent that the HTTP layer would otherwise refuse (or worse, send):
 * header names and values, and the credential's fields. A failure here happens before a byte
 * leaves, so it is a `RequestValidationError` or `CredentialsError` — never a network failure,
 * never retried, never counted against a region.
 *
 * @internal
 */
import * as Redacted from "effect/Redacted"
import type { Credential } from "../Credentials.js"
import { type CallSite, CredentialsError, RequestValidationError } from "../Errors.js"

/** RFC 9110 token characters: a header name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** A header value: visible Latin-1 and inner spaces/tabs, no CR, LF or NUL. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
/** A SecretId: visible ASCII, no spaces. */
const SECRET_ID = /^[\x21-\x7e]+$/

/** The first header that cannot be sent, as an error naming it (its value is never quoted). */
export const checkHeaders = (headers: Readonly<Record<string, string>>, site: CallSite): RequestValidationError | undefined => {
  for (const name in headers) {
    if (!TOKEN.test(name)) {
      return RequestValidationError.make({
        service: site.service,
        action: site.action,
        field: `headers[${JSON.stringify(name)}]`,
        problem: "the header name has characters HTTP does not allow (spaces, CR/LF, separators or non-ASCII)",
        fix: "use a header name of letters, digits and -"
      })
    }
    const v = headers[name]
    if (typeof v !== "string" || !VALUE.test(v)) {
      return RequestValidationError.make({
        service: site.service,
        action: site.action,
        field: `headers[${JSON.stringify(name)}]`,
        problem: "the header value has CR, LF, NUL or characters outside Latin-1",
        fix: "remove line breaks and control characters; percent-encode or base64 non-Latin-1 text"
      })
    }
  }
  return undefined
}

/** A credential whose fields cannot be sent (a newline in the SecretId, a non-Latin-1 token). */
export const checkCredential = (c: Credential): CredentialsError | undefined => {
  if (!SECRET_ID.test(c.secretId)) {
    return new CredentialsError({
      provider: "credential",
      message: "the SecretId has spaces, line breaks or characters outside visible ASCII; check how it was read (a trailing newline in a file or variable is the usual cause). Nothing was sent."
    })
  }
  if (c.token !== undefined && !VALUE.test(Redacted.value(c.token))) {
    return new CredentialsError({
      provider: "credential",
      message: "the session token has line breaks or characters outside Latin-1; check how it was read. Nothing was sent."
    })
  }
  return undefined
}
