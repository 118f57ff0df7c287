/**
 * One COS exchange in the emulator and how it is answered: XML documents and error documents
 * with `x-cos-request-id`, object bodies streamed from segments, and the injected faults that
 * change how an answer goes out (reset mid-body, truncation, slow bodies).
 *
 * @internal
 */
import type * as http from "node:http"
import { pipeline } from "node:stream"
import { escape } from "../../cos/internal/xml.js"
import type { Fault } from "../faults.js"
import type { EmulatorContext } from "../protocol.js"
import { redactHeaders } from "../recorder.js"
import { readRange, type Segment, type Store } from "./store.js"

/** One request as the COS handler sees it. */
export interface Exchange {
  readonly ctx: EmulatorContext
  readonly store: Store
  readonly req: http.IncomingMessage
  readonly res: http.ServerResponse
  readonly seq: number
  readonly time: number
  readonly requestId: string
  readonly method: string
  readonly host: string
  readonly rawPath: string
  readonly rawQuery: string
  /** Decoded query parameters (first value wins). */
  readonly query: ReadonlyMap<string, string>
  /** `name-appid`, when the request names a bucket. */
  readonly bucket: string | undefined
  readonly region: string | undefined
  /** The decoded object key (`""` for bucket and service requests). */
  readonly key: string
  action: string
  secretId: string | undefined
  fired: ReadonlyArray<string>
  fault: Exclude<Fault, { kind: "latency" }> | undefined
  done: boolean
}

export const header = (x: Exchange, name: string): string | undefined => {
  const v = x.req.headers[name]
  return v === undefined ? undefined : typeof v === "string" ? v : v.join(",")
}

const record = (x: Exchange, status: number, code: string | undefined, message: string | undefined) => {
  if (x.done) return
  x.done = true
  x.ctx.recorder.push({
    seq: x.seq,
    time: x.time,
    method: x.method,
    host: x.host,
    path: x.rawPath,
    query: x.rawQuery.replace(/(^|&)(q-signature|x-cos-security-token)=[^&]*/g, "$1$2=<redacted>"),
    headers: Object.fromEntries(
      Object.entries(redactHeaders(x.req.headers as Record<string, string>)).map(([k, v]) =>
        k === "authorization" ? [k, v.replace(/q-signature=[^&]*/, "q-signature=<redacted>")] : k === "x-cos-security-token" ? [k, "<redacted>"] : [k, v]
      )
    ),
    service: "cos",
    version: "xml",
    action: x.action,
    region: x.region,
    signatureMethod: "q-sign-sha1",
    secretId: x.secretId,
    params: { bucket: x.bucket, key: x.key },
    bodyBytes: Number(header(x, "content-length") ?? 0) || 0,
    response: { status, code, message, requestId: x.requestId },
    faults: x.fired,
    fault: x.fault?.kind
  })
}

/** Destroy the connection without an answer. */
export const reset = (x: Exchange): void => {
  record(x, 0, undefined, "connection reset (injected)")
  x.req.socket.resetAndDestroy?.() ?? x.req.socket.destroy()
}

const baseHeaders = (x: Exchange): Record<string, string> => ({
  "x-cos-request-id": x.requestId,
  Server: "tencent-cos",
  Date: new Date(x.ctx.now()).toUTCString()
})

/** Answer with a small body (XML or empty), applying body faults. */
export const send = (x: Exchange, status: number, headers: Readonly<Record<string, string>>, body: string | Buffer = "", code?: string, message?: string): void => {
  const { res } = x
  if (res.headersSent || res.destroyed) return record(x, 0, code, message)
  let bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body
  const h: Record<string, string | number> = { ...baseHeaders(x), ...headers }
  if (bytes.length > 0 && h["Content-Type"] === undefined) h["Content-Type"] = "application/xml"
  if (x.fault?.kind === "truncate" && bytes.length > 1) bytes = bytes.subarray(0, Math.floor(bytes.length / 2))
  if (x.fault?.kind === "contentType") h["Content-Type"] = x.fault.contentType ?? "text/html; charset=utf-8"
  h["Content-Length"] = bytes.length
  record(x, status, code, message)
  if (x.method === "HEAD") bytes = Buffer.alloc(0)
  if (x.fault?.kind === "resetMidBody" && bytes.length > 1) {
    res.writeHead(status, h)
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => setTimeout(() => x.req.socket.destroy(), 5))
    return
  }
  res.writeHead(status, h)
  res.end(bytes)
}

/** An XML error document. */
export const fail = (x: Exchange, status: number, code: string, message: string, extra: Record<string, string> = {}): void => {
  const resource = `${x.bucket ?? ""}${x.bucket ? ".cos." + (x.region ?? "") + ".myqcloud.com" : x.host}${x.rawPath}`
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message>` +
    `<Resource>${escape(resource)}</Resource><RequestId>${x.requestId}</RequestId><TraceId>${Buffer.from(x.requestId).toString("base64")}</TraceId></Error>`
  // a request whose body was not read: close the connection rather than read what we refuse
  const headers: Record<string, string> = { ...extra }
  if (!x.req.complete) headers.Connection = "close"
  send(x, status, headers, body, code, message)
  if (!x.req.complete) x.req.resume()
}

/** Stream `[start, end)` of an object's bytes as the answer. */
export const sendBytes = (x: Exchange, status: number, headers: Readonly<Record<string, string>>, segments: ReadonlyArray<Segment>, start: number, end: number): void => {
  const { res } = x
  const h: Record<string, string | number> = { ...baseHeaders(x), ...headers, "Content-Length": end - start }
  record(x, status, undefined, undefined)
  if (x.method === "HEAD" || end <= start) {
    res.writeHead(status, h)
    res.end()
    return
  }
  const fault = x.fault
  res.writeHead(status, h)
  const cut = fault?.kind === "truncate" || fault?.kind === "resetMidBody"
  if (!cut && segments.every((seg) => "buf" in seg)) return writeBuffers(res, segments as ReadonlyArray<{ readonly buf: Buffer }>, start, end)
  pipeline(readRange(segments, start, cut ? start + Math.max(1, Math.floor((end - start) / 2)) : end), res, () => {
    if (fault?.kind === "resetMidBody" || fault?.kind === "truncate") x.req.socket.destroy()
  })
}

/**
 * Bytes held in memory go out as they are (no copies, no stream between), about 1 MB per socket
 * write whatever the size of the stored pieces: the pieces are queued while the response is
 * corked and leave in one vectored write when it is uncorked; then the next batch waits for `drain`.
 */
const writeBuffers = (res: http.ServerResponse, segments: ReadonlyArray<{ readonly buf: Buffer }>, start: number, end: number): void => {
  let i = 0
  let pos = 0
  const pump = () => {
    res.cork()
    while (i < segments.length && pos < end && res.writableLength < BATCH) {
      const buf = segments[i++].buf
      const base = pos
      pos += buf.length
      const from = Math.max(start, base) - base
      const to = Math.min(end, pos) - base
      if (from < to) res.write(from === 0 && to === buf.length ? buf : buf.subarray(from, to))
    }
    res.uncork()
    if (res.destroyed) return
    if (i < segments.length && pos < end) res.once("drain", pump)
    else res.end()
  }
  res.once("close", () => res.removeListener("drain", pump))
  pump()
}

const BATCH = 1024 * 1024
