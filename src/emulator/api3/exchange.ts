/**
 * What the API 3.0 path shares between its steps: the server's configuration, one request as it
 * is worked out (`Exchange`), an answer before faults shape its delivery (`Answer`), the cloud's
 * error envelope, and the size limits of the protocol.
 *
 * @internal
 */
import type * as http from "node:http"
import type { ActionCatalog } from "../catalog.js"
import type { FaultRules } from "../faults.js"
import type { ProtocolHandler } from "../protocol.js"
import type { RecordedRequest, Recorder } from "../recorder.js"
import type { State } from "../state/index.js"
import type { FlatValue } from "../validate.js"

/** Everything the server needs, built by the public module. */
export interface ServerConfig {
  /** SecretId → SecretKey of the long-term keys. */
  readonly keys: Map<string, string>
  /** Root domains for `<service>[.<region>].<root>` Host names, lower-case. */
  readonly rootDomains: ReadonlyArray<string>
  readonly defaultService: string | undefined
  readonly catalog: ActionCatalog
  readonly now: () => number
  readonly seed: number
  readonly maxSkewSeconds: number
  readonly state: State
  readonly faults: FaultRules
  readonly recorder: Recorder
  /** `service.Action` pairs accepted with `Authorization: SKIP`. */
  readonly unsignedActions: ReadonlySet<string>
  /**
   * Check every successful answer against the action's response schema in strict mode before
   * sending it; a mismatch (a bug of the emulator) answers `InternalError` naming every one.
   * Default `true`.
   */
  readonly strictAnswers?: boolean | undefined
  /** Where a failed answer check is reported (default: `console.error`). */
  readonly onAnswerMismatch?: ((message: string) => void) | undefined
  /** Called after each answer (the CLI's access log). */
  readonly onAnswer?: ((r: RecordedRequest) => void) | undefined
  /** Handlers of the other protocols (see `protocol.ts`). */
  readonly protocols?: ReadonlyArray<ProtocolHandler> | undefined
}

export const KB = 1024
export const GET_LIMIT = 32 * KB
export const V1_POST_LIMIT = 1024 * KB
export const TC3_LIMIT = 10 * 1024 * KB
/** Large enough for a GET at the 32 KB limit (and a bit more, to answer it in the cloud's format). */
export const MAX_HEADER_SIZE = 64 * KB

/** An answer before faults shape its delivery. */
export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  readonly code?: string | undefined
  readonly message?: string | undefined
}

/** What is known of the request; filled as processing proceeds, then recorded. */
export interface Exchange {
  readonly seq: number
  readonly time: number
  readonly req: http.IncomingMessage
  readonly res: http.ServerResponse
  readonly body: Buffer
  readonly requestId: string
  readonly host: string
  readonly hostname: string
  readonly path: string
  readonly rawQuery: string
  readonly contentType: string
  service: string | undefined
  hostRegion: string | undefined
  region: string | undefined
  action: string | undefined
  version: string | undefined
  signatureMethod: string | undefined
  secretId: string | undefined
  /** The TC3 `Authorization` header parsed (once), when there is one. */
  auth: RegExpExecArray | null | undefined
  params: unknown
  fired: ReadonlyArray<string>
  fault: string | undefined
  done: boolean
}

/** The parsed request: how to authenticate it and its parameters (flattened, or `undefined` for a JSON body). */
export interface Target {
  readonly authorize: () => Answer | undefined
  readonly flat: ReadonlyArray<readonly [string, FlatValue]> | undefined
}

export const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name]
  return v === undefined ? undefined : Array.isArray(v) ? v.join(", ") : v
}

export const errorBody = (code: string, message: string, requestId: string): string =>
  `{"Response":{"Error":{"Code":${JSON.stringify(code)},"Message":${JSON.stringify(message)}},"RequestId":"${requestId}"}}`

export const apiError = (code: string, message: string, requestId: string): Answer => ({
  status: 200,
  contentType: "application/json",
  body: errorBody(code, message, requestId),
  code,
  message
})

/** The nginx-style page of a gateway error. */
export const htmlPage = (status: number, statusText: string | undefined): string => {
  const title = `${status} ${statusText ?? "Error"}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

/** The cloud's message for an injected error code. */
export const defaultFaultMessage = (code: string): string =>
  code.startsWith("RequestLimitExceeded")
    ? "Your current request times equals to `20` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."
    : code === "InternalError"
      ? "An internal error has occurred. Retry your request, but if the problem persists, contact us."
      : `Injected fault: ${code}.`

/** The message of something the emulator threw. */
export const thrown = (e: unknown): string => (e instanceof Error ? e.message : String(e))
