/**
 * The request log: a bounded ring buffer of what the emulator received and answered, for tests to
 * inspect. Secrets never appear in it: the `Authorization` signature, `X-TC-Token`, the v1
 * `Signature` and `Token` parameters and secret-looking parameters (`Password`, `SecretKey`,
 * `WebIdentityToken`, ...) are replaced by `"<redacted>"`.
 *
 * @since 0.1.0
 */

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
    out[k] = SECRET_PARAM.test(k) && typeof x === "string" ? REDACTED : redactParams(x, depth + 1)
  }
  return out
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

/** The ring buffer. */
export class Recorder implements RequestLog {
  private readonly buf: Array<RecordedRequest | undefined>
  private start = 0
  private size = 0
  private seen = 0

  constructor(readonly capacity: number) {
    this.buf = new Array(Math.max(0, capacity))
  }

  /** The next sequence number. */
  nextSeq(): number {
    return ++this.seen
  }

  push(r: RecordedRequest): void {
    if (this.capacity <= 0) return
    if (this.size < this.capacity) {
      this.buf[(this.start + this.size) % this.capacity] = r
      this.size++
    } else {
      this.buf[this.start] = r
      this.start = (this.start + 1) % this.capacity
    }
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
    this.start = 0
    this.size = 0
  }
}
