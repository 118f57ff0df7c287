/**
 * Deterministic, spec-shaped response data for actions the emulator does not model.
 *
 * The same action and request always give the same answer (seeded by service, version, action,
 * request parameters and the emulator's seed). Data looks plausible (ids with prefixes, IPs, dates
 * in the spec's format), optional members are sometimes absent, nullable ones sometimes `null`, and
 * some int64/uint64 members exceed 2^53 so that clients' lossless decoding is exercised.
 *
 * List responses page consistently: an action with `TotalCount` and a list answers a fixed total
 * (seeded by the action only) sliced by `Offset`/`Limit` or `PageNumber`/`PageSize`, and
 * `NextToken` actions hand out tokens until the end, so paginating clients terminate.
 *
 * @internal
 */
import type { Field, Shape, StructShape } from "./shape.js"

// ---------------------------------------------------------------------------------------------
// seeded randomness
// ---------------------------------------------------------------------------------------------

/** 32-bit FNV-1a of a string. */
export const hash32 = (s: string, seed = 0x811c9dc5): number => {
  let h = seed >>> 0
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** A small seeded generator (mulberry32). */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  pick<A>(xs: ReadonlyArray<A>): A {
    return xs[Math.floor(this.next() * xs.length)]
  }
  chance(p: number): boolean {
    return this.next() < p
  }
}

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

/** `n` lower-case alphanumerics. */
export const alnum = (rng: Rng, n: number): string => {
  let s = ""
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(rng.next() * 36)]
  return s
}

// ---------------------------------------------------------------------------------------------
// values
// ---------------------------------------------------------------------------------------------

const WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper", "kestrel", "lotus", "maple", "nova"]
const STATES = ["NORMAL", "RUNNING", "ACTIVE", "AVAILABLE", "SUCCESS"]
const ID_PREFIX: Readonly<Record<string, string>> = {
  Instance: "ins",
  Vpc: "vpc",
  Subnet: "subnet",
  Disk: "disk",
  Image: "img",
  SecurityGroup: "sg",
  Snapshot: "snap",
  Task: "task",
  Project: "proj",
  Cluster: "cls",
  User: "user",
  Role: "role",
  Key: "skey",
  RouteTable: "rtb",
  NetworkInterface: "eni",
  Address: "eip",
  Certificate: "cert"
}
const BIG_ID = /(Id|ID|Ids|IDs|Uin|Seq|Sequence)$/
const SMALL_INT = /(Count|Total|Num|Number|Offset|Limit|Page|Size|Port|Percent|Ratio|Days|Hours|Minutes|Seconds|Period|Status|State|Type|Flag|Code|Level|Mode|Version)/

const pad = (n: number): string => (n < 10 ? "0" : "") + n

const dateParts = (rng: Rng) => {
  const t = Date.UTC(2021, 0, 1) + rng.int(0, 5 * 365 * 86400) * 1000
  const d = new Date(t)
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  }
}

const stringFor = (name: string, shape: Extract<Shape, { _tag: "String" }>, rng: Rng): string => {
  const fmt = shape.format
  if (fmt === "datetime" || (fmt === undefined && /(Time|Date)$/.test(name) && !/Zone/.test(name))) {
    const p = dateParts(rng)
    return `${p.date} ${p.time}`
  }
  if (fmt === "datetime_iso") {
    const p = dateParts(rng)
    return `${p.date}T${p.time}Z`
  }
  if (fmt === "date") return dateParts(rng).date
  if (name === "Region") return rng.pick(["ap-guangzhou", "ap-shanghai", "ap-beijing"])
  if (name === "Zone") return rng.pick(["ap-guangzhou-3", "ap-guangzhou-6", "ap-shanghai-2"])
  if (/I[Pp](v4)?(Address)?$|PrivateIp|PublicIp|Vip$/.test(name)) return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
  if (/(Id|ID)$/.test(name)) {
    const base = name.replace(/(Id|ID)$/, "")
    const prefix = ID_PREFIX[base] ?? (base.replace(/[^A-Za-z]/g, "").toLowerCase().slice(0, 6) || "id")
    return `${prefix}-${alnum(rng, 8)}`
  }
  if (/(State|Status)$/.test(name)) return rng.pick(STATES)
  if (/Name$/.test(name)) return `${rng.pick(WORDS)}-${rng.int(1, 99)}`
  if (/Cidr(Block)?$/.test(name)) return `10.${rng.int(0, 255)}.0.0/16`
  return `${rng.pick(WORDS)}${rng.int(0, 999)}`
}

const TWO_53 = 2n ** 53n

const intFor = (name: string, unsigned: boolean, rng: Rng): number | bigint => {
  const idLike = BIG_ID.test(name) && !SMALL_INT.test(name)
  if (idLike ? rng.chance(0.5) : !SMALL_INT.test(name) && rng.chance(1 / 16)) {
    // beyond 2^53: exercises lossless decoding (int64 also negative, sometimes)
    const big = TWO_53 + BigInt(rng.int(1, 2 ** 30)) * BigInt(rng.int(1, 2 ** 20))
    return !unsigned && rng.chance(0.25) ? -big : big
  }
  if (/Port$/.test(name)) return rng.int(1, 65535)
  return rng.int(0, /Count|Total|Num/.test(name) ? 100 : 10000)
}

/** Generation options. */
export interface GenOptions {
  /** Emit `null` for some nullable members. */
  readonly nulls: boolean
  /** Omit some optional members. */
  readonly omitOptional: boolean
}

const DEFAULT_GEN: GenOptions = { nulls: true, omitOptional: true }

