/**
 * Shared plumbing of the emulator's stateful services: the world (per-region resources, seeded ids,
 * the clock), handler signatures, API failures, and `Filters` matching.
 *
 * Time is read from the injected clock on every request; resources in transition (an instance
 * `PENDING` → `RUNNING`) settle lazily when read, so tests drive transitions by moving the clock.
 *
 * @internal
 */
import { alnum, hash32, Rng } from "../generate.js"

/** An API error answered with HTTP 200 in the envelope. */
export class ApiFailure {
  readonly _tag = "ApiFailure"
  constructor(
    readonly code: string,
    readonly message: string
  ) {}
}

/** The request as a handler sees it. */
export interface HandlerContext {
  readonly service: string
  readonly action: string
  readonly region: string
  /** Decoded (and validated, when the spec is known) request parameters. */
  readonly params: Readonly<Record<string, any>>
  readonly requestId: string
  /** The emulator clock, ms since the epoch. */
  readonly now: number
  /** The caller's SecretId (absent for unsigned requests). */
  readonly secretId: string | undefined
}

/** A stateful action: the `Response` members (without `RequestId`) or a failure. */
export type Handler = (ctx: HandlerContext) => Record<string, unknown> | ApiFailure

/** How long transitions take (ms); `0` settles at once. */
export interface Timings {
  /** `PENDING` → `RUNNING` after RunInstances. */
  readonly launch: number
  /** `STARTING` → `RUNNING`. */
  readonly start: number
  /** `STOPPING` → `STOPPED`. */
  readonly stop: number
  /** `REBOOTING` → `RUNNING`. */
  readonly reboot: number
  /** `TERMINATING` → gone. */
  readonly terminate: number
  /** Disk `ATTACHING` → `ATTACHED`. */
  readonly attach: number
  /** Disk `DETACHING` → `UNATTACHED`. */
  readonly detach: number
}

export const defaultTimings: Timings = { launch: 1000, start: 1000, stop: 1000, reboot: 1000, terminate: 1000, attach: 500, detach: 500 }

/** A tag as the API shows it. */
export interface TagRec {
  readonly Key: string
  readonly Value: string
}

/** The mutable world. */
export class World {
  /** Per-service, per-region stores, created on demand. */
  private readonly stores = new Map<string, unknown>()
  private readonly ids = new Set<string>()
  private rng: Rng

  constructor(
    readonly seed: number,
    readonly timings: Timings
  ) {
    this.rng = new Rng(hash32("world", seed))
  }

  /** A fresh, seeded id `prefix-xxxxxxxx`. */
  id(prefix: string, n = 8): string {
    for (;;) {
      const id = `${prefix}-${alnum(this.rng, n)}`
      if (!this.ids.has(id)) {
        this.ids.add(id)
        return id
      }
    }
  }

  /** A seeded random string of `n` characters from `alphabet`. */
  text(n: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"): string {
    let s = ""
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rng.next() * alphabet.length)]
    return s
  }

  /** A seeded public IPv4 address. */
  publicIp(): string {
    return `43.${this.rng.int(128, 159)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`
  }

  /** A seeded UUID-shaped string. */
  uuid(): string {
    const h = this.text(32, "0123456789abcdef")
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
  }

  /** The store of a service in a region (`""` for global services). */
  store<S>(service: string, region: string, make: () => S): S {
    const k = `${service}|${region}`
    let s = this.stores.get(k) as S | undefined
    if (s === undefined) {
      s = make()
      this.stores.set(k, s)
    }
    return s
  }

  /** Every region that has a store for a service. */
  regions(service: string): Array<string> {
    const out: Array<string> = []
    for (const k of this.stores.keys()) if (k.startsWith(service + "|")) out.push(k.slice(service.length + 1))
    return out
  }

  /** Forget everything (ids restart from the seed). */
  reset(): void {
    this.stores.clear()
    this.ids.clear()
    this.rng = new Rng(hash32("world", this.seed))
  }
}

// ---------------------------------------------------------------------------------------------
// helpers for handlers
// ---------------------------------------------------------------------------------------------

/** ISO-8601 UTC without milliseconds (`2024-05-01T08:00:00Z`). */
export const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

/** `YYYY-MM-DD HH:mm:ss` in UTC+8, as the console APIs write local datetimes. */
export const localDatetime = (ms: number): string => {
  const d = new Date(ms + 8 * 3600_000).toISOString()
  return `${d.slice(0, 10)} ${d.slice(11, 19)}`
}

/** A list of strings parameter (validated already when the spec is known). */
export const strings = (v: unknown): Array<string> => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [])

/** An integer parameter that may arrive as number, bigint or decimal text (VPC uses strings). */
export const intParam = (v: unknown, dflt: number): number | ApiFailure | undefined => {
  if (v === undefined || v === null || v === "") return dflt
  if (typeof v === "number") return v
  if (typeof v === "bigint") return Number(v)
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v)
  return undefined
}

