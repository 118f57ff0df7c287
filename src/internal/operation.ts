/**
 * The runtime of a generated action: validate the request against its schema (nothing is sent
 * when a field is wrong), call `TencentCloud`, decode the answer (fields the server added after
 * the spec are kept; real drift fails with the RequestId), and the pagination and streaming
 * variants.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type ActionInfo, type CallOptions, TencentCloud } from "../TencentCloud.js"
import { RequestValidationError, ResponseDecodeError } from "../Errors.js"
import type { S } from "./codec.js"
import { compile, compileStrict, describe, formatPath } from "./schema.js"

/** What a service-version module says about itself. */
export interface Meta {
  /** serviceShortName */
  readonly service: string
  /** YYYY-MM-DD */
  readonly version: string
}

/** Flags of an action (bit set). */
export const Flags = {
  ClientToken: 1,
  Multipart: 2,
  OctetStream: 4,
  SkipSign: 8
} as const

/** Metadata carried by every generated action function (used by `Testing.layerFor`). */
export interface ActionFunction {
  readonly meta: Meta
  readonly action: string
}

/** Validates a request; returns the wire form or a RequestValidationError naming the field. */
const makeEncoder = (meta: Meta, action: string, schema: S) => {
  // strict: a member the request does not declare is refused (a typo would otherwise be ignored)
  const check = compileStrict(schema.ast)
  return (request: unknown): Either.Either<Record<string, unknown>, RequestValidationError> => {
    const value = request ?? {}
    const issue = check(value)
    if (issue === undefined) return Either.right(value as Record<string, unknown>)
    const field = issue.path.length === 0 ? "request" : formatPath(issue.path)
    const unknownField = issue.expected.startsWith("no such member")
    const missing = issue.expected.startsWith("a value (required)")
    return Either.left(
      RequestValidationError.make({
        service: meta.service,
        action,
        field,
        problem: unknownField
          ? `it is not a member of ${action}Request`
          : missing
            ? "it is required but missing"
            : `expected ${issue.expected}, got ${describe(issue.actual)}`,
        fix: unknownField
          ? "remove it or check its spelling (member names are case sensitive, as in the API documentation)"
          : `give a value of the type the ${action} documentation specifies`
      })
    )
  }
}

/** Checks an answer against the response schema; members the server added after the spec are kept. */
const makeDecoder = (meta: Meta, action: string, schema: S) => {
  const check = compile(schema.ast)
  return (response: Record<string, unknown>): Either.Either<unknown, ResponseDecodeError> => {
    const issue = check(response)
    if (issue === undefined) return Either.right(response)
    const where = issue.path.length === 0 ? "the response" : formatPath(issue.path)
    const what = `expected ${issue.expected}, got ${describe(issue.actual)}`
    const requestId = typeof response.RequestId === "string" ? response.RequestId : ""
    return Either.left(
      new ResponseDecodeError({
        service: meta.service,
        version: meta.version,
        action,
        requestId,
        issue: `${where}: ${what}`,
        message: `the answer of ${meta.service} ${meta.version} ${action} (RequestId ${requestId}) does not match its schema at ${where}: ${what}. The API changed after this SDK was generated: regenerate (npm run codegen) or report it with the RequestId.`
      })
    )
  }
}

interface Compiled {
  readonly info: ActionInfo
  readonly encode: (request: unknown) => Either.Either<Record<string, unknown>, RequestValidationError>
  readonly decode: (response: Record<string, unknown>) => Either.Either<unknown, ResponseDecodeError>
}

const compiler = (meta: Meta, action: string, schemas: () => readonly [S, S], codes: string, flags: number) => {
  let compiled: Compiled | undefined
  return (): Compiled => {
    if (compiled !== undefined) return compiled
    const [input, output] = schemas()
    compiled = {
      info: {
        service: meta.service,
        version: meta.version,
        action,
        codes: new Set(codes === "" ? [] : codes.split("|")),
        clientToken: (flags & Flags.ClientToken) !== 0 || undefined,
        transport: (flags & Flags.Multipart) !== 0 ? "multipart" : (flags & Flags.OctetStream) !== 0 ? "octet-stream" : undefined,
        skipSign: (flags & Flags.SkipSign) !== 0 || undefined
      },
      encode: makeEncoder(meta, action, input),
      decode: makeDecoder(meta, action, output)
    }
    return compiled
  }
}

/**
 * A generated action: `(request?, options?) => Effect<Response, ApiError | SdkError, TencentCloud>`.
 * `codes` is the `|`-joined list of codes the action declares.
 */
