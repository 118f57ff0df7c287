/**
 * Facts about Huawei Cloud operations, read at generation time from the installed
 * `@huaweicloud/huaweicloud-sdk-<service>` npm packages (devDependencies): their declaration files
 * (`model/*.d.ts`: member names, optionality, types) and their request builders, which are RUN
 * with recording inputs to observe each operation's method, path, content type and where each
 * member goes (path, query, header, body) and which members are required. Nothing of the
 * packages' code or text is copied into the output: only names, types and locations.
 */
import { createRequire } from "node:module"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

const require = createRequire(import.meta.url)

/** A member type, reduced to what the emitter needs. */
export type Type =
  | { readonly kind: "string" | "number" | "boolean" | "unknown" }
  | { readonly kind: "array"; readonly item: Type }
  | { readonly kind: "dict"; readonly value: Type }
  | { readonly kind: "ref"; readonly name: string }

export interface Member {
  /** The wire name (JSON key, query key, header name). */
  readonly wire: string
  readonly optional: boolean
  readonly type: Type
}

export interface Model {
  readonly name: string
  readonly members: ReadonlyArray<Member>
}

export type Location = "path" | "query" | "header" | "body"

export interface Operation {
  /** `listVpcs` */
  readonly method: string
  /** `ListVpcs` */
  readonly action: string
  readonly httpMethod: string
  readonly path: string
  readonly contentType: string
  readonly request: string
  readonly response: string
  /** Request members by wire name with their location. */
  readonly locations: ReadonlyArray<readonly [string, Location]>
  readonly responseHeaders: ReadonlyArray<string>
}

export interface ServiceVersion {
  readonly service: string
  readonly version: string
  readonly packageVersion: string
  readonly operations: ReadonlyArray<Operation>
  /** Every model reachable from the operations, by name. */
  readonly models: ReadonlyMap<string, Model>
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** Read a model class from its declaration file and its `withX` setters (for the wire names). */
const readModel = (dir: string, name: string): Model | undefined => {
  const dts = path.join(dir, "model", `${name}.d.ts`)
  const js = path.join(dir, "model", `${name}.js`)
  if (!fs.existsSync(dts)) return undefined
  const sf = ts.createSourceFile(dts, fs.readFileSync(dts, "utf8"), ts.ScriptTarget.ES2022, true)
  const jsText = fs.existsSync(js) ? fs.readFileSync(js, "utf8") : ""
  const wireOfWith = new Map<string, string>()
  for (const m of jsText.matchAll(/\n\s+(with\w+)\((\w+)\) \{\s*this\['([^']+)'\] = \2;/g)) wireOfWith.set(m[1], m[3])
  const cls = sf.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name)
  if (cls === undefined) return undefined
  const withTypes = new Map<string, ts.TypeNode>()
  for (const m of cls.members) {
    if (ts.isMethodDeclaration(m) && m.name.getText(sf).startsWith("with") && m.parameters[0]?.type !== undefined) {
      const wire = wireOfWith.get(m.name.getText(sf))
      if (wire !== undefined) withTypes.set(wire, m.parameters[0].type)
    }
  }
  const members: Array<Member> = []
  for (const m of cls.members) {
    if (!ts.isPropertyDeclaration(m)) continue
    const wire = ts.isStringLiteral(m.name) ? m.name.text : m.name.getText(sf)
    const node = m.type ?? withTypes.get(wire)
    members.push({ wire, optional: m.questionToken !== undefined, type: node === undefined ? { kind: "unknown" } : typeOf(node, sf) })
  }
  return { name, members }
}

const typeOf = (node: ts.TypeNode, sf: ts.SourceFile): Type => {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: "string" }
    case ts.SyntaxKind.NumberKeyword:
      return { kind: "number" }
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: "boolean" }
  }
  if (ts.isArrayTypeNode(node)) return { kind: "array", item: typeOf(node.elementType, sf) }
  if (ts.isParenthesizedTypeNode(node)) return typeOf(node.type, sf)
  if (ts.isUnionTypeNode(node)) {
    // `XEnum | string`: the wire type is the keyword member
    const kw = node.types.find((t) => t.kind === ts.SyntaxKind.StringKeyword || t.kind === ts.SyntaxKind.NumberKeyword || t.kind === ts.SyntaxKind.BooleanKeyword)
    const rest = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword && t.kind !== ts.SyntaxKind.NullKeyword)
    return kw !== undefined ? typeOf(kw, sf) : rest.length === 1 ? typeOf(rest[0], sf) : { kind: "unknown" }
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration)
    return index?.type !== undefined ? { kind: "dict", value: typeOf(index.type, sf) } : { kind: "unknown" }
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText(sf)
    if ((name === "Array" || name === "ReadonlyArray") && node.typeArguments?.length === 1) return { kind: "array", item: typeOf(node.typeArguments[0], sf) }
    if (name === "Date") return { kind: "string" }
    if (name.endsWith("Enum")) return { kind: "string" }
    if (name === "Record" && node.typeArguments?.length === 2) return { kind: "dict", value: typeOf(node.typeArguments[1], sf) }
    if (name === "Object" || name === "any" || name === "Buffer" || name === "File" || name === "Blob") return { kind: "unknown" }
    return { kind: "ref", name }
  }
  return { kind: "unknown" }
}