/** Offset/Limit paging with the cloud's bounds. */
export const page = <A>(items: ReadonlyArray<A>, params: Readonly<Record<string, unknown>>, maxLimit = 100): Array<A> | ApiFailure => {
  const offset = intParam(params.Offset, 0)
  const limit = intParam(params.Limit, 20)
  if (offset instanceof ApiFailure || offset === undefined || offset < 0) {
    return new ApiFailure("InvalidParameterValue", `The value of parameter \`Offset\` must be a non-negative integer.`)
  }
  if (limit instanceof ApiFailure || limit === undefined || limit < 0) {
    return new ApiFailure("InvalidParameterValue", `The value of parameter \`Limit\` must be an integer between 0 and ${maxLimit}.`)
  }
  if (limit > maxLimit) {
    return new ApiFailure("InvalidParameterValue.LimitExceeded", `The value ${limit} of parameter \`Limit\` exceeds the maximum ${maxLimit}.`)
  }
  return items.slice(offset, offset + (limit === 0 ? 20 : limit))
}

/** A `Filter` of the request. */
interface FilterParam {
  readonly Name: string
  readonly Values: ReadonlyArray<string>
}

/** How a filter name reads a resource: the values it has for that name. */
export type FilterGetters<R> = Readonly<Record<string, (r: R) => ReadonlyArray<string> | string | boolean | number | undefined>>

/**
 * Apply `Filters` (AND across filters, OR across a filter's values). `tag-key`, `tag-value` and
 * `tag:<key>` work for any resource with tags. Unknown names are `unknownCode`.
 */
export const applyFilters = <R>(
  items: ReadonlyArray<R>,
  filters: unknown,
  getters: FilterGetters<R>,
  tagsOf: (r: R) => ReadonlyArray<TagRec>,
  unknownCode: string
): Array<R> | ApiFailure => {
  if (filters === undefined || filters === null) return [...items]
  if (!Array.isArray(filters)) return new ApiFailure("InvalidParameter", "The parameter `Filters` must be a list of {Name, Values}.")
  const fs = filters as ReadonlyArray<FilterParam>
  const preds: Array<(r: R) => boolean> = []
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i]
    if (typeof f?.Name !== "string" || !Array.isArray(f.Values)) {
      return new ApiFailure("InvalidParameter", `The parameter \`Filters.${i}\` must have \`Name\` and a list \`Values\`.`)
    }
    if (f.Values.length > 100) {
      return new ApiFailure("InvalidParameterValue.LimitExceeded", `The filter \`${f.Name}\` has ${f.Values.length} values; at most 100 are allowed.`)
    }
    const values = new Set(f.Values.map(String))
    if (f.Name === "tag-key") preds.push((r) => tagsOf(r).some((t) => values.has(t.Key)))
    else if (f.Name === "tag-value") preds.push((r) => tagsOf(r).some((t) => values.has(t.Value)))
    else if (f.Name.startsWith("tag:")) {
      const key = f.Name.slice(4)
      preds.push((r) => tagsOf(r).some((t) => t.Key === key && values.has(t.Value)))
    } else {
      const g = Object.prototype.hasOwnProperty.call(getters, f.Name) ? getters[f.Name] : undefined
      if (g === undefined) {
        return new ApiFailure(
          unknownCode,
          `The filter name \`${f.Name}\` is not supported. Supported: ${[...Object.keys(getters), "tag-key", "tag-value", "tag:<key>"].join(", ")}.`
        )
      }
      preds.push((r) => {
        const v = g(r)
        if (v === undefined) return false
        if (Array.isArray(v)) return v.some((x) => values.has(x))
        return values.has(String(v))
      })
    }
  }
  return items.filter((r) => preds.every((p) => p(r)))
}

/** Tags from `Tags: [{Key, Value}]`. */
export const tagsParam = (v: unknown): Array<TagRec> =>
  Array.isArray(v)
    ? v.filter((t) => t && typeof t.Key === "string").map((t) => ({ Key: t.Key as string, Value: typeof t.Value === "string" ? t.Value : "" }))
    : []

// ---------------------------------------------------------------------------------------------
// IPv4 CIDR arithmetic (VPC, subnets, private addresses)
// ---------------------------------------------------------------------------------------------

/** A parsed IPv4 CIDR block. */
export interface Cidr {
  readonly base: number
  readonly bits: number
  readonly text: string
}

/** Parse `a.b.c.d/n` (the base must be the network address). */
export const parseCidr = (s: unknown): Cidr | undefined => {
  if (typeof s !== "string") return undefined
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s)
  if (m === null) return undefined
  const o = [m[1], m[2], m[3], m[4]].map(Number)
  const bits = Number(m[5])
  if (o.some((x) => x > 255) || bits > 32) return undefined
  const base = ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  if ((base & mask) >>> 0 !== base) return undefined
  return { base, bits, text: s }
}

/** `a.b.c.d` of a 32-bit address. */
export const ipText = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`

/** Does `outer` contain `inner`? */
export const cidrContains = (outer: Cidr, inner: Cidr): boolean =>
  inner.bits >= outer.bits && (outer.bits === 0 || inner.base >>> (32 - outer.bits) === outer.base >>> (32 - outer.bits))

/** Do two blocks overlap? */
export const cidrOverlap = (a: Cidr, b: Cidr): boolean => cidrContains(a, b) || cidrContains(b, a)

/** Number of addresses in a block. */
export const cidrSize = (c: Cidr): number => 2 ** (32 - c.bits)
