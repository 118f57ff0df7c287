/**
 * Reads one tccli `api.json` (+ its `errors.json`) into the model the emitter needs: structs with
 * each member's TS type and optionality per direction, actions with their codes, flags, paging.
 * Pure: no file system here.
 */

export interface SpecMember {
  readonly name: string
  readonly type: string
  readonly member: string
  readonly required?: boolean
  readonly output_required?: boolean
  readonly value_allowed_null?: boolean
  readonly disabled?: boolean
}
export interface SpecObject {
  readonly type?: string
  readonly usage?: string
  readonly members: ReadonlyArray<SpecMember>
}
export interface SpecAction {
  readonly input: string
  readonly output: string
  readonly status?: string
}
export interface Spec {
  readonly metadata: { readonly apiVersion: string; readonly serviceShortName: string }
  readonly actions: Readonly<Record<string, SpecAction>>
  readonly objects: Readonly<Record<string, SpecObject>>
}
export interface ErrorsFile {
  readonly productErrorCodes?: ReadonlyArray<string>
  readonly actionErrorCodes?: Readonly<Record<string, ReadonlyArray<string>>>
}

export type Scalar = "string" | "datetime" | "datetime_iso" | "date" | "int64" | "uint64" | "float" | "bool" | "binary"

export type TypeRef = { readonly _tag: "Scalar"; readonly scalar: Scalar } | { readonly _tag: "Ref"; readonly name: string }

export interface Field {
  readonly name: string
  readonly type: TypeRef
  readonly list: boolean
  readonly required: boolean
  readonly nullable: boolean
  readonly deprecated: boolean
}

export interface Struct {
  readonly name: string
  readonly fields: ReadonlyArray<Field>
  /** Which sides reach it. */
  readonly direction: "in" | "out" | "both"
  /** Appears in its own closure (needs lazy references, which every struct uses anyway). */
  readonly recursive: boolean
}

export type Paging =
  | { readonly _tag: "Offset"; readonly items: string; readonly offset: string; readonly limit: string; readonly total?: string }
  | { readonly _tag: "Page"; readonly items: string; readonly page: string; readonly size: string; readonly total?: string }
  | { readonly _tag: "Token"; readonly items: string; readonly token: string; readonly nextToken: string }

export interface Action {
  readonly name: string
  readonly input: string
  readonly output: string
  readonly status: "online" | "deprecated" | "offline"
  readonly codes: ReadonlyArray<string>
  readonly clientToken: boolean
  readonly multipart: boolean
  readonly octetStream: boolean
  readonly skipSign: boolean
  readonly sse: boolean
  readonly paging: Paging | undefined
  /** The request has no required member: callable with no argument. */
  readonly optionalRequest: boolean
}

export interface ServiceModel {
  readonly dir: string
  readonly versionDir: string
  readonly service: string
  readonly version: string
  readonly structs: ReadonlyArray<Struct>
  readonly actions: ReadonlyArray<Action>
}

/** Actions that can answer server-sent events (from the official Python and Go SDKs). */
export const SSE_ACTIONS: Readonly<Record<string, ReadonlyArray<string | RegExp>>> = {
  hunyuan: ["ChatCompletions", "ChatTranslations", "CreateThread", "FilesDeletions", "FilesList", "FilesUploads", "GetThread", "GetThreadMessage", "GetThreadMessageList", "GroupChatCompletions", "ImageQuestion", "RunThread"],
  lkeap: ["ChatCompletions", "ReconstructDocumentSSE"],
  cls: ["ChatCompletions"],
  es: ["ChatCompletions", "ParseDocument"],
  ig: [/^GetLLM/],
  tdai: ["CreateChatCompletion"],
  trtc: ["TextToSpeechSSE"],
  waf: ["GenerateLLMSecAnswer"],
  dataagent: ["ChatAI", "ExecuteAgentApiV1"],
  cloudmate: ["CloudMateAgent"]
}

/** Octet-stream uploads: request members become headers with this prefix. */
export const OCTET_ACTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  cls: { UploadLog: "X-CLS-" }
}

/** Unsigned calls. */
export const SKIP_SIGN_ACTIONS: Readonly<Record<string, ReadonlyArray<string>>> = {
  sts: ["AssumeRoleWithWebIdentity"]
}

const SCALARS: Readonly<Record<string, Scalar>> = {
  string: "string",
  datetime: "datetime",
  datetime_iso: "datetime_iso",
  date: "date",
  int64: "int64",
  uint64: "uint64",
  float: "float",
  bool: "bool",
  binary: "binary"
}

const typeOf = (m: SpecMember, objects: Spec["objects"], where: string): TypeRef => {
  const s = SCALARS[m.member]
  if (s !== undefined && (m.type !== "object" || objects[m.member] === undefined)) return { _tag: "Scalar", scalar: s }
  if (objects[m.member] !== undefined) return { _tag: "Ref", name: m.member }
  throw new Error(`${where}: member ${m.name} has unknown type ${m.type}/${m.member}`)
}

