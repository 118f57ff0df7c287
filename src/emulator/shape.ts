/**
 * The emulator's view of a request or response type: a small tree of wire shapes (string, integer,
 * float, boolean, list, struct) that validation and data generation walk on the hot path.
 *
 * Shapes are derived once per action, either by walking an `effect/Schema` AST (the generated
 * modules' `input()` / `output()` schemas, encoded side) or from a tccli `api.json` spec. Both
 * sources give the same tree, so the emulator works the same on either.
 *
 * @internal
 */
import * as AST from "effect/SchemaAST"

/** The wire format of a string or integer, when the spec says more than "string" / "int". */
export type WireFormat = "int64" | "uint64" | "datetime" | "datetime_iso" | "date"

/** A wire shape. Structs are mutable only while being built (recursion). */
export type Shape =
  | { readonly _tag: "String"; readonly format?: WireFormat | undefined }
  | { readonly _tag: "Int"; readonly unsigned: boolean }
  | { readonly _tag: "Float" }
  | { readonly _tag: "Boolean" }
  | { readonly _tag: "Binary" }
  | { readonly _tag: "Array"; readonly item: Shape }
  | StructShape
  | { readonly _tag: "Literal"; readonly values: ReadonlyArray<string | number | boolean> }
  | { readonly _tag: "Any" }

/** A struct; `fields` may be filled after creation for recursive types. */
export interface StructShape {
  readonly _tag: "Struct"
  readonly name: string
  readonly fields: Array<Field>
  /** Field lookup by exact name (filled with `fields`). */
  readonly byName: Map<string, Field>
}

/** A struct member. */
export interface Field {
  readonly name: string
  readonly shape: Shape
  /** May be absent (input: not required; output: not `output_required`). */
  readonly optional: boolean
  /** May be `null` (output: `value_allowed_null`). */
  readonly nullable: boolean
}

export const STRING: Shape = { _tag: "String" }
export const FLOAT: Shape = { _tag: "Float" }
export const BOOLEAN: Shape = { _tag: "Boolean" }
export const INT64: Shape = { _tag: "Int", unsigned: false }
export const UINT64: Shape = { _tag: "Int", unsigned: true }
export const ANY: Shape = { _tag: "Any" }

/** A struct shape from fields. */
export const struct = (name: string, fields: ReadonlyArray<Field> = []): StructShape => {
  const s: StructShape = { _tag: "Struct", name, fields: [], byName: new Map() }
  for (const f of fields) addField(s, f)
  return s
}

const addField = (s: StructShape, f: Field): void => {
  s.fields.push(f)
  s.byName.set(f.name, f)
}

// ---------------------------------------------------------------------------------------------
// from effect/Schema ASTs
// ---------------------------------------------------------------------------------------------

const FORMATS: ReadonlySet<string> = new Set(["int64", "uint64", "datetime", "datetime_iso", "date"])

/**
 * The wire format annotation of a node, whatever symbol the generator uses for it: any annotation
 * whose value is one of the format names (or an object with such a `format` / `type`).
 */
const wireFormat = (ast: { readonly annotations: AST.Annotations }): WireFormat | undefined => {
  const ann = ast.annotations as Record<PropertyKey, unknown>
  for (const k of Reflect.ownKeys(ann)) {
    const v = ann[k]
    if (typeof v === "string" && FORMATS.has(v)) return v as WireFormat
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>
      for (const key of ["format", "type", "member"]) {
        if (typeof o[key] === "string" && FORMATS.has(o[key] as string)) return o[key] as WireFormat
      }
    }
  }
  return undefined
}

const structName = (ast: AST.AST): string => {
  const id = AST.getIdentifierAnnotation(ast)
  if (id._tag === "Some") return id.value
  const t = AST.getTitleAnnotation(ast)
  return t._tag === "Some" ? t.value : "Struct"
}

/**
 * Derive a shape from a schema AST, encoded side (what travels on the wire). Recursion through
 * `Schema.suspend` is followed lazily and shared, so recursive types give a cyclic shape.
 */
