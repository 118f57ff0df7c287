/**
 * Non-generic `effect/Schema` building blocks used by the generated service modules.
 *
 * Generated code types its schemas through the readable interfaces (`export const X:
 * Schema.Schema<X> = lazy(() => struct(...))`), so these helpers return an untyped schema and no
 * per-struct generic is instantiated: this keeps the type-check of all 296 service versions fast.
 * Runtime tests prove the schemas agree with the interfaces.
 *
 * Every API 3.0 scalar carries a {@link TcType} annotation (`int64`, `uint64`, `float`, `bool`,
 * `string`, `datetime`, `datetime_iso`, `date`, `binary`) so tools that walk the schema AST (the
 * emulator's data generator and request validator) know the wire type.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** An untyped schema (type and encoded side are the same: the wire form). */
export type S = Schema.Schema<any, any, never>

/** Annotation key holding the API 3.0 wire type of a scalar. */
export const TcType: unique symbol = Symbol.for("effect-tencentcloud/TcType") as any

/** Annotation key holding the spec name of a struct. */
export const TcModel: unique symbol = Symbol.for("effect-tencentcloud/TcModel") as any

const tag = (s: S, t: string): S => s.annotations({ [TcType]: t } as any)

const Int: S = /*#__PURE__*/ Schema.Union(Schema.Int, Schema.BigIntFromSelf)

/** string */
export const str: S = /*#__PURE__*/ tag(Schema.String, "string")
/** string, `YYYY-MM-DD HH:mm:ss` */
export const datetime: S = /*#__PURE__*/ tag(Schema.String, "datetime")
/** string, ISO 8601 */
export const datetimeIso: S = /*#__PURE__*/ tag(Schema.String, "datetime_iso")
/** string, `YYYY-MM-DD` */
export const date: S = /*#__PURE__*/ tag(Schema.String, "date")
/** signed 64-bit integer: `number` when it fits exactly, else `bigint` */
export const int64: S = /*#__PURE__*/ tag(Int, "int64")
/** unsigned 64-bit integer: `number` when it fits exactly, else `bigint` */
export const uint64: S = /*#__PURE__*/ tag(Int, "uint64")
/** double */
export const float: S = /*#__PURE__*/ tag(Schema.Number, "float")
/** boolean */
export const bool: S = /*#__PURE__*/ tag(Schema.Boolean, "bool")
/** bytes (multipart uploads) */
export const binary: S = /*#__PURE__*/ tag(Schema.Uint8ArrayFromSelf, "binary")

/** A list. */
export const arr = (item: S): S => Schema.Array(item)

/** A value that may be `null`. */
export const nul = (s: S): S => Schema.NullOr(s)

/**
 * A struct: `required` members must be present, `optional` ones may be absent.
 * Keys are kept exactly (case-only duplicates such as `InstanceId`/`InstanceID` are distinct).
 */
export const struct = (name: string, required: Record<string, S>, optional?: Record<string, S>): S => {
  const fields: Record<string, Schema.Struct.Field> = { ...required }
  if (optional !== undefined) for (const k in optional) fields[k] = Schema.optional(optional[k])
  return Schema.Struct(fields).annotations({ [TcModel]: name, identifier: name } as any) as unknown as S
}

/** A lazily built schema (recursion, and tree-shaking: an unused lazy schema is dropped by bundlers). */
export const lazy = (f: () => S): S => Schema.suspend(f)