/** A value of a shape; `name` is the member name (guides plausible values). */
export const value = (shape: Shape, name: string, rng: Rng, depth = 0, opts: GenOptions = DEFAULT_GEN): unknown => {
  switch (shape._tag) {
    case "String":
      return stringFor(name, shape, rng)
    case "Int":
      return intFor(name, shape.unsigned, rng)
    case "Float":
      return Math.round(rng.next() * 100000) / 100
    case "Boolean":
      return rng.chance(0.5)
    case "Binary":
      return ""
    case "Literal":
      return rng.pick(shape.values)
    case "Any":
      return null
    case "Array": {
      const n = depth > 4 ? 0 : rng.int(depth === 0 ? 1 : 0, 3)
      const out: Array<unknown> = []
      const itemName = name.replace(/(Set|List|s)$/, "")
      for (let i = 0; i < n; i++) out.push(value(shape.item, itemName, rng, depth + 1, opts))
      return out
    }
    case "Struct":
      return struct(shape, rng, depth, opts)
  }
}

const struct = (shape: StructShape, rng: Rng, depth: number, opts: GenOptions): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (depth > 12) return out
  for (const f of shape.fields) {
    if (f.optional && (depth > 4 || (opts.omitOptional && rng.chance(0.25)))) continue
    out[f.name] = member(f, rng, depth, opts)
  }
  return out
}

const member = (f: Field, rng: Rng, depth: number, opts: GenOptions): unknown =>
  f.nullable && opts.nulls && rng.chance(0.15) ? null : value(f.shape, f.name, rng, depth + 1, opts)

/**
 * Complete a hand-built value so that it has every member the shape requires: missing required
 * members are generated, present ones are completed recursively, extra keys are kept.
 */
export const complete = (shape: Shape, v: unknown, rng: Rng, depth = 0): unknown => {
  if (shape._tag === "Struct" && typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    for (const f of shape.fields) {
      const cur = o[f.name]
      if (cur === undefined) {
        if (!f.optional) o[f.name] = f.nullable ? null : value(f.shape, f.name, rng, depth + 1, { nulls: false, omitOptional: true })
      } else if (cur !== null) {
        o[f.name] = complete(f.shape, cur, rng, depth + 1)
      }
    }
    return o
  }
  if (shape._tag === "Array" && Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = complete(shape.item, v[i], rng, depth + 1)
  }
  return v
}

// ---------------------------------------------------------------------------------------------
// whole responses
// ---------------------------------------------------------------------------------------------

const num = (v: unknown): number | undefined => {
  if (typeof v === "number" && Number.isFinite(v)) return Math.floor(v)
  if (typeof v === "bigint") return Number(v)
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v)
  return undefined
}

/**
 * A response body (`Response` members, without `RequestId`) for an action the emulator does not
 * model. `seed` mixes the emulator's seed; `params` are the decoded request parameters.
 */
export const response = (
  output: Shape,
  key: string,
  requestKey: string,
  params: Readonly<Record<string, unknown>>,
  seed: number
): Record<string, unknown> => {
  if (output._tag !== "Struct") return {}
  const rng = new Rng(hash32(requestKey, hash32(key, seed)))
  const out: Record<string, unknown> = {}
  const list = output.fields.find((f) => f.shape._tag === "Array" && f.shape.item._tag === "Struct")
  const total = output.byName.get("TotalCount") ?? output.byName.get("Total")
  const nextToken = output.byName.get("NextToken")
  const paged = list !== undefined && (total?.shape._tag === "Int" || nextToken?.shape._tag === "String")
  let pageState: { readonly from: number; readonly to: number; readonly n: number } | undefined
  if (paged) {
    // a fixed population per action, sliced by the request's paging parameters
    const n = new Rng(hash32(key, seed)).int(0, 24)
    const pageSize = num(params.PageSize)
    const limitRaw = num(params.Limit) ?? num(params.MaxResults) ?? pageSize ?? 20
    const limit = Math.max(1, Math.min(limitRaw, 1000))
    let from = num(params.Offset) ?? 0
    if (params.PageNumber !== undefined && pageSize !== undefined) from = Math.max(0, ((num(params.PageNumber) ?? 1) - 1) * pageSize)
    if (typeof params.NextToken === "string" && /^t:\d+$/.test(params.NextToken)) from = Number(params.NextToken.slice(2))
    else if (nextToken?.shape._tag === "Int" && num(params.NextToken) !== undefined) from = num(params.NextToken)!
    pageState = { from, to: Math.min(n, from + limit), n }
  }
  for (const f of output.fields) {
    if (f.name === "RequestId") continue
    if (pageState !== undefined && f === list) {
      const items: Array<unknown> = []
      const item = (f.shape as Extract<Shape, { _tag: "Array" }>).item
      for (let i = pageState.from; i < pageState.to; i++) {
        items.push(value(item, f.name.replace(/(Set|List|s)$/, ""), new Rng(hash32(`${i}`, hash32(key, seed))), 1))
      }
      out[f.name] = items
      continue
    }
    if (pageState !== undefined && f === total) {
      out[f.name] = pageState.n
      continue
    }
    if (pageState !== undefined && f === nextToken) {
      const more = pageState.to < pageState.n
      out[f.name] = f.shape._tag === "Int" ? (more ? pageState.to : 0) : more ? `t:${pageState.to}` : f.nullable ? null : ""
      continue
    }
    if (f.optional && rng.chance(0.2)) continue
    out[f.name] = member(f, rng, 0, DEFAULT_GEN)
  }
  return out
}
