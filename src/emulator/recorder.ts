/**
 * The request log: a bounded ring buffer of what the emulator received and answered, for tests to
 * inspect. Secrets never appear in it: the `Authorization` signature, `X-TC-Token`, the v1
 * `Signature` and `Token` parameters and secret-looking parameters (`Password`, `SecretKey`,
 * `WebIdentityToken`, ...) are replaced by `"<redacted>"`.
 *
 * It is bounded twice: by count (`capacity`) and by bytes (`maxBytes`, default
 * {@link DEFAULT_MAX_BYTES}), the oldest entries going first. The parameters of a request whose
 * body is over {@link FULL_PARAMS_LIMIT} are kept truncated ({@link truncateParams}): long texts
 * cut, long lists shortened, so a stream of 5 MB uploads cannot grow the log.
 *
 * @since 0.1.0
 */

import { setOwn } from "./own.js"

/** One recorded exchange. */
export interface RecordedRequest {
  /** 1, 2, 3, ... over the emulator's life (not reset by `clear`). */
  readonly seq: number
  /** Emulator clock when the request arrived (ms since the epoch). */
  readonly time: number
  readonly method: string
  /** The Host header as sent (port included). */
  readonly host: string
  readonly path: string
  /** The raw query string, `Signature`/`Token` redacted. */
  readonly query: string
  /** Request headers (lower-case names), secrets redacted. */
  readonly headers: Readonly<Record<string, string>>
  readonly service: string | undefined
  readonly version: string | undefined
  readonly action: string | undefined
  readonly region: string | undefined
  /** `TC3-HMAC-SHA256`, `HmacSHA256`, `HmacSHA1`, `SKIP`, or undefined when not determined. */
  readonly signatureMethod: string | undefined
  readonly secretId: string | undefined
  /** Decoded business parameters (secrets redacted), when the request got that far. */
  readonly params: unknown
  readonly bodyBytes: number
  readonly response: {
    /** HTTP status sent (0 when the connection was reset before an answer). */
    readonly status: number
    /** The API error code, if the answer was an error envelope. */
    readonly code: string | undefined
    readonly message: string | undefined
    readonly requestId: string | undefined
  }
  /** Fault rule ids that fired, and the fault kind applied (if any). */
  readonly faults: ReadonlyArray<string>
  readonly fault: string | undefined
}

/** Read access to the log. */
export interface RequestLog {
  /** Recorded requests, oldest first, optionally filtered. */
  readonly list: (filter?: { readonly service?: string; readonly action?: string; readonly code?: string }) => ReadonlyArray<RecordedRequest>
  /** The latest request, if any. */
  readonly last: () => RecordedRequest | undefined
  /** How many requests were received in total (including ones evicted from the buffer). */
  readonly total: () => number
  /** Empty the buffer. */
  readonly clear: () => void
  /** What the log holds now, estimated in bytes (bounded by the emulator's `recordMaxBytes`). */
  readonly bytes: () => number
}

const SECRET_PARAM = /^(Password|Passwd|SecretKey|TmpSecretKey|Token|WebIdentityToken|SessionToken|PrivateKey|AccessKey(Secret)?)$/i
const REDACTED = "<redacted>"

/** A copy of parameters with secret-looking members redacted. */
export const redactParams = (v: unknown, depth = 0): unknown => {
  if (depth > 32 || v === null || typeof v !== "object") return v
  if (v instanceof Uint8Array) return `<${v.length} bytes>`
  if (Array.isArray(v)) return v.map((x) => redactParams(x, depth + 1))
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k]
    // a member named `__proto__` stays a member (an assignment would set the prototype)
    setOwn(out, k, SECRET_PARAM.test(k) && typeof x === "string" ? REDACTED : redactParams(x, depth + 1))
  }
  return out
}

/** The log's default size bound: 32 MiB (an estimate of what its entries hold). */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024

/** Bodies up to this size keep their decoded parameters whole; larger ones are truncated. */
export const FULL_PARAMS_LIMIT = 64 * 1024

const TEXT_KEEP = 256
const LIST_KEEP = 32

/**
 * A small copy of large parameters: texts over 256 characters cut (`…<+N characters>`), lists
 * over 32 items shortened (a last item `…<+N items>`), bytes as `<N bytes>`, nesting beyond 32
 * levels dropped. Returns the copy and an estimate of its size in bytes.
 */
