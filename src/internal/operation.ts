/**
 * The runtime of a generated action: check the request against its schema (nothing is sent when
 * a member is wrong; every problem is named; numeric text, `"true"`/`"false"` and `null` for an
 * optional member are accepted as the values they mean unless strict mode is on), call
 * `TencentCloud`, decode the answer, and the pagination and streaming variants.
 *
 * Decoding runs the fast check of `schema.ts` first; only an answer that fails it is walked by
 * `tolerant.ts`, which repairs what it can losslessly and lists every mismatch. Tolerant (the
 * default for real answers): the call succeeds and each mismatch is reported as a drift record
 * (`drift.ts`). Strict (`Drift.StrictMode`; the default for `Testing` mock answers): the call fails
 * with a `ResponseDecodeError` naming every mismatch.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ActionInfo, CallOptions } from "../core/Call.js"
import type { TencentCloud as TencentCloudTag, TencentCloudService } from "../Client.js"
import { RequestValidationError, ResponseDecodeError } from "../Errors.js"
import type { S } from "./codec.js"
import { type DriftRecord, MockAnswer, RawAnswer, recordLine, records, report, StrictMode } from "./drift.js"
import { compileClosed, compileStrict, describe, formatPath } from "./schema.js"
import { fill, type Mismatch, walk } from "./tolerant.js"

/**
 * The `TencentCloud` service, looked up by its key: importing `Client.js` here at run time would
 * make a cycle (Client → Credentials → the generated STS module → this module).
 */
type TencentCloud = TencentCloudTag
const TencentCloud = /*#__PURE__*/ Context.GenericTag<TencentCloud, TencentCloudService>("effect-tencentcloud/TencentCloud")

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

type Site = { readonly service: string; readonly version: string; readonly action: string }

/** A request checked: sent as `value` unless `problems` (or, in strict mode, `coerced`) is non-empty. */
interface Encoded {
  readonly value: Record<string, unknown>
  /** Problems whatever the mode. */
  readonly problems: ReadonlyArray<Mismatch>
  /** Conversions with an exact meaning (numeric text, `"true"`, `null` for an optional member): refused in strict mode. */
  readonly coerced: ReadonlyArray<Mismatch>
}

const NONE: ReadonlyArray<Mismatch> = []

const problemText = (m: Mismatch): string =>
  m.expected.startsWith("no such member")
    ? "it is not a member of the request (names are case sensitive, as in the API documentation)"
    : m.got === undefined
      ? "it is required but missing"
      : `expected ${m.expected}, got ${describe(m.got)}`

/** The error naming every problem of a request (`strict`: conversions count as problems). */
const requestError = (site: Site, e: Encoded, strict: boolean): RequestValidationError => {
  const all = strict ? [...e.problems, ...e.coerced] : e.problems
  const problems = all.map((m) => ({
    field: m.path.length === 0 ? "request" : formatPath(m.path),
    problem: problemText(m) + (m.resolution === "coerced" || m.resolution === "absent" ? " (accepted as the same value outside strict mode)" : "")
  }))
  const listed = problems.map((p) => `${p.field}: ${p.problem}`).join("; ")
  const fix = all.some((m) => m.expected.startsWith("no such member"))
    ? "remove unknown members or check their spelling, and give values of the types the documentation specifies"
    : `give values of the types the ${site.action} documentation specifies`
  return new RequestValidationError({
    service: site.service,
    action: site.action,
    field: problems[0].field,
    problems,
    message: `invalid request (${site.service} ${site.action}), ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}: ${listed}; ${fix}. Nothing was sent.`
  })
}

/** Checks a request: the fast check first, every problem and conversion only when it fails. */
const makeEncoder = (schema: S) => {
  // a member the request does not declare is refused (a typo would otherwise be ignored)
  const check = compileStrict(schema.ast)
  return (request: unknown): Encoded => {
    const value = (request ?? {}) as Record<string, unknown>
    if (check(value) === undefined) return { value, problems: NONE, coerced: NONE }
    const w = walk(schema.ast, value, "request")
    const problems = w.mismatches.filter((m) => m.resolution === "invalid")
    const coerced = w.mismatches.filter((m) => m.resolution !== "invalid")
    return { value: (w.value ?? value) as Record<string, unknown>, problems, coerced }
  }
}

/** An answer decoded: the typed value and every mismatch (none on the fast path). */
interface Decoded {
  readonly value: Record<string, unknown>
  readonly mismatches: ReadonlyArray<Mismatch>
}

/** Decodes an answer: the fast check first (undeclared members count), the tolerant walk only when it fails. */
const makeDecoder = (schema: S) => {
  const check = compileClosed(schema.ast)
  return (response: Record<string, unknown>): Decoded => {
    if (check(response) === undefined) return { value: response, mismatches: NONE }
    const w = walk(schema.ast, response, "response")
    const value = (w.value ?? {}) as Record<string, unknown>
    if (value !== response) Object.defineProperty(value, RawAnswer, { value: response, enumerable: false })
    return { value, mismatches: w.mismatches }
  }
}

