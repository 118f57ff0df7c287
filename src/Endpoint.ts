/**
 * Where a call goes: pure endpoint resolution and validation of the values that decide it
 * (service, version, action, region, custom endpoint, root domain, language, method).
 *
 * - default: `<service>.tencentcloudapi.com` (the nearest region; `X-TC-Region` still selects the region)
 * - regional: `<service>.<region>.tencentcloudapi.com` when `regionalEndpoint` is set
 * - a custom root domain: `<service>.<rootDomain>` (e.g. `internal.tencentcloudapi.com`)
 * - a custom endpoint: used as it is (`host`, `host:port`, or a URL with scheme)
 *
 * Every validator returns a {@link RequestValidationError} naming the option and how to fix it.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { RequestValidationError } from "./Errors.js"

/** The default root domain. */
export const DEFAULT_ROOT_DOMAIN = "tencentcloudapi.com"

/** A resolved endpoint: scheme and the exact host (with port when not default) to send and sign. */
export interface ResolvedEndpoint {
  readonly scheme: "https" | "http"
  readonly host: string
}

/** Inputs of {@link resolve}. */
export interface EndpointInput {
  /** The spec's `serviceShortName`. */
  readonly service: string
  readonly region?: string | undefined
  /** A custom endpoint: `host`, `host:port`, or `https://host[:port]`. */
  readonly endpoint?: string | undefined
  readonly rootDomain?: string | undefined
  /** Use `<service>.<region>.<root>` when a region is set. */
  readonly regionalEndpoint?: boolean | undefined
  readonly scheme?: "https" | "http" | undefined
}

const REGION = /^[a-z]{2,}(?:-[a-z0-9]+){1,3}$/
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/

/** Validate a region id such as `ap-guangzhou`, `na-siliconvalley`, `ap-shanghai-fsi`. */
export const validateRegion = (region: string): Either.Either<string, RequestValidationError> =>
  REGION.test(region)
    ? Either.right(region)
    : Either.left(
        RequestValidationError.make({
          field: "region",
          problem: `${JSON.stringify(region)} is not a region id`,
          fix: "use an id like \"ap-guangzhou\" or \"na-siliconvalley\" (lower case, dash-separated), or leave it unset for global services"
        })
      )

const SERVICE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const VERSION = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/
const ACTION = /^[A-Za-z0-9]{1,128}$/

const shown = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v.length > 64 ? v.slice(0, 64) + "..." : v) : String(v))

/**
 * Validate a service name (the spec's `serviceShortName`, e.g. `cvm`): one lower-case DNS label,
 * since it becomes the first label of the host (`<service>.tencentcloudapi.com`) and the signing
 * scope. Checked before any URL is built, so `x@127.0.0.1:80/` can never redirect a request.
 */
export const validateService = (service: string): Either.Either<string, RequestValidationError> =>
  typeof service === "string" && SERVICE.test(service)
    ? Either.right(service)
    : Either.left(
        RequestValidationError.make({
          field: "service",
          problem: `${shown(service)} is not a service name`,
          fix: "give the product's short name as in the API documentation, e.g. \"cvm\" or \"vpc\" (lower-case letters, digits and inner hyphens, at most 63)"
        })
      )

/** Validate an API version: `YYYY-MM-DD`, e.g. `2017-03-12`. */
export const validateVersion = (version: string): Either.Either<string, RequestValidationError> =>
  typeof version === "string" && VERSION.test(version)
    ? Either.right(version)
    : Either.left(
        RequestValidationError.make({
          field: "version",
          problem: `${shown(version)} is not an API version`,
          fix: "give the version as YYYY-MM-DD, e.g. \"2017-03-12\" (see the action's documentation)"
        })
      )

/** Validate an action name: letters and digits only, e.g. `DescribeInstances`. */
export const validateAction = (action: string): Either.Either<string, RequestValidationError> =>
  typeof action === "string" && ACTION.test(action)
    ? Either.right(action)
    : Either.left(
        RequestValidationError.make({
          field: "action",
          problem: `${shown(action)} is not an action name`,
          fix: "give the action as in the API documentation, e.g. \"DescribeInstances\" (letters and digits only, at most 128)"
        })
      )

/** Validate a service, version and action together; the first bad one is reported. */
export const validateCall = (service: string, version: string, action: string): Either.Either<void, RequestValidationError> => {
  const s = validateService(service)
  if (Either.isLeft(s)) return Either.left(s.left)
  const v = validateVersion(version)
  if (Either.isLeft(v)) return Either.left(v.left)
  const a = validateAction(action)
  return Either.isLeft(a) ? Either.left(a.left) : Either.void
}

