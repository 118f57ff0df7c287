/**
 * Causes from lower layers, made safe to keep inside our errors: a Node `TypeError` for an invalid
 * URL carries the whole URL in `input` (a v1 query with `Token=` and `Signature=`), an undici
 * error may carry request options. The copy keeps what helps (name, message, code, errno, syscall,
 * a sanitised cause) with every URL's secret parameters redacted, and nothing else.
 *
 * @internal
 */
import { redactForm } from "./redact.js"

const URLISH = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+|[?&][^\s"'<>=&]+=[^\s"'<>]*/gi

/** Redact secret parameters of every URL or query fragment inside a text. */
export const redactText = (s: string): string => s.replace(URLISH, (m) => redactForm(m))

/** A sanitised copy of a cause (depth-limited), safe for `JSON.stringify`, `util.inspect` and spans. */
export const sanitizeCause = (cause: unknown, depth = 0): unknown => {
  if (cause === null || cause === undefined) return cause
  if (typeof cause === "string") return redactText(cause)
  if (typeof cause !== "object") return cause
  if (depth > 4) return undefined
  const c = cause as Record<string, unknown>
  const name = typeof c.name === "string" ? c.name : "Error"
  const message = typeof c.message === "string" ? redactText(c.message) : ""
  const out = new Error(message) as Error & Record<string, unknown>
  out.name = name
  for (const k of ["code", "errno", "syscall", "reason"]) {
    const v = c[k]
    if (typeof v === "string" || typeof v === "number") out[k] = typeof v === "string" ? redactText(v) : v
  }
  if (c.cause !== undefined) out.cause = sanitizeCause(c.cause, depth + 1)
  out.stack = `${name}: ${message}`
  return out
}
