/**
 * Fault injection: rules that match requests by service, action, region and Host (globs), fire
 * with a seeded probability and/or for the next N matches, and make the emulator misbehave the way
 * networks and overloaded services do.
 *
 * Latency rules add up and the request then proceeds; the first other matching rule decides the
 * answer. Rules come from code (`handle.faults.add`), a JSON file, or `--fault` flags:
 *
 * ```
 * --fault "action=DescribeInstances,kind=error,code=RequestLimitExceeded,times=2"
 * --fault "host=cvm.ap-guangzhou.*,kind=http,status=503"
 * --fault "service=cvm,kind=latency,ms=200,probability=0.5"
 * ```
 *
 * @since 0.1.0
 */
import { hash32, Rng } from "./generate.js"

/** What a rule does. */
export type Fault =
  /** Wait this long, then answer normally (adds up with other latency rules). */
  | { readonly kind: "latency"; readonly ms: number }
  /** An API error in the envelope with HTTP 200, e.g. `RequestLimitExceeded`, `InternalError`. */
  | { readonly kind: "error"; readonly code: string; readonly message?: string | undefined }
  /** An HTTP error status (500/502/503/...) with an HTML body, as a gateway sends. */
  | { readonly kind: "http"; readonly status: number; readonly body?: string | undefined }
  /** Reset the connection before answering (the request is not processed). */
  | { readonly kind: "reset" }
  /** Process the request, send the head and part of the body, then reset the connection. */
  | { readonly kind: "resetMidBody" }
  /** Process the request and answer with the JSON cut in half (Content-Length matches the cut). */
  | { readonly kind: "truncate" }
  /** Process the request and dribble the body over `ms` milliseconds. */
  | { readonly kind: "slowBody"; readonly ms: number }
  /** Process the request and answer with another Content-Type (default `text/html`). */
  | { readonly kind: "contentType"; readonly contentType?: string | undefined }

/** A fault rule. Omitted selectors match everything. */
export interface FaultRule {
  /** Service short name glob (`cvm`, `c*`). */
  readonly service?: string | undefined
  /** Action glob (`DescribeInstances`, `Describe*`). */
  readonly action?: string | undefined
  /** Region glob (`ap-guangzhou`). */
  readonly region?: string | undefined
  /** Host header glob without port (`cvm.ap-guangzhou.tencentcloudapi.com`, `*.ap-guangzhou.*`). */
  readonly host?: string | undefined
  /** Fire with this probability (seeded; default 1). */
  readonly probability?: number | undefined
  /** Fire for the next N matching requests only, then the rule retires (default: forever). */
  readonly times?: number | undefined
  readonly fault: Fault
}

/** Where a request is going, as far as known when faults are decided. */
export interface FaultTarget {
  readonly service: string | undefined
  readonly action: string | undefined
  readonly region: string | undefined
  /** Host header without port, lower-case. */
  readonly host: string
}

/** The decision for one request. */
export interface FaultDecision {
  readonly latencyMs: number
  readonly fault: Exclude<Fault, { kind: "latency" }> | undefined
  /** Ids of the rules that fired. */
  readonly fired: ReadonlyArray<string>
}

const NONE: FaultDecision = { latencyMs: 0, fault: undefined, fired: [] }

/** Programmatic control of the rules. */
export interface FaultControl {
  /** Add a rule; returns its id. */
  readonly add: (rule: FaultRule) => string
  /** Remove a rule by id. */
  readonly remove: (id: string) => void
  /** Remove every rule. */
  readonly clear: () => void
  /** The active rules with what remains of their `times`. */
  readonly list: () => ReadonlyArray<{ readonly id: string; readonly rule: FaultRule; readonly remaining: number | undefined }>
}

const globRegex = (glob: string, flags: string): RegExp =>
  new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", flags)

interface Entry {
  readonly id: string
  readonly rule: FaultRule
  readonly service: RegExp | undefined
  readonly action: RegExp | undefined
  readonly region: RegExp | undefined
  readonly host: RegExp | undefined
  remaining: number | undefined
}

/** A rule set with seeded randomness. */
export class FaultRules implements FaultControl {
  private entries: Array<Entry> = []
  private next = 1
  private rng: Rng

  constructor(seed: number) {
    this.rng = new Rng(hash32("faults", seed))
  }

  readonly add = (rule: FaultRule): string => {
    const bad = checkRule(rule)
    if (bad !== undefined) throw new TypeError(`invalid fault rule: ${bad}`)
    const id = `fault-${this.next++}`
    this.entries.push({
      id,
      rule,
      service: rule.service === undefined ? undefined : globRegex(rule.service, ""),
      action: rule.action === undefined ? undefined : globRegex(rule.action, ""),
      region: rule.region === undefined ? undefined : globRegex(rule.region, ""),
      host: rule.host === undefined ? undefined : globRegex(rule.host.toLowerCase(), "i"),
      remaining: rule.times
    })
    return id
  }

  readonly remove = (id: string): void => {
    this.entries = this.entries.filter((e) => e.id !== id)
  }

  readonly clear = (): void => {
    this.entries = []
  }

  readonly list = () => this.entries.map((e) => ({ id: e.id, rule: e.rule, remaining: e.remaining }))