const closure = (roots: Iterable<string>, objects: Spec["objects"]): Set<string> => {
  const seen = new Set<string>()
  const stack = [...roots]
  while (stack.length > 0) {
    const n = stack.pop()!
    if (seen.has(n)) continue
    seen.add(n)
    for (const m of objects[n]?.members ?? []) if (objects[m.member] !== undefined) stack.push(m.member)
  }
  return seen
}

const intMember = (o: SpecObject | undefined, name: string) =>
  o?.members.find((m) => m.name === name && m.type === "int" && (m.member === "int64" || m.member === "uint64"))

const detectPaging = (input: SpecObject, output: SpecObject): Paging | undefined => {
  const lists = output.members.filter((m) => m.type === "list")
  if (lists.length !== 1) return undefined
  const items = lists[0].name
  const total = ["TotalCount", "Total", "TotalNum"].find((t) => intMember(output, t) !== undefined)
  if (intMember(input, "Offset") && intMember(input, "Limit") && total !== undefined) {
    return { _tag: "Offset", items, offset: "Offset", limit: "Limit", total }
  }
  if (intMember(input, "PageNumber") && intMember(input, "PageSize") && total !== undefined) {
    return { _tag: "Page", items, page: "PageNumber", size: "PageSize", total }
  }
  const hasStr = (o: SpecObject, n: string) => o.members.some((m) => m.name === n && m.type === "string")
  for (const [token, next] of [["NextToken", "NextToken"], ["Cursor", "NextCursor"], ["Cursor", "Cursor"], ["Marker", "NextMarker"], ["Marker", "Marker"]]) {
    if (hasStr(input, token) && hasStr(output, next)) return { _tag: "Token", items, token, nextToken: next }
  }
  return undefined
}

/** Build the model of one service version. `overrides` maps action name → paging (or null to disable). */
export const buildModel = (
  dir: string,
  versionDir: string,
  spec: Spec,
  errors: ErrorsFile | undefined,
  overrides: Readonly<Record<string, Paging | null>> = {}
): ServiceModel => {
  const objects = spec.objects
  const where = `${dir}/${versionDir}`
  const actionNames = Object.keys(spec.actions).sort()
  const inRoots = actionNames.map((a) => spec.actions[a].input)
  const outRoots = actionNames.map((a) => spec.actions[a].output)
  const inSet = closure(inRoots, objects)
  const outSet = closure(outRoots, objects)
  const structs: Array<Struct> = []
  for (const name of Object.keys(objects).sort()) {
    const o = objects[name]
    const isIn = inSet.has(name)
    const isOut = outSet.has(name)
    const direction: Struct["direction"] = isIn && isOut ? "both" : isIn ? "in" : "out"
    const fields: Array<Field> = o.members.map((m) => {
      const inReq = m.required === true
      const outReq = m.output_required === true || (name.endsWith("Response") && outRoots.includes(name) && m.name === "RequestId")
      const required = direction === "in" ? inReq : direction === "out" ? outReq : inReq && outReq
      const nullable = direction !== "in" && m.value_allowed_null === true
      return {
        name: m.name,
        type: typeOf(m, objects, `${where} ${name}`),
        list: m.type === "list",
        required,
        nullable,
        deprecated: m.disabled === true
      }
    })
    const recursive = fields.some((f) => f.type._tag === "Ref" && closure([f.type.name], objects).has(name))
    structs.push({ name, fields, direction, recursive })
  }
  const sse = SSE_ACTIONS[dir] ?? []
  const octet = OCTET_ACTIONS[dir] ?? {}
  const skip = SKIP_SIGN_ACTIONS[spec.metadata.serviceShortName] ?? []
  const actions: Array<Action> = actionNames.map((name) => {
    const a = spec.actions[name]
    const input = objects[a.input]
    const output = objects[a.output]
    const codes = [...new Set(errors?.actionErrorCodes?.[name] ?? [])].sort()
    const override = overrides[name]
    return {
      name,
      input: a.input,
      output: a.output,
      status: a.status === "deprecated" ? "deprecated" : a.status === "offline" ? "offline" : "online",
      codes,
      clientToken: input.members.some((m) => m.name === "ClientToken"),
      multipart: input.members.some((m) => m.member === "binary"),
      octetStream: octet[name] !== undefined,
      skipSign: skip.includes(name),
      sse: sse.some((p) => (typeof p === "string" ? p === name : p.test(name))),
      paging: override === null ? undefined : override ?? detectPaging(input, output),
      optionalRequest: input.members.every((m) => m.required !== true)
    }
  })
  return { dir, versionDir, service: spec.metadata.serviceShortName, version: spec.metadata.apiVersion, structs, actions }
}