const SENTINEL = "\u0000member:"

/** Run one request builder with a recording input; where each member went. */
const observe = (creator: Record<string, (r: unknown) => any>, method: string, omit?: string) => {
  const read: Array<string> = []
  const input = new Proxy({}, {
    get: (_t, key) => {
      if (typeof key !== "string") return undefined
      read.push(key)
      return key === omit ? undefined : SENTINEL + key
    }
  })
  return { options: creator[method](input) as Record<string, any>, read }
}

/** Read one service version's operations and models. */
export const readServiceVersion = (service: string, version: string): ServiceVersion => {
  const pkg = `@huaweicloud/huaweicloud-sdk-${service}`
  const pkgJson = require(`${pkg}/package.json`) as { version: string }
  const dir = path.dirname(require.resolve(`${pkg}/${version}/public-api.js`))
  const clientFile = fs.readdirSync(dir).find((f) => f.endsWith("Client.js"))!
  const client = require(path.join(dir, clientFile)) as { ParamCreater: () => Record<string, (r: unknown) => any> }
  const clientText = fs.readFileSync(path.join(dir, clientFile), "utf8")
  const creator = client.ParamCreater()
  const models = new Map<string, Model>()
  const want = (name: string) => {
    if (models.has(name)) return
    const m = readModel(dir, name)
    if (m === undefined) return
    models.set(name, m)
    const visit = (t: Type): void => {
      if (t.kind === "ref") want(t.name)
      else if (t.kind === "array") visit(t.item)
      else if (t.kind === "dict") visit(t.value)
    }
    for (const mem of m.members) visit(mem.type)
  }
  const operations: Array<Operation> = []
  for (const method of Object.keys(creator).sort()) {
    const action = pascal(method)
    const request = readModel(dir, `${action}Request`)
    const response = readModel(dir, `${action}Response`)
    if (request === undefined || response === undefined) continue
    const wires = request.members.map((m) => m.wire)
    let options: Record<string, any>
    try {
      options = observe(creator, method).options
    } catch {
      continue
    }
    const locations: Array<readonly [string, Location]> = []
    const where = (sentinel: unknown): boolean => typeof sentinel === "string" && sentinel.startsWith(SENTINEL)
    const placed = new Set<string>()
    for (const [k, v] of Object.entries(options.pathParams ?? {})) if (where(v)) { locations.push([k, "path"]); placed.add((v as string).slice(SENTINEL.length)) }
    for (const [k, v] of Object.entries(options.queryParams ?? {})) if (where(v)) { locations.push([k, "query"]); placed.add((v as string).slice(SENTINEL.length)) }
    for (const [k, v] of Object.entries(options.headers ?? {})) if (where(v)) { locations.push([k, "header"]); placed.add((v as string).slice(SENTINEL.length)) }
    if (where(options.data)) { locations.push(["body", "body"]); placed.add("body") }
    const required = new Set<string>()
    for (const w of wires) {
      try {
        observe(creator, method, w)
      } catch {
        required.add(w)
      }
    }
    const requestModel: Model = {
      name: request.name,
      members: request.members
        .filter((m) => placed.has(m.wire) || locations.some(([k]) => k === m.wire))
        .map((m) => ({ ...m, optional: !required.has(m.wire) }))
    }
    // location keys are wire keys of the request; map a location to the request member that fed it
    const fed = new Map<string, string>()
    for (const [k, v] of [...Object.entries(options.pathParams ?? {}), ...Object.entries(options.queryParams ?? {}), ...Object.entries(options.headers ?? {})]) {
      if (where(v)) fed.set((v as string).slice(SENTINEL.length), k)
    }
    const locs: Array<readonly [string, Location]> = requestModel.members.map((m) => {
      const target = m.wire === "body" && where(options.data) ? "body" : fed.get(m.wire) ?? m.wire
      const loc = locations.find(([k]) => k === target)?.[1] ?? "query"
      return [m.wire === target ? m.wire : `${m.wire}=${target}`, loc] as const
    })
    const rh = new RegExp(`\\n    ${method}\\(\\w+\\) \\{\\s*const options = [^\\n]*\\n(?:\\s*//[^\\n]*\\n)?\\s*options\\['responseHeaders'\\] = \\[([^\\]]*)\\]`).exec(clientText)
    const responseHeaders = rh === null ? [] : rh[1].split(",").map((s) => s.trim().replace(/^'|'$/g, "")).filter((s) => s !== "")
    models.set(requestModel.name, requestModel)
    models.set(response.name, response)
    for (const m of [...requestModel.members, ...response.members]) {
      const visit = (t: Type): void => {
        if (t.kind === "ref") want(t.name)
        else if (t.kind === "array") visit(t.item)
        else if (t.kind === "dict") visit(t.value)
      }
      visit(m.type)
    }
    operations.push({
      method, action, httpMethod: String(options.method).toUpperCase(), path: String(options.url), contentType: String(options.contentType ?? "application/json"),
      request: requestModel.name, response: response.name, locations: locs, responseHeaders
    })
  }
  return { service, version, packageVersion: pkgJson.version, operations, models }
}