export const fromAst = (root: AST.AST): Shape => {
  const seen = new Map<AST.AST, Shape>()
  let depth = 0
  const suspended = new Map<AST.AST, StructShape>()

  const go = (ast: AST.AST, fmt: WireFormat | undefined): Shape => {
    const own = wireFormat(ast) ?? fmt
    const hit = seen.get(ast)
    if (hit !== undefined) return hit
    switch (ast._tag) {
      case "StringKeyword":
      case "TemplateLiteral":
        return own !== undefined && own !== "int64" && own !== "uint64" ? { _tag: "String", format: own } : STRING
      case "NumberKeyword":
        return own === "int64" ? INT64 : own === "uint64" ? UINT64 : FLOAT
      case "BigIntKeyword":
        return own === "uint64" ? UINT64 : INT64
      case "BooleanKeyword":
        return BOOLEAN
      case "Literal":
        return ast.literal === null ? ANY : { _tag: "Literal", values: [ast.literal as string | number | boolean] }
      case "Enums":
        return { _tag: "Literal", values: ast.enums.map((e) => e[1]) }
      case "Declaration": {
        // Uint8Array and friends: binary upload fields
        const id = AST.getIdentifierAnnotation(ast)
        if (id._tag === "Some" && /Uint8Array|Buffer|Binary/i.test(id.value)) return { _tag: "Binary" }
        if (ast.typeParameters.length === 1) return { _tag: "Array", item: go(ast.typeParameters[0], undefined) }
        return own === "int64" || own === "uint64" ? (own === "uint64" ? UINT64 : INT64) : ANY
      }
      case "Refinement":
        return go(ast.from, own)
      case "Transformation":
        return go(ast.from, own)
      case "Suspend": {
        const target = ast.f()
        const pre = suspended.get(target) ?? (seen.get(target) as StructShape | undefined)
        if (pre !== undefined) return pre
        // a suspended struct: allocate it first so that the recursion finds it
        const inner = unwrap(target)
        if (inner._tag === "TypeLiteral") {
          const s = struct(structName(target) !== "Struct" ? structName(target) : structName(ast))
          // keyed by the suspend node too: a thunk may build a fresh AST on every call
          seen.set(ast, s)
          suspended.set(target, s)
          seen.set(target, s)
          seen.set(inner, s)
          fillStruct(s, inner)
          return s
        }
        if (++depth > 256) return ANY
        try {
          return go(target, own)
        } finally {
          depth--
        }
      }
      case "TupleType": {
        if (ast.rest.length > 0) return { _tag: "Array", item: go(ast.rest[0].type, undefined) }
        return ANY
      }
      case "TypeLiteral": {
        const s = struct(structName(ast))
        seen.set(ast, s)
        fillStruct(s, ast)
        return s
      }
      case "Union": {
        const members = ast.types.filter((t) => t._tag !== "UndefinedKeyword" && !(t._tag === "Literal" && t.literal === null))
        if (members.length === 0) return ANY
        const hasBigInt = members.some((t) => unwrap(t)._tag === "BigIntKeyword")
        const hasNumber = members.some((t) => unwrap(t)._tag === "NumberKeyword")
        if (hasBigInt || (hasNumber && (own === "int64" || own === "uint64"))) {
          return own === "uint64" ? UINT64 : INT64
        }
        if (members.every((t) => t._tag === "Literal")) {
          return { _tag: "Literal", values: members.map((t) => (t as AST.Literal).literal as string | number | boolean) }
        }
        return go(members[0], own)
      }
      default:
        return ANY
    }
  }

  const unwrap = (ast: AST.AST): AST.AST => {
    let a = ast
    for (;;) {
      if (a._tag === "Refinement") a = a.from
      else if (a._tag === "Transformation") a = a.from
      else return a
    }
  }

  const fillStruct = (s: StructShape, ast: AST.TypeLiteral): void => {
    for (const ps of ast.propertySignatures) {
      if (typeof ps.name !== "string") continue
      const t = ps.type
      const nullable =
        t._tag === "Union" && t.types.some((m) => m._tag === "Literal" && m.literal === null)
      const hasUndefined = t._tag === "Union" && t.types.some((m) => m._tag === "UndefinedKeyword")
      addField(s, { name: ps.name, shape: go(t, wireFormat(ps)), optional: ps.isOptional || hasUndefined, nullable })
    }
  }

  return go(root, undefined)
}

// ---------------------------------------------------------------------------------------------
// from tccli api.json
// ---------------------------------------------------------------------------------------------

/** A member of a tccli `api.json` object. */
export interface SpecMember {
  readonly name: string
  readonly type: string
  readonly member: string
  readonly required?: boolean
  readonly output_required?: boolean
  readonly value_allowed_null?: boolean
}

/** The objects table of a tccli `api.json`. */
export type SpecObjects = Readonly<Record<string, { readonly members: ReadonlyArray<SpecMember> }>>

/**
 * Shapes of a tccli spec's objects, side by side: input (optional ⇔ `required !== true`) and output
 * (optional ⇔ `output_required !== true`, nullable ⇔ `value_allowed_null`), as in the spec notes.
 */
export const fromSpec = (objects: SpecObjects, root: string, side: "input" | "output"): Shape => {
  const built = new Map<string, StructShape>()
  const primitive = (type: string, member: string): Shape | undefined => {
    switch (member) {
      case "string":
        return STRING
      case "datetime":
      case "datetime_iso":
      case "date":
        return { _tag: "String", format: member }
      case "int64":
        return INT64
      case "uint64":
        return UINT64
      case "float":
        return FLOAT
      case "bool":
        return BOOLEAN
      case "binary":
        return { _tag: "Binary" }
    }
    return type === "int" ? INT64 : type === "float" ? FLOAT : type === "bool" ? BOOLEAN : undefined
  }
  const obj = (name: string): Shape => {
    const hit = built.get(name)
    if (hit !== undefined) return hit
    const o = objects[name]
    const s = struct(name)
    built.set(name, s)
    if (o === undefined) return s
    for (const m of o.members) {
      const element = primitive(m.type === "list" ? "" : m.type, m.member) ?? obj(m.member)
      const shape: Shape = m.type === "list" ? { _tag: "Array", item: element } : element
      // a `required` flag on a response's own member is a legacy spelling of `output_required`
      const optional =
        side === "input" ? m.required !== true : m.output_required !== true && !(name === root && m.required === true)
      const nullable = side === "output" && m.value_allowed_null === true
      addField(s, { name: m.name, shape, optional: m.name === "RequestId" ? false : optional, nullable })
    }
    return s
  }
  return obj(root)
}
