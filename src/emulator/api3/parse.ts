/**
 * Reading an API 3.0 request far enough to know its target: the protocol (TC3 header signature,
 * `Authorization: SKIP`, or v1 parameters), the service (`X-TC-Service`, then the
 * `<service>[.<region>].<root>` Host, then the TC3 credential scope, then the configured
 * default), action, version and region, and its parameters (JSON, query, form, multipart, or the
 * `X-CLS-*` headers of an octet-stream upload), within the cloud's size limits.
 *
 * @internal
 */
import * as Json from "../../Json.js"
import { own } from "../own.js"
import type { FlatValue } from "../validate.js"
import { tc3Auth } from "./auth.js"
import { type Answer, apiError, type Exchange, GET_LIMIT, header, type ServerConfig, TC3_LIMIT, type Target, V1_POST_LIMIT } from "./exchange.js"

/** The actions whose body is bytes (`application/octet-stream`); every other TC3 POST is JSON or multipart. */
const OCTET_STREAM_ACTIONS: ReadonlySet<string> = new Set(["cls.UploadLog"])

/** `X-CLS-*` header names of octet-stream uploads (cls UploadLog) → request members. */
const CLS_HEADER_MEMBERS: Readonly<Record<string, string>> = { topicid: "TopicId", hashkey: "HashKey", compresstype: "CompressType" }

const V1_COMMON = new Set(["Action", "Version", "Timestamp", "Nonce", "SecretId", "Signature", "SignatureMethod", "Region", "Token", "Language", "RequestClient"])

/** Decode `k=v&...` (form encoding: `+` is a space). `undefined` on bad percent-encoding. */
export const decodePairs = (s: string): Array<[string, string]> | undefined => {
  const out: Array<[string, string]> = []
  if (s === "") return out
  try {
    for (const part of s.split("&")) {
      if (part === "") continue
      const i = part.indexOf("=")
      const k = i < 0 ? part : part.slice(0, i)
      const v = i < 0 ? "" : part.slice(i + 1)
      out.push([decodeURIComponent(k.replace(/\+/g, " ")), decodeURIComponent(v.replace(/\+/g, " "))])
    }
  } catch {
    return undefined
  }
  return out
}

/** Parse a multipart body into flattened pairs; a string describes what is wrong. */
export const parseMultipart = (body: Buffer, contentType: string): Array<[string, FlatValue]> | string => {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  if (m === null) return "the multipart Content-Type has no boundary"
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`)
  const out: Array<[string, FlatValue]> = []
  let pos = body.indexOf(delimiter)
  if (pos < 0) return "the multipart body does not contain its boundary"
  for (;;) {
    pos += delimiter.length
    if (body[pos] === 45 && body[pos + 1] === 45) return out // closing "--"
    if (body[pos] === 13 && body[pos + 1] === 10) pos += 2
    const headEnd = body.indexOf("\r\n\r\n", pos)
    if (headEnd < 0) return "a multipart part has no header end"
    const head = body.subarray(pos, headEnd).toString("utf8")
    const next = body.indexOf(delimiter, headEnd + 4)
    if (next < 0) return "the multipart body is not terminated by its closing boundary"
    let end = next
    if (body[end - 2] === 13 && body[end - 1] === 10) end -= 2
    const content = body.subarray(headEnd + 4, end)
    const name = /name="([^"]*)"/i.exec(head)?.[1]
    if (name === undefined) return "a multipart part has no name"
    const ctype = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1]?.trim().toLowerCase()
    if (/filename=/i.test(head) || ctype === "application/octet-stream") out.push([name, { bytes: new Uint8Array(content) }])
    else if (ctype === "application/json") {
      try {
        out.push([name, { json: Json.parse(content.toString("utf8")) }])
      } catch {
        return `the multipart part \`${name}\` is not valid JSON`
      }
    } else out.push([name, content.toString("utf8")])
    pos = next
  }
}

