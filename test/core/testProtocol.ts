/**
 * A tiny protocol for the engine's tests (not shipped): a "kv" REST service, `GET /<key>` signed
 * with `X-Kv-Signature: hex(hmac-sha256(secretKey, "<METHOD> <host><path> <timestamp>"))`, answering
 * `{"value": ...}` or `{"error": {"code", "message"}}` with an `X-Kv-Request-Id` header. It shows
 * what a second protocol writes: three pure functions, nothing of the engine.
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import type { CallOverrides } from "../../src/core/Overrides.js"
import type { Laid, Protocol } from "../../src/core/Protocol.js"
import { RequestValidationError, ResponseParseError } from "../../src/Errors.js"

export interface KvInput {
  readonly key: string
  readonly write?: string | undefined
}

export interface KvLaid extends Laid {
  readonly path: string
  readonly write: string | undefined
}

/** A server error of the kv protocol: `_tag` is its code, like every protocol's. */
export class KvError extends Error {
  readonly _tag: string
  constructor(
    readonly code: string,
    readonly category: "throttling" | "unavailable" | "internal" | "client",
    readonly requestId: string,
    message: string
  ) {
    super(message)
    this._tag = code
  }
}

export const kvSignature = (secretKey: string, method: string, host: string, path: string, ts: number): string =>
  createHmac("sha256", secretKey).update(`${method} ${host}${path} ${ts}`).digest("hex")

const CATEGORY: Record<string, KvError["category"]> = { SlowDown: "throttling", Busy: "unavailable", Boom: "internal" }

export const kvProtocol = (primaryHost = "kv.example.com"): Protocol<KvInput, KvLaid, string, KvError> => ({
  name: "kv",
  layout: (input: KvInput, ov: CallOverrides) => {
    if (!/^[a-z0-9-]+$/.test(input.key)) {
      return Either.left(RequestValidationError.make({ service: "kv", action: "Get", field: "key", problem: `${JSON.stringify(input.key)} is not a key`, fix: "use a-z, 0-9 and -" }))
    }
    const region = ov.region ?? "r1"
    const host = `${region}.${primaryHost}`
    const action = input.write === undefined ? "Get" : "Put"
    return Either.right({
      site: { service: "kv", version: "", action, region, endpoint: host },
      info: { service: "kv", version: "", action },
      safe: input.write === undefined,
      primary: { scheme: "https", host },
      backup: { scheme: "https", host: `backup.${primaryHost}` },
      breakerKey: `kv|${region}`,
      timeoutMillis: 5_000,
      traceId: "trace-kv",
      path: `/${input.key}`,
      write: input.write
    })
  },
  sign: (laid, target, credential, now) => {
    const ts = Math.floor(now / 1000)
    const method = laid.write === undefined ? "GET" : "PUT"
    const headers: Record<string, string> = { "X-Kv-Timestamp": String(ts), "X-Kv-Key-Id": credential!.secretId }
    headers["X-Kv-Signature"] = kvSignature(Redacted.value(credential!.secretKey), method, target.host, laid.path, ts)
    if (laid.write !== undefined) headers["Content-Type"] = "text/plain"
    return Either.right({ method, url: `${target.scheme}://${target.host}${laid.path}`, headers, body: laid.write })
  },
  interpret: (answer, laid) => {
    const requestId = answer.headers["x-kv-request-id"] ?? ""
    let doc: any
    try {
      doc = JSON.parse(answer.body)
    } catch (cause) {
      return Either.left(
        new ResponseParseError({ ...laid.site, status: answer.status, contentType: answer.headers["content-type"] ?? "", traceId: laid.traceId, bodyExcerpt: answer.body.slice(0, 100), cause, message: "not JSON" })
      )
    }
    if (doc.error) return Either.left(new KvError(doc.error.code, CATEGORY[doc.error.code] ?? "client", requestId, doc.error.message))
    return Either.right(String(doc.value))
  },
  secrets: ["x-kv-signature"]
})