const decodeError = (site: Site, requestId: string, rs: ReadonlyArray<DriftRecord>, mock: boolean): ResponseDecodeError => {
  const lines = rs.map(recordLine)
  const fix = mock
    ? "fix the mock's answer (members it leaves out are filled in; members it gives must have the declared types), or decode it tolerantly with Drift.withStrict(false)"
    : "strict mode is on (Drift.layerStrict or Drift.withStrict): without it the call succeeds with these differences reported as drift records; please report them with the RequestId"
  return new ResponseDecodeError({
    service: site.service,
    version: site.version,
    action: site.action,
    requestId,
    issue: lines[0],
    mismatches: rs.map((r) => ({ path: r.path, expected: r.expected, got: r.got })),
    message: `the ${mock ? "mock's " : ""}answer of ${site.service} ${site.version} ${site.action} (RequestId ${requestId}) does not match its spec in ${rs.length === 1 ? "1 place" : `${rs.length} places`}: ${lines.join("; ")}. ${fix}.`
  })
}

interface Compiled {
  readonly info: ActionInfo
  readonly output: S
  readonly encode: (request: unknown) => Encoded
  readonly decode: (response: Record<string, unknown>) => Decoded
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
      output,
      encode: makeEncoder(input),
      decode: makeDecoder(output)
    }
    return compiled
  }
}

/** The request in wire form, or the error naming every problem (conversions refused in strict mode). */
const encodeRequest = (c: Compiled, request: unknown): Effect.Effect<Record<string, unknown>, RequestValidationError> => checkEncoded(c, c.encode(request))

const checkEncoded = (c: Compiled, e: Encoded): Effect.Effect<Record<string, unknown>, RequestValidationError> => {
  if (e.problems.length > 0) return Effect.flatMap(StrictMode, (strict) => Effect.fail(requestError(c.info, e, strict === true)))
  if (e.coerced.length === 0) return Effect.succeed(e.value)
  return Effect.flatMap(StrictMode, (strict) => (strict === true ? Effect.fail(requestError(c.info, e, true)) : Effect.succeed(e.value)))
}

/** The answer decoded: drift reported (tolerant) or refused (strict; mocks by default). */
const decodeAnswer = (c: Compiled, answer: Record<string, unknown>): Effect.Effect<any, ResponseDecodeError> => {
  const mock = (answer as { [MockAnswer]?: unknown })[MockAnswer] === true
  const d = c.decode(mock ? (fill(c.output.ast, answer) as Record<string, unknown>) : answer)
  if (d.mismatches.length === 0) return Effect.succeed(d.value)
  const requestId = typeof answer.RequestId === "string" ? answer.RequestId : ""
  const rs = records(c.info, requestId, d.mismatches)
  return Effect.flatMap(StrictMode, (strict) =>
    (strict ?? mock) ? Effect.fail(decodeError(c.info, requestId, rs, mock)) : Effect.as(report(rs), d.value)
  )
}

/** The decoding step of an action on its own (benchmarks): `answer → Effect<value, ResponseDecodeError>`. */
export const decoderOf = (meta: Meta, name: string, output: S) => {
  const c = compiler(meta, name, () => [output, output] as const, "", 0)()
  return (answer: Record<string, unknown>) => decodeAnswer(c, answer)
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
      const e = c.encode(request)
      const call = (params: Record<string, unknown>) => Effect.flatMap(client.call(c.info, params, options), (response) => decodeAnswer(c, response))
      // a request that needs no conversion goes straight to the call (no step in between)
      return e.problems.length === 0 && e.coerced.length === 0 ? call(e.value) : Effect.flatMap(checkEncoded(c, e), call)
    })
  return Object.assign(fn, { meta, action: name, schemas }) as any
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
      return Effect.flatMap(encodeRequest(c, request), (params) => {
        const headers: Record<string, string> = { ...options?.headers }
        for (const k in params) {
          const v = params[k]
          if (v !== undefined && v !== null) headers[`${headerPrefix}${k}`] = String(v)
        }
        return Effect.flatMap(client.call(c.info, {}, { headers, octetStream: body }), (response) => decodeAnswer(c, response))
      })
    })
  return Object.assign(fn, { meta, action: name, schemas }) as any
}

/** The streaming (server-sent events) variant of an action. */
export const streamAction = (meta: Meta, name: string, schemas: () => readonly [S, S], codes: string) => {
  const compile = compiler(meta, name, schemas, codes, 0)
  return Object.assign(
    (request?: unknown, options?: CallOptions): Stream.Stream<any, any, TencentCloud> =>
      Stream.unwrap(
        Effect.flatMap(TencentCloud, (client) => {
          const c = compile()
          return Effect.map(encodeRequest(c, request), (params) => client.stream(c.info, params, options))
        })
      ),
    { meta, action: name, schemas }
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
            // the list as it came: an item the tolerant decoder set aside still counts for the offset
            const items = ((page as { [RawAnswer]?: Record<string, unknown> })[RawAnswer] ?? page)[paging.items]
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