/** The request parser of one server; `verify` authenticates what it found. */
export const makeTarget = (
  cfg: ServerConfig,
  verify: {
    readonly verifyTc3: (x: Exchange, authorization: string | undefined) => Answer | undefined
    readonly verifyV1: (x: Exchange, pairs: ReadonlyArray<readonly [string, string]>, common: Map<string, string>) => Answer | undefined
  }
) => {
  const roots = cfg.rootDomains.map((r) => "." + r.toLowerCase().replace(/^\.+/, ""))

  /** `<service>.<root>` or `<service>.<region>.<root>`. */
  const fromHost = (hostname: string): { service: string; region: string | undefined } | undefined => {
    for (const root of roots) {
      if (hostname.length > root.length && hostname.endsWith(root)) {
        const labels = hostname.slice(0, hostname.length - root.length).split(".")
        if (labels.length === 1) return { service: labels[0], region: undefined }
        if (labels.length === 2) return { service: labels[0], region: labels[1] }
      }
    }
    return undefined
  }

  /** Parse the request far enough to know its target; an answer when it is malformed. */
  return (x: Exchange): Target | Answer => {
    const req = x.req
    const method = req.method
    if (method !== "GET" && method !== "POST") {
      return apiError("UnsupportedProtocol", `The HTTP method ${method} is not supported; use POST (recommended) or GET.`, x.requestId)
    }
    if (method === "GET" && (req.url ?? "").length > GET_LIMIT) {
      return apiError("RequestSizeLimitExceeded", `The GET request is ${(req.url ?? "").length} bytes long; the limit is 32 KB. Use POST.`, x.requestId)
    }
    const authorization = header(req, "authorization")
    const ctype = x.contentType.toLowerCase()
    const isForm = ctype.startsWith("application/x-www-form-urlencoded")
    const tc3 = authorization !== undefined || header(req, "x-tc-action") !== undefined || (method === "POST" && !isForm)
    const explicit = header(req, "x-tc-service")
    const fromHostName = fromHost(x.hostname)
    x.hostRegion = fromHostName?.region

    if (tc3) {
      x.action = header(req, "x-tc-action")
      x.version = header(req, "x-tc-version")
      x.region = header(req, "x-tc-region") ?? x.hostRegion
      x.service = explicit || fromHostName?.service || (authorization !== undefined ? tc3Auth(x, authorization)?.[3] : undefined) || cfg.defaultService
      let flat: Array<[string, FlatValue]> | undefined
      if (method === "GET") {
        const pairs = decodePairs(x.rawQuery)
        if (pairs === undefined) return apiError("InvalidParameter", "The query string has malformed percent-encoding.", x.requestId)
        flat = pairs
      } else if (ctype.startsWith("multipart/form-data")) {
        const parts = parseMultipart(x.body, x.contentType)
        if (typeof parts === "string") return apiError("InvalidParameter", `The multipart body is malformed: ${parts}.`, x.requestId)
        flat = parts
      } else if (ctype.startsWith("application/octet-stream")) {
        if (!OCTET_STREAM_ACTIONS.has(`${x.service}.${x.action}`)) {
          return apiError(
            "UnsupportedProtocol",
            `The Content-Type \`application/octet-stream\` is accepted only by upload actions (${[...OCTET_STREAM_ACTIONS].join(", ")}); send this request as \`application/json\`.`,
            x.requestId
          )
        }
        // octet-stream uploads (cls UploadLog) carry their members as X-CLS-<Member> headers
        flat = []
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]
          if (/^x-cls-/i.test(name)) {
            // header names are case-insensitive: map them back onto the documented member names
            const member = name.slice(6)
            flat.push([own(CLS_HEADER_MEMBERS, member.toLowerCase()) ?? member, req.rawHeaders[i + 1]])
          }
        }
      } else if (isForm) {
        return apiError("UnsupportedProtocol", "A form-encoded POST must be signed with HmacSHA256/HmacSHA1 (v1); TC3 POST bodies are JSON or multipart.", x.requestId)
      } else if (!ctype.startsWith("application/json")) {
        // like the cloud: a TC3 POST body is JSON (text/plain, a missing Content-Type and the rest are refused)
        return apiError(
          "UnsupportedProtocol",
          `The Content-Type ${JSON.stringify(x.contentType)} is not supported for a TC3 POST; send the parameters as \`application/json\` (or \`multipart/form-data\` for file uploads).`,
          x.requestId
        )
      }
      if (x.body.length > TC3_LIMIT) return apiError("RequestSizeLimitExceeded", `The request body is ${x.body.length} bytes; the TC3 limit is 10 MB.`, x.requestId)
      return { authorize: () => verify.verifyTc3(x, authorization), flat }
    }

    // v1: every parameter, common ones included, in the query (GET) or the form body (POST)
    const raw = method === "GET" ? x.rawQuery : x.body.toString("utf8")
    if (method === "POST" && x.body.length > V1_POST_LIMIT) {
      return apiError(
        "AuthFailure.SignatureFailure",
        `The request is ${x.body.length} bytes, exceeding the request size limit (1 MB) of HmacSHA1/HmacSHA256 signatures; please use the TC3-HMAC-SHA256 signature method (limit 10 MB).`,
        x.requestId
      )
    }
    const pairs = decodePairs(raw)
    if (pairs === undefined) return apiError("InvalidParameter", "The parameters have malformed percent-encoding.", x.requestId)
    const common = new Map<string, string>()
    const business: Array<[string, FlatValue]> = []
    for (const p of pairs) {
      if (V1_COMMON.has(p[0])) common.set(p[0], p[1])
      else business.push(p)
    }
    x.action = common.get("Action")
    x.version = common.get("Version")
    x.region = common.get("Region") ?? x.hostRegion
    x.service = explicit || fromHostName?.service || cfg.defaultService
    x.params = undefined
    return { authorize: () => verify.verifyV1(x, pairs, common), flat: business }
  }
}
