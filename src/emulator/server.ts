/**
 * The emulator's HTTP handlers: plain `node:http`, one port for every protocol. A request whose
 * Host (or path) a protocol handler claims goes to it (`router.ts`); everything else is API 3.0:
 *
 * 1. read the body within the cloud's size limits (GET 32 KB, v1 POST 1 MB, TC3 10 MB);
 * 2. work out the protocol, service, action, version and region (`api3/parse.ts`);
 * 3. decide faults for that target;
 * 4. verify the signature from the raw request (`api3/auth.ts`);
 * 5. look the action up, validate the parameters, answer from state or generated data, and check
 *    the answer against the response schema (`api3/dispatch.ts`, `api3/answerCheck.ts`);
 * 6. record and send it, shaped by the fault (`api3/respond.ts`, `delivery.ts`).
 *
 * Synchronous per request once a service version's spec is loaded.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import * as http from "node:http"
import type * as net from "node:net"
import { makeAuth } from "./api3/auth.js"
import { makeDispatch } from "./api3/dispatch.js"
import {
  type Answer,
  apiError,
  defaultFaultMessage,
  errorBody,
  type Exchange,
  htmlPage,
  KB,
  MAX_HEADER_SIZE,
  type ServerConfig,
  TC3_LIMIT,
  type Target,
  thrown,
  V1_POST_LIMIT
} from "./api3/exchange.js"
import { makeTarget } from "./api3/parse.js"
import { makeResponder } from "./api3/respond.js"
import { resetSocket } from "./delivery.js"
import type { Fault } from "./faults.js"
import { makeRouter } from "./router.js"

export { MAX_HEADER_SIZE, type ServerConfig }

const VERSION = /^\d{4}-\d{2}-\d{2}$/
const FORM = "application/x-www-form-urlencoded"
const ignore = () => {}

/** Build the request handler and the `clientError` handler of a server. */
export const makeHandlers = (cfg: ServerConfig) => {
  const { record, deliver } = makeResponder(cfg)
  const target = makeTarget(cfg, makeAuth(cfg))
  const dispatch = makeDispatch(cfg)
  const router = makeRouter(cfg.protocols ?? [])

  const fail = (x: Exchange, e: unknown, what: string): Answer => apiError("InternalError", `The emulator failed ${what}: ${thrown(e)}`, x.requestId)

  const guarded = (x: Exchange, f: () => Answer): Answer => {
    try {
      return f()
    } catch (e) {
      return fail(x, e, "on this request")
    }
  }

  const safely = (x: Exchange, f: () => void) => {
    try {
      f()
    } catch (e) {
      deliver(x, fail(x, e, "on this request"), undefined)
    }
  }

  /** After faults: authenticate, look up, validate, answer. */
  const proceed = (x: Exchange, t: Target, fault: Fault | undefined) => {
    if (x.service === undefined || x.service === "") {
      const roots = cfg.rootDomains.join(", ")
      const message = `Cannot tell which service this request is for: send it to <service>.<root> (roots: ${roots}), add the header X-TC-Service, or sign it with TC3 (credential scope).`
      return deliver(x, apiError("InvalidRequest", message, x.requestId), fault)
    }
    const denied = t.authorize()
    if (denied !== undefined) return deliver(x, denied, fault)
    if (x.action === undefined || x.action === "") return deliver(x, apiError("MissingParameter", "The request is missing a required parameter `Action` (X-TC-Action).", x.requestId), fault)
    if (x.version === undefined || x.version === "") return deliver(x, apiError("MissingParameter", "The request is missing a required parameter `Version` (X-TC-Version).", x.requestId), fault)
    if (!VERSION.test(x.version)) return deliver(x, apiError("NoSuchVersion", `The API version \`${x.version}\` is not a YYYY-MM-DD version.`, x.requestId), fault)
    const lookup = cfg.catalog.lookup(x.service, x.version, x.action)
    if (lookup instanceof Promise) {
      lookup.then(
        (l) => deliver(x, guarded(x, () => dispatch(x, l, t.flat)), fault),
        (e) => deliver(x, apiError("InternalError", `The emulator could not load the spec of ${x.service} ${x.version}: ${String(e)}`, x.requestId), fault)
      )
      return
    }
    deliver(x, guarded(x, () => dispatch(x, lookup, t.flat)), fault)
  }

  const handle = (x: Exchange, tooLarge: boolean) => {
    if (tooLarge) {
      const v1 = x.contentType.toLowerCase().startsWith(FORM)
      const message = v1
        ? "The request exceeds the request size limit (1 MB) of HmacSHA1/HmacSHA256 signatures; please use the TC3-HMAC-SHA256 signature method (limit 10 MB)."
        : "The request body exceeds the TC3 limit of 10 MB."
      return deliver(x, apiError(v1 ? "AuthFailure.SignatureFailure" : "RequestSizeLimitExceeded", message, x.requestId), undefined)
    }
    let t: Target | Answer
    try {
      t = target(x)
    } catch (e) {
      t = fail(x, e, "to parse this request")
    }
    const decision = cfg.faults.decide({ service: x.service, action: x.action, region: x.region, host: x.hostname })
    x.fired = decision.fired
    const fault = decision.fault
    x.fault = fault?.kind
    const go = () => {
      if (fault?.kind === "reset") {
        record(x, 0, undefined)
        return resetSocket(x.req.socket)
      }
      if (fault?.kind === "http") {
        return deliver(x, { status: fault.status, contentType: "text/html", body: fault.body ?? htmlPage(fault.status, http.STATUS_CODES[fault.status]) }, undefined)
      }
      if (fault?.kind === "error") return deliver(x, apiError(fault.code, fault.message ?? defaultFaultMessage(fault.code), x.requestId), undefined)
      if ("status" in t) return deliver(x, t, fault)
      proceed(x, t, fault)
    }
    if (decision.latencyMs > 0) {
      const timer = setTimeout(() => safely(x, go), decision.latencyMs)
      // a client that gives up (its timeout) is recorded then, not when the latency would have
      // ended, and no timer outlives it
      x.res.once("close", () => {
        if (x.done) return
        clearTimeout(timer)
        record(x, 0, undefined)
      })
    } else go()
  }

  /** An API 3.0 request: read the body within its limit, then handle it. */
  const api3 = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const ctype = req.headers["content-type"] ?? ""
    const limit = ctype.length >= FORM.length && ctype.toLowerCase().startsWith(FORM) ? V1_POST_LIMIT : TC3_LIMIT
    let first: Buffer | undefined
    let chunks: Array<Buffer> | undefined
    let size = 0
    let tooLarge = false
    req.on("error", ignore)
    res.on("error", ignore)
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > limit) {
        tooLarge = true
        first = chunks = undefined
      } else if (first === undefined && chunks === undefined) first = c
      else (chunks ??= [first!]).push(c)
    })
    req.on("end", () => {
      const host = req.headers.host ?? ""
      const url = req.url ?? "/"
      const q = url.indexOf("?")
      const x: Exchange = {
        seq: cfg.recorder.nextSeq(),
        time: cfg.now(),
        req,
        res,
        body: tooLarge ? EMPTY : chunks !== undefined ? Buffer.concat(chunks) : (first ?? EMPTY),
        requestId: randomUUID(),
        host,
        hostname: router.hostnameOf(host),
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? "" : url.slice(q + 1),
        contentType: ctype,
        service: undefined,
        hostRegion: undefined,
        region: undefined,
        action: undefined,
        version: undefined,
        signatureMethod: undefined,
        secretId: undefined,
        auth: undefined,
        params: undefined,
        fired: NO_FAULTS,
        fault: undefined,
        done: false
      }
      safely(x, () => handle(x, tooLarge))
    })
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const p = router.protocolOf(req)
    if (p !== undefined) return p.handle(req, res)
    api3(req, res)
  }

  /** Malformed HTTP: answer with a status and the envelope when the socket still allows it. */
  const onClientError = (err: Error & { code?: string }, socket: net.Socket) => {
    if (!socket.writable || err.code === "ECONNRESET") {
      socket.destroy()
      return
    }
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400
    const body =
      status === 431
        ? errorBody("RequestSizeLimitExceeded", `The request headers exceed ${MAX_HEADER_SIZE / KB} KB.`, randomUUID())
        : errorBody("InvalidRequest", `Malformed HTTP request (${err.code ?? err.message}).`, randomUUID())
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    )
  }

  return { onRequest, onClientError }
}

const EMPTY = Buffer.alloc(0)
const NO_FAULTS: ReadonlyArray<string> = []