/** Validate a language: only `zh-CN` and `en-US` are accepted by the API. */
export const validateLanguage = (language: string): Either.Either<"zh-CN" | "en-US", RequestValidationError> =>
  language === "zh-CN" || language === "en-US"
    ? Either.right(language)
    : Either.left(
        RequestValidationError.make({
          field: "language",
          problem: `${JSON.stringify(language)} is not supported`,
          fix: "use \"zh-CN\" or \"en-US\""
        })
      )

/** Validate an HTTP method: API 3.0 accepts GET and POST only. */
export const validateMethod = (method: string): Either.Either<"GET" | "POST", RequestValidationError> => {
  const m = method.toUpperCase()
  return m === "GET" || m === "POST"
    ? Either.right(m)
    : Either.left(
        RequestValidationError.make({
          field: "method",
          problem: `${JSON.stringify(method)} is not supported by API 3.0`,
          fix: "use \"POST\" (recommended) or \"GET\""
        })
      )
}

const validHostname = (h: string): boolean => {
  if (h.length === 0 || h.length > 253) return false
  if (/^\[[0-9a-fA-F:.]+\]$/.test(h)) return true // IPv6 literal
  return h.split(".").every((l) => LABEL.test(l))
}

/** Validate a root domain such as `tencentcloudapi.com` or `internal.tencentcloudapi.com`. */
export const validateRootDomain = (root: string): Either.Either<string, RequestValidationError> =>
  validHostname(root) && root.includes(".")
    ? Either.right(root.toLowerCase())
    : Either.left(
        RequestValidationError.make({
          field: "rootDomain",
          problem: `${JSON.stringify(root)} is not a domain name`,
          fix: "give a bare domain such as \"tencentcloudapi.com\" (no scheme, port or path)"
        })
      )

/**
 * Parse a custom endpoint: `host`, `host:port`, `http://host:port`, `https://host[:port][/]`.
 * The host keeps a non-default port (it is signed as sent).
 */
export const parseEndpoint = (
  endpoint: string,
  defaultScheme: "https" | "http" = "https",
  field = "endpoint"
): Either.Either<ResolvedEndpoint, RequestValidationError> => {
  const fail = (problem: string) =>
    Either.left(
      RequestValidationError.make({
        field,
        problem,
        fix: "give a host (\"cvm.tencentcloudapi.com\"), host:port (\"127.0.0.1:4599\") or a URL (\"http://127.0.0.1:4599\") with no path, query or credentials"
      })
    )
  let scheme = defaultScheme
  let rest = endpoint.trim()
  if (rest !== endpoint) return fail(`${JSON.stringify(endpoint)} has surrounding whitespace`)
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rest)
  if (m) {
    const s = m[1].toLowerCase()
    if (s !== "http" && s !== "https") return fail(`scheme ${JSON.stringify(m[1])} is not http or https`)
    scheme = s
    rest = rest.slice(m[0].length)
  }
  if (rest.endsWith("/")) rest = rest.slice(0, -1)
  if (rest.length === 0) return fail("it is empty")
  if (/[/?#@\s]/.test(rest)) return fail(`${JSON.stringify(endpoint)} has a path, query, credentials or spaces`)
  let hostname = rest
  let port: string | undefined
  const pm = /^(.*):(\d{1,5})$/.exec(rest)
  if (pm && !rest.endsWith("]")) {
    hostname = pm[1]
    port = pm[2]
    const p = Number(port)
    if (p < 1 || p > 65535) return fail(`port ${port} is out of range`)
  }
  if (!validHostname(hostname)) return fail(`${JSON.stringify(hostname)} is not a valid host name`)
  const defaultPort = scheme === "https" ? "443" : "80"
  const host = port === undefined || port === defaultPort ? hostname.toLowerCase() : `${hostname.toLowerCase()}:${port}`
  return Either.right({ scheme, host })
}

/** Resolve the endpoint of a call. Validation errors name the offending option. */
export const resolve = (input: EndpointInput): Either.Either<ResolvedEndpoint, RequestValidationError> => {
  const scheme = input.scheme ?? "https"
  if (input.endpoint !== undefined && input.endpoint !== "") return parseEndpoint(input.endpoint, scheme)
  let root = DEFAULT_ROOT_DOMAIN
  if (input.rootDomain !== undefined && input.rootDomain !== "") {
    const r = validateRootDomain(input.rootDomain)
    if (Either.isLeft(r)) return Either.left(r.left)
    root = r.right
  }
  if (input.regionalEndpoint && input.region) return Either.right({ scheme, host: `${input.service}.${input.region}.${root}` })
  return Either.right({ scheme, host: `${input.service}.${root}` })
}
