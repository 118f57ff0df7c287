/**
 * How an API 3.0 exchange ends: recorded in the request log (redacted views computed when first
 * read, off the hot path), then answered, shaped by a fault when one fired.
 *
 * @internal
 */
import type * as http from "node:http"
import { sendAnswer } from "../delivery.js"
import type { Fault } from "../faults.js"
import { FULL_PARAMS_LIMIT, type RecordedRequest, redactHeaders, redactParams, redactQuery, truncateParams } from "../recorder.js"
import { type Answer, type Exchange, header, type ServerConfig } from "./exchange.js"

/** A recorded exchange; redacted views are computed when first read. */
class Recorded implements RecordedRequest {
  readonly seq: number
  readonly time: number
  readonly method: string
  readonly host: string
  readonly path: string
  readonly service: string | undefined
  readonly version: string | undefined
  readonly action: string | undefined
  readonly region: string | undefined
  readonly signatureMethod: string | undefined
  readonly secretId: string | undefined
  readonly bodyBytes: number
  readonly response: RecordedRequest["response"]
  readonly faults: ReadonlyArray<string>
  readonly fault: string | undefined
  /** What this entry holds, estimated (the log is bounded by it). */
  readonly approxBytes: number
  private readonly rawQuery: string
  private readonly rawHeaders: http.IncomingHttpHeaders
  private readonly rawParams: unknown
  private cache: { query?: string; headers?: Readonly<Record<string, string>>; params?: unknown } = {}

  constructor(x: Exchange, status: number, a: Answer | undefined) {
    this.seq = x.seq
    this.time = x.time
    this.method = x.req.method ?? ""
    this.host = x.host
    this.path = x.path
    this.service = x.service
    this.version = x.version
    this.action = x.action
    this.region = x.region
    this.signatureMethod = x.signatureMethod
    this.secretId = x.secretId
    this.bodyBytes = x.body.length
    this.response = { status, code: a?.code, message: a?.message, requestId: a === undefined ? undefined : x.requestId }
    this.faults = x.fired
    this.fault = x.fault
    this.rawQuery = x.rawQuery
    this.rawHeaders = x.req.headers
    let paramBytes = x.body.length
    if (x.body.length > FULL_PARAMS_LIMIT && x.params !== undefined) {
      // a large request keeps a small truncated copy of its parameters, not the decoded whole
      const t = truncateParams(x.params)
      this.rawParams = t.value
      paramBytes = t.bytes
    } else this.rawParams = x.params
    let headerBytes = 0
    for (const k in x.req.headers) headerBytes += k.length + String(x.req.headers[k]).length
    this.approxBytes = 512 + 2 * (x.rawQuery.length + x.host.length + x.path.length + headerBytes) + paramBytes
  }

  get query(): string {
    return (this.cache.query ??= redactQuery(this.rawQuery))
  }
  get headers(): Readonly<Record<string, string>> {
    return (this.cache.headers ??= redactHeaders(this.rawHeaders as Record<string, string | Array<string> | undefined>))
  }
  get params(): unknown {
    if (!("params" in this.cache)) this.cache.params = this.rawParams === undefined ? undefined : redactParams(this.rawParams)
    return this.cache.params
  }
  toJSON() {
    const { rawQuery: _q, rawHeaders: _h, rawParams: _p, cache: _c, approxBytes: _b, ...rest } = this
    return { ...rest, query: this.query, headers: this.headers, params: this.params }
  }
}

/** Record and answer exchanges of one server. */
export const makeResponder = (cfg: ServerConfig) => {
  /** Log the exchange once (status 0: no answer went out). */
  const record = (x: Exchange, status: number, a: Answer | undefined): void => {
    if (x.done) return
    x.done = true
    if (cfg.recorder.capacity <= 0 && cfg.onAnswer === undefined) return
    const rec = new Recorded(x, status, a)
    cfg.recorder.push(rec)
    cfg.onAnswer?.(rec)
  }

  /** Record and send an answer, shaped by `fault`. */
  const deliver = (x: Exchange, a: Answer, fault: Fault | undefined): void => {
    const { res } = x
    if (res.destroyed || res.headersSent) return record(x, 0, a)
    const traceId = header(x.req, "x-tc-traceid")
    const headers: Record<string, string | number> = { "Content-Type": a.contentType }
    if (traceId !== undefined) headers["X-TC-TraceId"] = traceId
    record(x, a.status, a)
    sendAnswer(res, a.status, headers, a.body, fault)
  }

  return { record, deliver }
}
