/**
 * How an answer goes out when a fault rule shapes its delivery: cut in half, sent with another
 * Content-Type, reset after half the body, or dribbled. One helper for every protocol (API 3.0,
 * API 2.0, Huawei Cloud, the metadata server), so a `faults.add(...)` means the same on each.
 *
 * Kept apart from `faults.ts`, whose exports are public (`Emulator.Faults`): this is plumbing.
 *
 * @internal
 */
import type * as http from "node:http"
import type * as net from "node:net"
import type { Fault } from "./faults.js"

/** Close a connection with a TCP reset where the platform can (the peer sees ECONNRESET), else destroy it. */
export const resetSocket = (socket: net.Socket): void => {
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
  else socket.destroy()
}

const half = (bytes: Buffer): Buffer => bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)))

/**
 * Send `status`, `headers` and `body` (Content-Length is set here), shaped by `fault`:
 *
 * - `truncate`: half the body, with a Content-Length that matches the cut;
 * - `contentType`: the fault's Content-Type (default `text/html; charset=utf-8`);
 * - `resetMidBody`: the head (full Content-Length) and half the body, then a reset;
 * - `slowBody`: the body in up to 10 pieces spread over `ms`.
 *
 * Any other fault (or none) sends the answer as it is. `headers` is modified.
 */
export const sendAnswer = (
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string | Buffer,
  fault: Fault | undefined
): void => {
  if (fault === undefined || fault.kind === "latency" || fault.kind === "error" || fault.kind === "http" || fault.kind === "reset") {
    // the common case: a string body goes out with its head in one write
    headers["Content-Length"] = typeof body === "string" ? Buffer.byteLength(body) : body.length
    res.writeHead(status, headers)
    res.end(body)
    return
  }
  let bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body
  if (fault.kind === "truncate") bytes = half(bytes)
  if (fault.kind === "contentType") headers["Content-Type"] = fault.contentType ?? "text/html; charset=utf-8"
  headers["Content-Length"] = bytes.length
  res.writeHead(status, headers)
  if (fault.kind === "resetMidBody") {
    res.write(half(bytes), () => setTimeout(() => resetSocket(res.req.socket), 5))
    return
  }
  if (fault.kind === "slowBody" && bytes.length > 1) {
    const pieces = Math.min(10, bytes.length)
    const step = Math.ceil(bytes.length / pieces)
    const interval = fault.ms / pieces
    let i = 0
    const tick = () => {
      if (res.destroyed) return
      const chunk = bytes.subarray(i * step, (i + 1) * step)
      i++
      if (i * step >= bytes.length) res.end(chunk)
      else {
        res.write(chunk)
        setTimeout(tick, interval)
      }
    }
    setTimeout(tick, interval)
    return
  }
  res.end(bytes)
}