export const action = (meta: Meta, name: string, schemas: () => readonly [S, S], codes: string, flags = 0) => {
  const compile = compiler(meta, name, schemas, codes, flags)
  const fn = (request?: unknown, options?: CallOptions): Effect.Effect<any, any, TencentCloud> =>
    Effect.flatMap(TencentCloud, (client) => {
      const c = compile()
      const enc = c.encode(request)
      if (Either.isLeft(enc)) return Effect.fail(enc.left)
      return Effect.flatMap(client.call(c.info, enc.right, options), (response) => {
        const dec = c.decode(response)
        return Either.isRight(dec) ? Effect.succeed(dec.right) : Effect.fail(dec.left)
      })
    })
  return Object.assign(fn, { meta, action: name }) as any
}

/**
 * An octet-stream upload action (cls `UploadLog`): the request members become `X-CLS-<Member>`
 * headers and the body is the bytes given.
 */
export const octetAction = (meta: Meta, name: string, schemas: () => readonly [S, S], codes: string, headerPrefix: string) => {
  const compile = compiler(meta, name, schemas, codes, Flags.OctetStream)
  const fn = (request: unknown, body: Uint8Array, options?: CallOptions): Effect.Effect<any, any, TencentCloud> =>
    Effect.flatMap(TencentCloud, (client) => {
      const c = compile()
      const enc = c.encode(request)
      if (Either.isLeft(enc)) return Effect.fail(enc.left)
      const headers: Record<string, string> = { ...options?.headers }
      for (const k in enc.right) {
        const v = enc.right[k]
        if (v !== undefined && v !== null) headers[`${headerPrefix}${k}`] = String(v)
      }
      return Effect.flatMap(client.call(c.info, {}, { headers, octetStream: body }), (response) => {
        const dec = c.decode(response)
        return Either.isRight(dec) ? Effect.succeed(dec.right) : Effect.fail(dec.left)
      })
    })
  return Object.assign(fn, { meta, action: name }) as any
}

/** The streaming (server-sent events) variant of an action. */
export const streamAction = (meta: Meta, name: string, schemas: () => readonly [S, S], codes: string) => {
  const compile = compiler(meta, name, schemas, codes, 0)
  return Object.assign(
    (request?: unknown, options?: CallOptions): Stream.Stream<any, any, TencentCloud> =>
      Stream.unwrap(
        Effect.flatMap(TencentCloud, (client) => {
          const c = compile()
          const enc = c.encode(request)
          if (Either.isLeft(enc)) return Effect.fail(enc.left)
          return Effect.succeed(client.stream(c.info, enc.right, options))
        })
      ),
    { meta, action: name }
  ) as any
}

/** How an action pages. */
export type Paging =
  | { readonly _tag: "Offset"; readonly items: string; readonly offset: string; readonly limit: string; readonly total?: string }
  | { readonly _tag: "Page"; readonly items: string; readonly page: string; readonly size: string; readonly total?: string }
  | { readonly _tag: "Token"; readonly items: string; readonly token: string; readonly nextToken: string }

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined)

/** A stream of the pages of a paginated action (the request's own start position is honoured). */
export const pages = (act: (request?: any) => Effect.Effect<any, any, TencentCloud>, paging: Paging) =>
  (request?: any): Stream.Stream<any, any, TencentCloud> =>
    Stream.paginateEffect(request ?? {}, (reqValue: Record<string, unknown>) =>
      Effect.map(act(reqValue), (page: Record<string, unknown>) => {
            const items = page[paging.items]
            const count = Array.isArray(items) ? items.length : 0
            let next: Option.Option<Record<string, unknown>> = Option.none()
            switch (paging._tag) {
              case "Offset": {
                const offset = (num(reqValue[paging.offset]) ?? 0) + count
                const total = paging.total !== undefined ? num(page[paging.total]) : undefined
                const limit = num(reqValue[paging.limit])
                const more = count > 0 && (total !== undefined ? offset < total : limit === undefined || count >= limit)
                if (more) next = Option.some({ ...reqValue, [paging.offset]: offset })
                break
              }
              case "Page": {
                const pageNo = num(reqValue[paging.page]) ?? 1
                const size = num(reqValue[paging.size])
                const total = paging.total !== undefined ? num(page[paging.total]) : undefined
                const seen = (pageNo - 1) * (size ?? count) + count
                const more = count > 0 && (total !== undefined ? seen < total : size === undefined || count >= size)
                if (more) next = Option.some({ ...reqValue, [paging.page]: pageNo + 1 })
                break
              }
              case "Token": {
                const token = page[paging.nextToken]
                if (typeof token === "string" && token !== "" && token !== reqValue[paging.token]) next = Option.some({ ...reqValue, [paging.token]: token })
                break
              }
            }
            return [page, next] as const
          })
    )

/** A stream of the items of a paginated action, across pages. */
export const items = (act: (request?: any) => Effect.Effect<any, any, TencentCloud>, paging: Paging) => {
  const p = pages(act, paging)
  return (request?: any): Stream.Stream<any, any, TencentCloud> =>
    Stream.flatMap(p(request), (page: Record<string, unknown>) => {
      const list = page[paging.items]
      return Stream.fromIterable(Array.isArray(list) ? list : [])
    })
}
