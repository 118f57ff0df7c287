/**
 * The emulator's API 2.0 handler: requests whose Host is `<module>.api.qcloud.com` (any port)
 * go here. It reads the GET query or the POST form, decides faults, verifies the v1 signature with
 * its own code (`verify.ts`: Host, path, sorted parameters, HmacSHA1/HmacSHA256), the `Timestamp`
 * window, the `Nonce` (a replayed request is refused), the SecretId (long-term keys and STS
 * temporary keys with their `Token`), runs the action (`actions.ts`) and answers the API 2.0
 * envelope `{"code","message","codeDesc"}` with HTTP 200 — failures included. Faults apply as
 * for API 3.0; an injected error code gets the numeric code of its class.
 *
 * @internal
 */
import type * as http from "node:http"
import { resetSocket, sendAnswer } from "../delivery.js"
import type { Fault } from "../faults.js"
import type { EmulatorContext, ProtocolFactory } from "../protocol.js"
import { redactHeaders, redactParams, redactQuery } from "../recorder.js"
import { isFailure, run } from "./actions.js"
import { expectedSignature, parseForm, sameSignature, signString } from "./verify.js"

const SUFFIX = ".api.qcloud.com"
const PATH = "/v2/index.php"
const GET_LIMIT = 32 * 1024
const POST_LIMIT = 1024 * 1024
/** Host labels that are not their module's name. */
const MODULE_OF_LABEL: Readonly<Record<string, string>> = { csec: "sec" }
const COMMON = new Set(["Action", "Nonce", "Region", "SecretId", "Signature", "SignatureMethod", "Timestamp", "Token", "RequestClient"])

const isLegacyHost = (hostname: string): boolean => hostname.endsWith(SUFFIX) && /^[a-z0-9-]+$/.test(hostname.slice(0, hostname.length - SUFFIX.length))

/** The numeric code of an error name, by its class (API 2.0 common error table). */
export const numericCode = (codeDesc: string): number =>
  codeDesc.startsWith("RequestLimitExceeded") ? 4400
    : codeDesc === "AuthFailure.SignatureExpire" ? 4200
    : codeDesc === "AuthFailure.NonceReplay" ? 4500
    : codeDesc.startsWith("AuthFailure") ? 4100
    : codeDesc.startsWith("UnauthorizedOperation") ? 4300
    : codeDesc.startsWith("ResourceNotFound") ? 5000
    : codeDesc.startsWith("InternalError") ? 6000
    : codeDesc === "UnsupportedOperation" ? 6100
    : codeDesc.startsWith("ServiceUnavailable") ? 6200
    : 4000

interface Envelope {
  readonly codeDesc: string
  readonly message: string
  readonly body: string
}

const success = (members: Record<string, unknown>): Envelope => ({
  codeDesc: "Success",
  message: "",
  body: JSON.stringify({ code: 0, message: "", codeDesc: "Success", ...members })
})

const failure = (codeDesc: string, message: string): Envelope => ({
  codeDesc,
  message,
  body: JSON.stringify({ code: numericCode(codeDesc), message, codeDesc })
})

/** One request on its way through the handler. */
interface Exchange {
  readonly req: http.IncomingMessage
  readonly res: http.ServerResponse
  readonly seq: number
  readonly time: number
  readonly host: string
  readonly hostname: string
  readonly module: string
  readonly path: string
  readonly rawQuery: string
  readonly body: Buffer
  params: ReadonlyMap<string, string> | undefined
  action: string | undefined
  region: string | undefined
  signatureMethod: string | undefined
  secretId: string | undefined
  fired: ReadonlyArray<string>
  fault: string | undefined
  done: boolean
}

