/**
 * Emits the TypeScript module of one service version from its model. Pure and deterministic.
 *
 * Form (measured in ARCHITECTURE.md §3): a readable interface per struct plus a schema built from
 * non-generic helpers inside a lazy thunk; every action a `/*#__PURE__*\/` call whose arguments
 * are literals and thunks, so bundlers drop the actions a program does not use. Globals and
 * Effect modules are referred to only through `$`-prefixed aliases, which no spec name can
 * shadow (spec names never contain `$`).
 */
import type { Action, Field, ServiceModel, Struct, TypeRef } from "./model.js"

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package " +
    "private protected public await arguments eval").split(" ")
)

/** A property key: bare when it is an identifier, quoted otherwise. */
export const key = (name: string): string => (IDENT.test(name) ? name : JSON.stringify(name))

/** The exported function name of an action: lowerCamel, with `_` after a reserved word. */
export const functionName = (action: string): string => {
  const n = action.charAt(0).toLowerCase() + action.slice(1)
  return RESERVED.has(n) ? `${n}_` : n
}

const scalarTs: Record<string, string> = {
  string: "string",
  datetime: "string",
  datetime_iso: "string",
  date: "string",
  int64: "number | bigint",
  uint64: "number | bigint",
  float: "number",
  bool: "boolean",
  binary: "$Uint8Array"
}

const scalarCodec: Record<string, string> = {
  string: "$C.str",
  datetime: "$C.datetime",
  datetime_iso: "$C.datetimeIso",
  date: "$C.date",
  int64: "$C.int64",
  uint64: "$C.uint64",
  float: "$C.float",
  bool: "$C.bool",
  binary: "$C.binary"
}

const tsOf = (t: TypeRef): string => (t._tag === "Scalar" ? scalarTs[t.scalar] : t.name)
const codecOf = (t: TypeRef): string => (t._tag === "Scalar" ? scalarCodec[t.scalar] : t.name)

const fieldTs = (f: Field): string => {
  const base = tsOf(f.type)
  let t = base
  if (f.list) t = base.includes("|") ? `readonly (${base})[]` : `readonly ${base}[]`
  return f.nullable ? `${t} | null` : t
}

const fieldCodec = (f: Field): string => {
  let c = codecOf(f.type)
  if (f.list) c = `$C.arr(${c})`
  return f.nullable ? `$C.nul(${c})` : c
}

/**
 * Is a member required in the TypeScript interface? As the spec says for request-only objects;
 * on the response side only `RequestId` (the envelope guarantees it): answers drift from the spec
 * (a required member missing is the most common difference), the tolerant decoder returns them
 * anyway, and a member typed as present would be a lie. The schema keeps the spec's
 * requiredness, which strict mode and partial mocks use.
 */
const typeRequired = (s: Struct, f: Field): boolean => f.required && (s.direction === "in" || f.name === "RequestId")

const emitStruct = (s: Struct): string => {
  const lines: Array<string> = []
  lines.push(`/** \`${s.name}\` (${s.direction === "in" ? "request side" : s.direction === "out" ? "response side" : "both sides"}). */`)
  if (s.fields.length === 0) {
    lines.push(`export interface ${s.name} {}`)
  } else {
    lines.push(`export interface ${s.name} {`)
    for (const f of s.fields) {
      if (f.deprecated) lines.push(`  /** @deprecated hidden or deprecated in the API */`)
      lines.push(`  readonly ${key(f.name)}${typeRequired(s, f) ? "" : "?"}: ${fieldTs(f)}`)
    }
    lines.push(`}`)
  }
  const req = s.fields.filter((f) => f.required).map((f) => `${key(f.name)}: ${fieldCodec(f)}`)
  const opt = s.fields.filter((f) => !f.required).map((f) => `${key(f.name)}: ${fieldCodec(f)}`)
  const args = [JSON.stringify(s.name), `{ ${req.join(", ")} }`]
  if (opt.length > 0) args.push(`{ ${opt.join(", ")} }`)
  lines.push(`export const ${s.name}: $Schema.Schema<${s.name}> = /*#__PURE__*/ $C.lazy(() => $C.struct(${args.join(", ")}))`)
  return lines.join("\n")
}

const errorTypeName = (a: Action, taken: ReadonlySet<string>): string => {
  const base = `${a.name}Error`
  return taken.has(base) ? `${a.name}ErrorCode` : base
}

const flagsOf = (a: Action): number => (a.clientToken ? 1 : 0) | (a.multipart ? 2 : 0) | (a.skipSign ? 8 : 0)

