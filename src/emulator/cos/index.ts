/**
 * COS in the emulator: requests whose Host is a COS host (`<bucket>-<appid>.cos.<region>.myqcloud.com`,
 * with or without a port; `service.cos.myqcloud.com` for the bucket list; `cos.<region>.myqcloud.com`
 * path-style; `<bucket>-<appid>.cos.accelerate.myqcloud.com`) are routed here. Every request is
 * checked (injected faults, then the `q-sign` signature from the header or the URL, its key time
 * and, for temporary keys, the `x-cos-security-token`) and answered in COS XML with
 * `x-cos-request-id`. Buckets, objects and multipart uploads live in `store.ts`.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import type * as http from "node:http"
import type { EmulatorContext, ProtocolHandler } from "../protocol.js"
import { check, queryPairs, readSignature, unpct } from "./auth.js"
import { bucketOp, serviceOp } from "./buckets.js"
import { objectOp } from "./objects.js"
import { type Exchange, fail, header, reset, send } from "./respond.js"
import { Store } from "./store.js"

const VIRTUAL = /^([a-z0-9][a-z0-9-]*-\d+)\.cos\.([a-z0-9-]+)\.myqcloud\.com$/
const PATH_STYLE = /^cos\.([a-z0-9-]+)\.myqcloud\.com$/
const SERVICE = "service.cos.myqcloud.com"

interface Route {
  readonly bucket: string | undefined
  readonly region: string | undefined
  readonly pathStyle: boolean
}

const route = (hostname: string): Route | undefined => {
  if (hostname === SERVICE) return { bucket: undefined, region: undefined, pathStyle: false }
  const v = VIRTUAL.exec(hostname)
  if (v !== null) return { bucket: v[1], region: v[2] === "accelerate" ? undefined : v[2], pathStyle: false }
  const p = PATH_STYLE.exec(hostname)
  if (p !== null) return { bucket: undefined, region: p[1], pathStyle: true }
  return undefined
}

/** The COS operation a request is, for fault rules and the request log. */
const actionOf = (method: string, bucket: string | undefined, key: string, q: ReadonlyMap<string, string>, copy: boolean): string => {
  if (bucket === undefined) return "GetService"
  const sub = ["uploads", "uploadId", "partNumber", "tagging", "acl", "cors", "lifecycle", "versioning", "location", "delete", "append"].find((s) => q.has(s))
  if (key === "") {
    const base = { GET: "GetBucket", PUT: "PutBucket", HEAD: "HeadBucket", DELETE: "DeleteBucket", POST: "PostBucket" }[method] ?? method
    if (sub === "delete") return "DeleteMultipleObjects"
    if (sub === "uploads") return "ListMultipartUploads"
    return sub ? base + sub[0].toUpperCase() + sub.slice(1) : base
  }
  if (sub === "uploads") return "InitiateMultipartUpload"
  if (q.has("partNumber")) return copy ? "UploadPartCopy" : "UploadPart"
  if (q.has("uploadId")) return method === "POST" ? "CompleteMultipartUpload" : method === "DELETE" ? "AbortMultipartUpload" : "ListParts"
  if (sub === "append") return "AppendObject"
  const base = { GET: "GetObject", PUT: copy ? "PutObjectCopy" : "PutObject", HEAD: "HeadObject", DELETE: "DeleteObject", POST: "PostObject", OPTIONS: "OptionsObject" }[method] ?? method
  return sub === "tagging" || sub === "acl" ? base.replace("Copy", "") + sub[0].toUpperCase() + sub.slice(1) : base
}

const FAULT_STATUS: Record<string, number> = { SlowDown: 503, ServiceUnavailable: 503, InternalError: 500, RequestTimeout: 400, AccessDenied: 403, NoSuchKey: 404, NoSuchBucket: 404 }