export const makeLegacyHandler: ProtocolFactory = (ctx: EmulatorContext) => {
  /** Signatures already accepted, until their timestamp leaves the window. */
  let seen = new Map<string, number>()

  const record = (x: Exchange, status: number, e: Envelope | undefined) => {
    if (x.done) return
    x.done = true
    if (ctx.recorder.capacity <= 0) return
    const business: Record<string, string> = {}
    if (x.params !== undefined) for (const [k, v] of x.params) if (!COMMON.has(k)) business[k] = v
    ctx.recorder.push({
      seq: x.seq,
      time: x.time,
      method: x.req.method ?? "",
      host: x.host,
      path: x.path,
      query: redactQuery(x.rawQuery),
      headers: redactHeaders(x.req.headers as Record<string, string | ReadonlyArray<string> | undefined>),
      service: x.module,
      version: undefined,
      action: x.action,
      region: x.region,
      signatureMethod: x.signatureMethod,
      secretId: x.secretId,
      params: x.params === undefined ? undefined : redactParams(business),
      bodyBytes: x.body.length,
      response: { status, code: e === undefined || e.codeDesc === "Success" ? undefined : e.codeDesc, message: e?.message, requestId: undefined },
      faults: x.fired,
      fault: x.fault
    })
  }

  const deliver = (x: Exchange, e: Envelope, fault: Fault | undefined) => {
    if (x.res.destroyed || x.res.headersSent) return record(x, 0, e)
    record(x, 200, e)
    sendAnswer(x.res, 200, { "Content-Type": "application/json; charset=utf-8" }, e.body, fault)
  }

  /** Verify the signature and the common parameters; a failure, or `undefined` when the request is authentic. */
  const verify = (x: Exchange, pairs: ReadonlyArray<readonly [string, string]>, p: ReadonlyMap<string, string>): Envelope | undefined => {
    for (const k of ["Action", "SecretId", "Signature", "Nonce", "Timestamp"]) {
      if ((p.get(k) ?? "") === "") return failure("MissingParameter", `The request is missing the required common parameter \`${k}\`.`)
    }
    const method = p.get("SignatureMethod") ?? "HmacSHA1"
    x.signatureMethod = method
    if (method !== "HmacSHA1" && method !== "HmacSHA256") return failure("InvalidParameter", `The SignatureMethod \`${method}\` is not supported; use HmacSHA1 or HmacSHA256.`)
    if (!/^[1-9]\d{0,19}$/.test(p.get("Nonce")!)) return failure("InvalidParameter", "The parameter `Nonce` must be a positive integer.")
    const ts = p.get("Timestamp")!
    if (!/^\d{1,12}$/.test(ts)) return failure("InvalidParameter", `The parameter \`Timestamp\` must be a Unix time in seconds; got ${JSON.stringify(ts)}.`)
    const nowS = Math.floor(ctx.now() / 1000)
    const skew = Number(ts) - nowS
    if (Math.abs(skew) > ctx.maxSkewSeconds) {
      return failure("AuthFailure.SignatureExpire", `The request timestamp ${ts} is ${Math.abs(skew)} s ${skew < 0 ? "behind" : "ahead of"} the server time ${nowS}; it must be within ${ctx.maxSkewSeconds} s. Check the client clock.`)
    }
    const secretId = p.get("SecretId")!
    x.secretId = secretId
    let key = ctx.keys.get(secretId)
    let token: string | undefined
    if (key === undefined) {
      const temp = ctx.state.temporary(secretId)
      if (temp === undefined) return failure("AuthFailure.SecretIdNotFound", `The SecretId \`${secretId}\` is not known to this emulator.`)
      if (temp.expiresAt <= ctx.now()) return failure("AuthFailure.TokenFailure", `The temporary SecretId \`${secretId}\` expired at ${new Date(temp.expiresAt).toISOString()}.`)
      key = temp.secretKey
      token = temp.token
    }
    const text = signString(x.req.method ?? "", x.host, x.path, pairs)
    const signature = p.get("Signature")!
    if (!sameSignature(expectedSignature(method, key, text), signature)) {
      return failure(
        "AuthFailure.SignatureFailure",
        `The signature does not match. The emulator signed this string with ${method}: ${JSON.stringify(text.replace(/([?&]Token=)[^&]*/, "$1<redacted>"))}`
      )
    }
    if (token !== undefined && p.get("Token") !== token) {
      return failure("AuthFailure.TokenFailure", p.has("Token") ? "The Token does not belong to this temporary SecretId." : "A temporary SecretId was used without its Token.")
    }
    const replayKey = `${secretId}\n${signature}`
    if (seen.has(replayKey)) return failure("AuthFailure.NonceReplay", `This request (Nonce ${p.get("Nonce")}, Timestamp ${ts}) was already received; sign every request anew with a fresh Nonce.`)
    if (seen.size >= 100_000) {
      const fresh = new Map<string, number>()
      for (const [k, until] of seen) if (until >= nowS) fresh.set(k, until)
      seen = fresh
    }
    seen.set(replayKey, Number(ts) + ctx.maxSkewSeconds)
    return undefined
  }

  const serve = (x: Exchange, tooLarge: boolean) => {
    const method = x.req.method ?? ""
    if (x.path !== PATH) return deliver(x, failure("InvalidRequest", `API 2.0 requests go to ${PATH}, not ${x.path}.`), undefined)
    if (method !== "GET" && method !== "POST") return deliver(x, failure("InvalidRequest", `The method ${method} is not supported; use GET or POST.`), undefined)
    if (tooLarge || (method === "GET" && x.path.length + 1 + x.rawQuery.length > GET_LIMIT)) {
      return deliver(x, failure("AuthFailure.SignatureFailure", `The request exceeds the size limit of API 2.0 (GET ${GET_LIMIT / 1024} KB, POST 1 MB).`), undefined)
    }
    let raw = x.rawQuery
    if (method === "POST") {
      const ct = (x.req.headers["content-type"] ?? "").toLowerCase()
      if (!ct.startsWith("application/x-www-form-urlencoded")) {
        return deliver(x, failure("UnsupportedProtocol", `A POST must be a form (Content-Type: application/x-www-form-urlencoded); got ${JSON.stringify(ct)}.`), undefined)
      }
      raw = x.body.toString("utf8")
    }
    const form = parseForm(raw)
    if ("bad" in form) return deliver(x, failure("InvalidParameter", `The parameter ${JSON.stringify(form.bad)} is not form-encoded.`), undefined)
    const p = new Map<string, string>()
    for (const [k, v] of form.pairs) {
      if (p.has(k)) return deliver(x, failure("InvalidParameter", `The parameter \`${k}\` is given twice.`), undefined)
      p.set(k, v)
    }
    x.params = p
    x.action = p.get("Action")
    x.region = p.get("Region") || undefined
    const decision = ctx.faults.decide({ service: x.module, action: x.action, region: x.region, host: x.hostname })
    x.fired = decision.fired
    const fault = decision.fault
    x.fault = fault?.kind
    const go = () => {
      if (fault?.kind === "reset") {
        record(x, 0, undefined)
        return resetSocket(x.req.socket)
      }
      if (fault?.kind === "http") {
        if (x.res.destroyed) return record(x, 0, undefined)
        const page = fault.body ?? `<html><body><h1>${fault.status}</h1></body></html>`
        record(x, fault.status, undefined)
        return sendAnswer(x.res, fault.status, { "Content-Type": "text/html" }, page, undefined)
      }
      if (fault?.kind === "error") return deliver(x, failure(fault.code, fault.message ?? `Injected fault: ${fault.code}.`), undefined)
      const bad = verify(x, form.pairs, p)
      if (bad !== undefined) return deliver(x, bad, fault)
      const out = run(x.module, x.action!, p, x.region, ctx)
      deliver(x, isFailure(out) ? failure(out.codeDesc, out.message) : success(out), fault)
    }
    const safe = () => {
      try {
        go()
      } catch (e) {
        deliver(x, failure("InternalError", `The emulator failed on this request: ${e instanceof Error ? e.message : String(e)}`), undefined)
      }
    }
    if (decision.latencyMs > 0) setTimeout(safe, decision.latencyMs)
    else safe()
  }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let tooLarge = false
    req.on("error", () => {})
    res.on("error", () => {})
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > POST_LIMIT) {
        tooLarge = true
        chunks.length = 0
      } else if (!tooLarge) chunks.push(c)
    })
    req.on("end", () => {
      const host = String(req.headers.host ?? "")
      const hostname = host.replace(/:\d+$/, "").toLowerCase()
      const label = hostname.slice(0, hostname.length - SUFFIX.length)
      const url = req.url ?? "/"
      const q = url.indexOf("?")
      const x: Exchange = {
        req,
        res,
        seq: ctx.recorder.nextSeq(),
        time: ctx.now(),
        host,
        hostname,
        module: MODULE_OF_LABEL[label] ?? label,
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? "" : url.slice(q + 1),
        body: Buffer.concat(chunks),
        params: undefined,
        action: undefined,
        region: undefined,
        signatureMethod: undefined,
        secretId: undefined,
        fired: [],
        fault: undefined,
        done: false
      }
      try {
        serve(x, tooLarge)
      } catch (e) {
        deliver(x, failure("InternalError", `The emulator failed on this request: ${e instanceof Error ? e.message : String(e)}`), undefined)
      }
    })
  }

  return {
    name: "qcloud2",
    matches: (hostname) => isLegacyHost(hostname),
    routing: { host: isLegacyHost },
    handle,
    reset: () => {
      seen = new Map()
    }
  }
}