const emitAction = (m: ServiceModel, a: Action, taken: ReadonlySet<string>): string => {
  const fn = functionName(a.name)
  const errName = errorTypeName(a, taken)
  const codes = a.codes.map((c) => JSON.stringify(c))
  const lines: Array<string> = []
  lines.push(`/** Error codes \`${a.name}\` may return: its declared codes and the common codes. */`)
  lines.push(`export type ${errName} = $ApiErrorOf<${[...codes, "$CommonCode"].join(" | ")}>`)
  const errUnion = `${errName} | $UnknownApiError | $SdkError`
  const doc: Array<string> = [`\`${m.service}\` ${m.version} \`${a.name}\`.`]
  if (a.status === "deprecated") doc.push("@deprecated the action is deprecated by the API.")
  if (a.status === "offline") doc.push("@deprecated the action is offline: the server answers `ActionOffline`.")
  const jsdoc = `/**\n * ${doc.join("\n * ")}\n */`
  const reqParam = a.optionalRequest ? `request?: ${a.input}` : `request: ${a.input}`
  const schemas = `() => [${a.input}, ${a.output}] as const`
  const codeStr = JSON.stringify(a.codes.join("|"))
  if (a.octetStream) {
    lines.push(jsdoc.replace(" */", " * The request members are sent as headers and `body` as the octet-stream body.\n */"))
    lines.push(
      `export const ${fn}: (${reqParam}, body: $Uint8Array, options?: $CallOptions) => $Effect.Effect<${a.output}, ${errUnion}, $TencentCloud> = /*#__PURE__*/ $O.octetAction($M, ${JSON.stringify(a.name)}, ${schemas}, ${codeStr}, "X-CLS-")`
    )
    return lines.join("\n")
  }
  lines.push(jsdoc)
  lines.push(
    `export const ${fn}: (${reqParam}, options?: $CallOptions) => $Effect.Effect<${a.output}, ${errUnion}, $TencentCloud> = /*#__PURE__*/ $O.action($M, ${JSON.stringify(a.name)}, ${schemas}, ${codeStr}${flagsOf(a) !== 0 ? `, ${flagsOf(a)}` : ""})`
  )
  if (a.sse) {
    lines.push(`/** \`${a.name}\` as a stream of server-sent events (send \`Stream: true\` where the action has it). */`)
    lines.push(
      `export const ${fn}Stream: (${reqParam}, options?: $CallOptions) => $Stream.Stream<$ServerSentEvent, ${errUnion}, $TencentCloud> = /*#__PURE__*/ $O.streamAction($M, ${JSON.stringify(a.name)}, ${schemas}, ${codeStr})`
    )
  }
  if (a.paging !== undefined) {
    const p = JSON.stringify(a.paging).replace(/"([A-Za-z_]+)":/g, "$1: ")
    const optReq = `request?: ${a.input}`
    lines.push(`/** Every page of \`${a.name}\`, following ${a.paging._tag === "Token" ? `${a.paging.token}/${a.paging.nextToken}` : a.paging._tag === "Offset" ? "Offset/Limit" : "PageNumber/PageSize"}. */`)
    lines.push(
      `export const ${fn}Pages: (${a.optionalRequest ? optReq : reqParam}) => $Stream.Stream<${a.output}, ${errUnion}, $TencentCloud> = /*#__PURE__*/ $O.pages(${fn}, ${p})`
    )
    lines.push(`/** Every item of \`${a.name}\`'s \`${a.paging.items}\`, across pages. */`)
    lines.push(
      `export const ${fn}Items: (${a.optionalRequest ? optReq : reqParam}) => $Stream.Stream<NonNullable<${a.output}[${JSON.stringify(a.paging.items)}]>[number], ${errUnion}, $TencentCloud> = /*#__PURE__*/ $O.items(${fn}, ${p})`
    )
  }
  return lines.join("\n")
}

/** Options of {@link emitModule}. */
export interface EmitOptions {
  /** Path from the module to `src/` (default `../../`). */
  readonly importBase?: string | undefined
}

/** The whole module text of one service version. */
export const emitModule = (m: ServiceModel, options: EmitOptions = {}): string => {
  const base = options.importBase ?? "../../"
  const taken = new Set<string>(m.structs.map((s) => s.name))
  const fnNames = new Set<string>()
  for (const a of m.actions) {
    const fn = functionName(a.name)
    if (fnNames.has(fn) || taken.has(fn)) throw new Error(`${m.dir}/${m.versionDir}: function name ${fn} is taken twice`)
    fnNames.add(fn)
  }
  const out: Array<string> = []
  out.push(`/**`)
  out.push(` * Tencent Cloud \`${m.service}\` API ${m.version}: ${m.actions.length} actions, ${m.structs.length} objects.`)
  out.push(` *`)
  out.push(` * Generated by scripts/generator from the tccli spec \`${m.dir}/${m.versionDir}/api.json\`. Do not edit.`)
  out.push(` */`)
  out.push(`/* eslint-disable */`)
  out.push(`import type * as $Effect from "effect/Effect"`)
  out.push(`import type * as $Schema from "effect/Schema"`)
  out.push(`import type * as $Stream from "effect/Stream"`)
  out.push(`import type { CallOptions as $CallOptions, ServerSentEvent as $ServerSentEvent, TencentCloud as $TencentCloud } from "${base}Client.js"`)
  out.push(`import type { ApiErrorOf as $ApiErrorOf, CommonCode as $CommonCode, SdkError as $SdkError, UnknownApiError as $UnknownApiError } from "${base}Errors.js"`)
  out.push(`import * as $C from "${base}internal/codec.js"`)
  out.push(`import * as $O from "${base}internal/operation.js"`)
  out.push(``)
  out.push(`type $Uint8Array = globalThis.Uint8Array`)
  out.push(``)
  out.push(`/** The service and version of this module. */`)
  out.push(`export const $M: $O.Meta = { service: ${JSON.stringify(m.service)}, version: ${JSON.stringify(m.version)} }`)
  out.push(``)
  for (const s of m.structs) {
    out.push(emitStruct(s))
    out.push(``)
  }
  for (const a of m.actions) {
    out.push(emitAction(m, a, taken))
    out.push(``)
  }
  out.push(`/** Every action of this module with its schemas (for the emulator and tools). */`)
  out.push(`export const _actions = {`)
  for (const a of m.actions) {
    out.push(
      `  ${a.name}: { info: { service: ${JSON.stringify(m.service)}, version: ${JSON.stringify(m.version)}, action: ${JSON.stringify(a.name)} }, input: (): $Schema.Schema<${a.input}> => ${a.input}, output: (): $Schema.Schema<${a.output}> => ${a.output}, status: ${JSON.stringify(a.status)} },`
    )
  }
  out.push(`} as const`)
  out.push(``)
  return out.join("\n")
}