  /** Decide the faults of one request (consumes `times` and randomness). */
  decide(t: FaultTarget): FaultDecision {
    if (this.entries.length === 0) return NONE
    let latency = 0
    let fault: FaultDecision["fault"]
    const fired: Array<string> = []
    for (const e of this.entries) {
      if (fault !== undefined && e.rule.fault.kind !== "latency") continue
      if (!matches(e.service, t.service) || !matches(e.action, t.action) || !matches(e.region, t.region) || !matches(e.host, t.host)) continue
      if (e.remaining !== undefined && e.remaining <= 0) continue
      if (e.rule.probability !== undefined && e.rule.probability < 1 && !this.rng.chance(e.rule.probability)) continue
      if (e.remaining !== undefined) e.remaining--
      fired.push(e.id)
      if (e.rule.fault.kind === "latency") latency += e.rule.fault.ms
      else fault = e.rule.fault
    }
    this.entries = this.entries.filter((e) => e.remaining === undefined || e.remaining > 0)
    return fired.length === 0 ? NONE : { latencyMs: latency, fault, fired }
  }
}

const matches = (re: RegExp | undefined, v: string | undefined): boolean => re === undefined || (v !== undefined && re.test(v))

const KINDS = new Set(["latency", "error", "http", "reset", "resetMidBody", "truncate", "slowBody", "contentType"])

/** Why a rule is invalid, or `undefined`. */
export const checkRule = (rule: FaultRule): string | undefined => {
  if (typeof rule !== "object" || rule === null) return "a rule must be an object"
  const f = rule.fault as Fault | undefined
  if (f === undefined || typeof f !== "object" || !KINDS.has(f.kind)) return `unknown fault kind ${JSON.stringify((f as any)?.kind)}; use one of ${[...KINDS].join(", ")}`
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) return "probability must be between 0 and 1"
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 0)) return "times must be a non-negative integer"
  for (const k of ["service", "action", "region", "host"] as const) {
    if (rule[k] !== undefined && typeof rule[k] !== "string") return `${k} must be a glob string`
  }
  switch (f.kind) {
    case "latency":
    case "slowBody":
      if (!(typeof f.ms === "number" && f.ms >= 0)) return `${f.kind} needs ms >= 0`
      break
    case "error":
      if (typeof f.code !== "string" || f.code === "") return "error needs a code (e.g. RequestLimitExceeded)"
      break
    case "http":
      if (!(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599)) return "http needs a status between 100 and 599"
      break
  }
  return undefined
}

const num = (s: string | undefined): number | undefined => (s === undefined || s === "" || Number.isNaN(Number(s)) ? undefined : Number(s))

/**
 * Parse a rule from a flag: comma-separated `key=value` (`service`, `action`, `region`, `host`,
 * `probability`, `times`, `kind`, and the kind's own keys `ms`, `code`, `message`, `status`,
 * `body`, `contentType`). Values cannot contain commas.
 */
export const parseFlag = (spec: string): FaultRule | string => {
  const kv: Record<string, string> = {}
  for (const part of spec.split(",")) {
    const t = part.trim()
    if (t === "") continue
    const i = t.indexOf("=")
    if (i <= 0) return `"${t}" is not key=value`
    kv[t.slice(0, i).trim()] = t.slice(i + 1).trim()
  }
  return fromFlat(kv)
}

/** A rule from flat fields (flags, or JSON rules written without a `fault` object). */
const fromFlat = (kv: Readonly<Record<string, unknown>>): FaultRule | string => {
  const s = (k: string) => (kv[k] === undefined ? undefined : String(kv[k]))
  const kind = s("kind")
  let fault: Fault
  switch (kind) {
    case "latency":
      fault = { kind, ms: num(s("ms")) ?? NaN }
      break
    case "slowBody":
      fault = { kind, ms: num(s("ms")) ?? NaN }
      break
    case "error":
      fault = { kind, code: s("code") ?? "", message: s("message") }
      break
    case "http":
      fault = { kind, status: num(s("status")) ?? NaN, body: s("body") }
      break
    case "contentType":
      fault = { kind, contentType: s("contentType") }
      break
    case "reset":
    case "resetMidBody":
    case "truncate":
      fault = { kind }
      break
    default:
      return `unknown fault kind ${JSON.stringify(kind)}; use one of ${[...KINDS].join(", ")}`
  }
  const rule: FaultRule = {
    service: s("service"),
    action: s("action"),
    region: s("region"),
    host: s("host"),
    probability: num(s("probability")),
    times: num(s("times")),
    fault
  }
  return checkRule(rule) ?? rule
}

/**
 * Parse rules from JSON text: an array (or `{ "rules": [...] }`) of rules, each either
 * `{ ..., "fault": { "kind": ... } }` or flat `{ ..., "kind": ..., "ms": ... }`.
 */
export const parseJson = (text: string): ReadonlyArray<FaultRule> | string => {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    return `not valid JSON: ${(e as Error).message}`
  }
  const list = Array.isArray(data) ? data : (data as { rules?: unknown })?.rules
  if (!Array.isArray(list)) return "expected an array of rules (or {\"rules\": [...]})"
  const out: Array<FaultRule> = []
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as Record<string, unknown>
    const rule = r !== null && typeof r === "object" && typeof r.fault === "object" ? (r as unknown as FaultRule) : fromFlat(r ?? {})
    if (typeof rule === "string") return `rule ${i}: ${rule}`
    const bad = checkRule(rule)
    if (bad !== undefined) return `rule ${i}: ${bad}`
    out.push(rule)
  }
  return out
}
