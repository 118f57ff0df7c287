/**
 * What generated Huawei Cloud operations are made of: `operation(...)` turns an operation's facts
 * (method, path, where each member goes) and its lazily built schemas into a function from the
 * request to an Effect that needs `HuaweiCloud`. The request is checked strictly (undeclared
 * members refused) before anything is sent; the answer tolerantly: unknown members kept, `null`
 * members dropped (Huawei sends `null` for absent optional members), every top-level member optional.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { S } from "../../internal/codec.js"
import { compile, compileStrict, describe, formatPath } from "../../internal/schema.js"
import { RequestValidationError } from "../../Errors.js"
import { HuaweiCloud } from "../Client.js"
import type { HuaweiCloudError } from "../Errors.js"
import type { Body } from "./protocol.js"
import type * as Signer from "../Signer.js"

/** The service and version of a generated module. */
export interface Meta {
  readonly service: string
  readonly version: string
  /** A global service (IAM): signed with the domain id. */
  readonly global: boolean
}

/** Any JSON value. */
export const any: S = Schema.Unknown as unknown as S

/** An object with string keys. */
export const dict = (value: S): S => Schema.Record({ key: Schema.String, value }) as unknown as S

type Loc = "p" | "q" | "h" | "b"

interface Compiled {
  readonly request: (u: unknown) => string | undefined
  readonly response: (u: unknown) => Either.Either<unknown, string>
  /** [request member, wire name, location] */
  readonly members: ReadonlyArray<readonly [string, string, Loc]>
}

const check = (c: ReturnType<typeof compile>) => (u: unknown): string | undefined => {
  const issue = c(u)
  return issue === undefined ? undefined : `${formatPath(issue.path) || "(request)"}: expected ${issue.expected}, got ${describe(issue.actual)}`
}

/** Members whose value is `null` dropped (Huawei answers `null` for absent optional members). */
export const dropNulls = (u: unknown, depth = 0): unknown => {
  if (depth > 64 || typeof u !== "object" || u === null) return u
  if (Array.isArray(u)) return u.map((x) => dropNulls(x, depth + 1))
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(u)) {
    const v = (u as Record<string, unknown>)[k]
    if (v !== null) out[k] = dropNulls(v, depth + 1)
  }
  return out
}

const scalar = (v: unknown): string => (typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v))

/** What `operation` returns; generated code gives it the operation's own type. */
export type OperationFunction = (request?: any) => Effect.Effect<any, HuaweiCloudError, HuaweiCloud>

/** A generated operation. */
export const operation = (
  meta: Meta,
  action: string,
  method: string,
  path: string,
  contentType: string,
  spec: string,
  responseHeaders: string,
  wrapBody: boolean,
  schemas: () => readonly [S, S]
): OperationFunction => {
  let compiled: Compiled | undefined
  const prepare = (): Compiled => {
    if (compiled !== undefined) return compiled
    const [req, res] = schemas()
    const resCheck = check(compile(res.ast))
    compiled = {
      request: check(compileStrict(req.ast)),
      response: (raw) => {
        const u = dropNulls(raw)
        const issue = resCheck(u)
        return issue === undefined ? Either.right(u) : Either.left(issue)
      },
      members: spec === "" ? [] : spec.split(",").map((s) => {
        const [left, loc] = [s.slice(0, s.lastIndexOf(":")), s.slice(s.lastIndexOf(":") + 1) as Loc]
        const eq = left.indexOf("=")
        return eq < 0 ? [left, left, loc] as const : [left.slice(0, eq), left.slice(eq + 1), loc] as const
      })
    }
    return compiled
  }
  const headersOut = responseHeaders === "" ? undefined : responseHeaders.split(",")
  return (request: object = {}): Effect.Effect<any, HuaweiCloudError, HuaweiCloud> =>
    Effect.flatMap(HuaweiCloud, (client) => {
      const c = prepare()
      const problem = c.request(request)
      if (problem !== undefined) {
        return Effect.fail(RequestValidationError.make({ service: meta.service, action, field: problem.slice(0, problem.indexOf(":")), problem: problem.slice(problem.indexOf(":") + 2), fix: `check the ${action}Request members` }))
      }
      const r = request as Record<string, unknown>
      let p = path
      const query: Record<string, Signer.QueryValue> = {}
      const headers: Record<string, string> = {}
      let body: Body = undefined
      for (const [member, wire, loc] of c.members) {
        const v = r[member]
        if (v === undefined || v === null) {
          if (loc === "p") {
            return Effect.fail(RequestValidationError.make({ service: meta.service, action, field: member, problem: "is required (a path parameter)", fix: `give ${member}` }))
          }
          continue
        }
        if (loc === "p") p = p.replace(`{${wire}}`, encodeURIComponent(scalar(v)))
        else if (loc === "q") query[wire] = Array.isArray(v) ? v.map(scalar) : scalar(v)
        else if (loc === "h") headers[wire] = scalar(v)
        else body = { _tag: "Json", value: v }
      }
      return client.invoke({
        service: meta.service,
        version: meta.version,
        action,
        method,
        path: p,
        query,
        headers: contentType.startsWith("application/json") ? headers : { ...headers, "Content-Type": contentType },
        body,
        global: meta.global,
        decode: (u) => c.response(wrapBody ? { body: u } : u),
        responseHeaders: headersOut
      })
    })
}