export const truncateParams = (v: unknown): { readonly value: unknown; readonly bytes: number } => {
  let bytes = 0
  const go = (x: unknown, depth: number): unknown => {
    bytes += 8
    if (typeof x === "string") {
      const keep = x.length > TEXT_KEEP ? `${x.slice(0, TEXT_KEEP)}…<+${x.length - TEXT_KEEP} characters>` : x
      bytes += keep.length * 2
      return keep
    }
    if (x === null || typeof x !== "object") return x
    if (depth > 32) return "<nested too deep>"
    if (x instanceof Uint8Array) return `<${x.length} bytes>`
    if (Array.isArray(x)) {
      const out = x.slice(0, LIST_KEEP).map((y) => go(y, depth + 1))
      if (x.length > LIST_KEEP) out.push(`…<+${x.length - LIST_KEEP} items>`)
      return out
    }
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(x)) {
      bytes += k.length * 2
      setOwn(out, k, go((x as Record<string, unknown>)[k], depth + 1))
    }
    return out
  }
  const value = go(v, 0)
  return { value, bytes }
}

/** What an entry holds, estimated: its own `approxBytes` when it has one, else a fixed cost plus its body. */
const sizeOf = (r: RecordedRequest): number => {
  const own = (r as { approxBytes?: unknown }).approxBytes
  return typeof own === "number" ? own : 1024 + (typeof r.bodyBytes === "number" ? Math.min(r.bodyBytes, FULL_PARAMS_LIMIT) : 0)
}

/** Headers with the signature and token redacted. */
export const redactHeaders = (h: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const k of Object.keys(h)) {
    const raw = h[k]
    if (raw === undefined) continue
    const v = typeof raw === "string" ? raw : raw.join(", ")
    if (k === "authorization") out[k] = v.replace(/Signature=[^,\s]*/i, `Signature=${REDACTED}`)
    else if (k === "x-tc-token") out[k] = REDACTED
    else out[k] = v
  }
  return out
}

/** A query (or form body) with `Signature` and `Token` redacted. */
export const redactQuery = (q: string): string => q.replace(/(^|&)(Signature|Token)=[^&]*/g, `$1$2=${REDACTED}`)

/** The ring buffer, bounded by count and by bytes. */
export class Recorder implements RequestLog {
  private readonly buf: Array<RecordedRequest | undefined>
  private readonly sizes: Array<number>
  private start = 0
  private size = 0
  private seen = 0
  private held = 0

  constructor(
    readonly capacity: number,
    readonly maxBytes: number = DEFAULT_MAX_BYTES
  ) {
    this.buf = new Array(Math.max(0, capacity))
    this.sizes = new Array(Math.max(0, capacity)).fill(0)
  }

  readonly bytes = (): number => this.held

  private dropOldest(): void {
    this.held -= this.sizes[this.start]
    this.buf[this.start] = undefined
    this.sizes[this.start] = 0
    this.start = (this.start + 1) % this.capacity
    this.size--
  }

  /** The next sequence number. */
  nextSeq(): number {
    return ++this.seen
  }

  push(r: RecordedRequest): void {
    if (this.capacity <= 0) return
    const n = sizeOf(r)
    if (this.size === this.capacity) this.dropOldest()
    while (this.size > 0 && this.held + n > this.maxBytes) this.dropOldest()
    const i = (this.start + this.size) % this.capacity
    this.buf[i] = r
    this.sizes[i] = n
    this.held += n
    this.size++
  }

  readonly list: RequestLog["list"] = (filter) => {
    const out: Array<RecordedRequest> = []
    for (let i = 0; i < this.size; i++) {
      const r = this.buf[(this.start + i) % this.capacity]!
      if (filter?.service !== undefined && r.service !== filter.service) continue
      if (filter?.action !== undefined && r.action !== filter.action) continue
      if (filter?.code !== undefined && r.response.code !== filter.code) continue
      out.push(r)
    }
    return out
  }

  readonly last = (): RecordedRequest | undefined => (this.size === 0 ? undefined : this.buf[(this.start + this.size - 1) % this.capacity])

  readonly total = (): number => this.seen

  readonly clear = (): void => {
    this.buf.fill(undefined)
    this.sizes.fill(0)
    this.start = 0
    this.size = 0
    this.held = 0
  }
}