/** Build the COS handler of an emulator. */
export const makeCosHandler = (ctx: EmulatorContext, options: { readonly dir?: string | undefined } = {}): ProtocolHandler => {
  const store = new Store(options.dir ?? (process.env.TENCENTCLOUD_EMULATOR_COS_DIR || undefined))

  const authenticate = (x: Exchange, pairs: ReadonlyArray<[string, string]>): "ok" | "anonymous" | "done" => {
    const sig = readSignature(header(x, "authorization"), pairs)
    if (sig === "none") return "anonymous"
    if (typeof sig === "string") {
      fail(x, 403, "AccessDenied", `The Authorization is malformed: ${sig}.`)
      return "done"
    }
    x.secretId = sig.secretId
    const now = Math.floor(ctx.now() / 1000)
    let secretKey = ctx.keys.get(sig.secretId)
    if (secretKey === undefined) {
      const temp = ctx.state.temporary(sig.secretId)
      if (temp === undefined) {
        fail(x, 403, "InvalidAccessKeyId", `The SecretId ${sig.secretId} is not known to this emulator.`)
        return "done"
      }
      if (temp.expiresAt <= ctx.now()) {
        fail(x, 400, "ExpiredToken", `The temporary credential ${sig.secretId} expired at ${new Date(temp.expiresAt).toISOString()}.`)
        return "done"
      }
      const token = header(x, "x-cos-security-token") ?? x.query.get("x-cos-security-token")
      if (token !== temp.token) {
        fail(x, 403, "InvalidAccessKeyId", `A temporary SecretId needs its token in x-cos-security-token${token ? "; the token given does not belong to it" : ""}.`)
        return "done"
      }
      secretKey = temp.secretKey
    }
    const [start, end] = sig.keyTime
    if (start > now + ctx.maxSkewSeconds) {
      fail(x, 403, "RequestTimeTooSkewed", `The signature's start time ${start} is ${start - now} s ahead of the server time ${now}; sync the client clock.`)
      return "done"
    }
    const date = header(x, "date")
    if (date !== undefined && Number.isFinite(Date.parse(date)) && Math.abs(Date.parse(date) / 1000 - now) > ctx.maxSkewSeconds) {
      fail(x, 403, "RequestTimeTooSkewed", `The Date header ${date} is more than ${ctx.maxSkewSeconds} s away from the server time.`)
      return "done"
    }
    if (end < now) {
      fail(x, 403, "AccessDenied", `Request has expired: the signature was valid until ${end}; the server time is ${now}.`)
      return "done"
    }
    const bad = check(sig, secretKey, x.method, x.rawPath, pairs, x.req.headers)
    if (bad !== undefined) {
      fail(x, 403, "SignatureDoesNotMatch", `The request signature we calculated does not match the signature you provided: ${bad}. Check your key and signing method.`)
      return "done"
    }
    return "ok"
  }

  const dispatch = (x: Exchange, r: Route, pairs: ReadonlyArray<[string, string]>) => {
    const auth = authenticate(x, pairs)
    if (auth === "done") return
    const anonymous = auth === "anonymous"
    if (x.bucket === undefined) {
      if (anonymous) return fail(x, 403, "AccessDenied", "Listing buckets needs a signed request.")
      return serviceOp(x)
    }
    return x.key === "" ? bucketOp(x, anonymous, r.region) : objectOp(x, anonymous)
  }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    req.on("error", () => {})
    res.on("error", () => {})
    const host = req.headers.host ?? ""
    const hostname = host.replace(/:\d+$/, "").toLowerCase()
    const r = route(hostname)!
    const url = req.url ?? "/"
    const qi = url.indexOf("?")
    let rawPath = qi < 0 ? url : url.slice(0, qi)
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1)
    const pairs = queryPairs(rawQuery)
    const query = new Map<string, string>()
    for (const [k, v] of pairs) if (!query.has(k)) query.set(k, v)
    let bucket = r.bucket
    let keyPath = rawPath
    if (r.pathStyle) {
      const m = /^\/([^/]+)(\/.*)?$/.exec(rawPath)
      bucket = m ? unpct(m[1], false) : undefined
      keyPath = m?.[2] ?? "/"
    }
    const key = unpct(keyPath, false).replace(/^\//, "")
    const x: Exchange = {
      ctx,
      store,
      req,
      res,
      seq: ctx.recorder.nextSeq(),
      time: ctx.now(),
      requestId: Buffer.from(randomUUID()).toString("base64").slice(0, 32),
      method: (req.method ?? "GET").toUpperCase(),
      host,
      rawPath,
      rawQuery,
      query,
      bucket,
      region: r.region ?? (bucket ? store.buckets.get(bucket)?.region : undefined),
      key,
      action: "",
      secretId: undefined,
      fired: [],
      fault: undefined,
      done: false
    }
    x.action = actionOf(x.method, bucket, key, query, header(x, "x-cos-copy-source") !== undefined)
    const d = ctx.faults.decide({ service: "cos", action: x.action, region: x.region, host: hostname })
    x.fired = d.fired
    x.fault = d.fault
    const go = () => {
      try {
        const f = x.fault
        if (f?.kind === "reset") return reset(x)
        if (f?.kind === "error") return fail(x, FAULT_STATUS[f.code] ?? 503, f.code, f.message ?? (f.code === "SlowDown" ? "Please reduce your request rate." : `Injected fault: ${f.code}.`))
        if (f?.kind === "http") {
          return send(x, f.status, { "Content-Type": "text/html", Connection: "close" }, f.body ?? `<html><body><h1>${f.status}</h1></body></html>`, `HTTP${f.status}`)
        }
        dispatch(x, r, pairs)
      } catch (e) {
        fail(x, 500, "InternalError", `The emulator failed on this request: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
    if (d.latencyMs > 0) setTimeout(go, d.latencyMs)
    else go()
  }

  return {
    name: "cos",
    matches: (hostname) => route(hostname) !== undefined,
    handle,
    reset: () => store.reset()
  }
}
