/**
 * Huawei Cloud regions: a region id and one or more endpoints per service, found as the Huawei SDK
 * finds them — from code, from `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` variables (a
 * comma-separated list), from `~/.huaweicloud/regions.yaml` (or `HUAWEICLOUD_SDK_REGIONS_FILE`),
 * then from the public endpoint pattern `https://<service>.<region>.myhuaweicloud.com` — in that
 * order ({@link resolve}). A region with several endpoints fails over between them (`Client`).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { RequestValidationError } from "../Errors.js"

/** A region of one service: its id and its endpoints (the first is tried first). */
export interface Region {
  readonly id: string
  readonly endpoints: ReadonlyArray<string>
}

/** A region from code. */
export const make = (id: string, ...endpoints: ReadonlyArray<string>): Region => ({ id, endpoints })

const ID = /^[a-z]{2,}(-[a-z0-9]+)+$/

/** Check a region id (`cn-north-4`, `ap-southeast-1`). */
export const validateId = (id: string): Either.Either<string, RequestValidationError> =>
  ID.test(id)
    ? Either.right(id)
    : Either.left(RequestValidationError.make({ field: "region", problem: `${JSON.stringify(id)} is not a Huawei Cloud region id`, fix: "use an id such as cn-north-4 or ap-southeast-1" }))

/** Check an endpoint URL (`https://vpc.cn-north-4.myhuaweicloud.com[:port]`), normalised without a trailing `/`. */
export const validateEndpoint = (endpoint: string, field = "endpoint"): Either.Either<string, RequestValidationError> => {
  let url: URL
  try {
    url = new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`)
  } catch {
    return Either.left(RequestValidationError.make({ field, problem: `${JSON.stringify(endpoint)} is not a URL`, fix: "write it as https://<service>.<region>.myhuaweicloud.com" }))
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || (url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.username !== "") {
    return Either.left(RequestValidationError.make({ field, problem: `${JSON.stringify(endpoint)} must be a scheme and a host (and port) only`, fix: "remove any path, query or user info" }))
  }
  return Either.right(`${url.protocol}//${url.host}`)
}

/** The variable naming a service's endpoints in a region: `HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_9`. */
export const environmentVariable = (service: string, id: string): string =>
  `HUAWEICLOUD_SDK_REGION_${service.toUpperCase()}_${id.toUpperCase().replace(/-/g, "_")}`

/** The region from `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` (read through `Config`), if set. */
export const fromEnvironment = (service: string, id: string): Effect.Effect<Option.Option<Region>, RequestValidationError> =>
  Effect.gen(function* () {
    const name = environmentVariable(service, id)
    const v = yield* Effect.orElseSucceed(Config.option(Config.string(name)), () => Option.none<string>())
    if (Option.isNone(v) || v.value.trim() === "") return Option.none()
    const endpoints: Array<string> = []
    for (const e of v.value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
      endpoints.push(yield* validateEndpoint(e, name))
    }
    return Option.some({ id, endpoints })
  })

// -------------------------------------------------------------------------------------------------
// regions.yaml

/** Regions by upper-cased service name. */
export type RegionsFile = ReadonlyMap<string, ReadonlyArray<Region>>

const unquote = (s: string): string => {
  const t = s.trim()
  return (t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"')) ? t.slice(1, -1) : t
}

const stripComment = (line: string): string => {
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quote !== undefined) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') quote = c
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i)
  }
  return line
}

/**
 * Parse `regions.yaml`: services at the top level (any case), each a list of `id` with `endpoint`
 * and/or `endpoints` (a block or `[a, b]` list; `endpoints` first, then `endpoint`). Pure; a
 * malformed file fails with its name and line.
 *
 * ```yaml
 * ECS:
 *   - id: 'cn-north-9'
 *     endpoints:
 *       - 'https://ecs.cn-north-9.myhuaweicloud.com'
 *       - 'https://ecs.cn-north-9.example.com'
 * ```
 */
export const parseRegionsFile = (text: string, file: string): Either.Either<RegionsFile, RequestValidationError> => {
  const out = new Map<string, Array<Region>>()
  type Entry = { id?: string; endpoint?: string; endpoints: Array<string>; line: number; inEndpoints: boolean }
  let service: string | undefined
  let entry: Entry | undefined
  const bad = (line: number, problem: string) =>
    Either.left(RequestValidationError.make({ field: `${file}:${line}`, problem, fix: "see the regions.yaml format in docs/huaweicloud.md" }))
  const close = (): Either.Either<void, RequestValidationError> => {
    if (entry === undefined || service === undefined) return Either.right(undefined)
    if (entry.id === undefined) return bad(entry.line, "a region entry without an id")
    const raw = [...entry.endpoints, ...(entry.endpoint !== undefined ? [entry.endpoint] : [])]
    if (raw.length === 0) return bad(entry.line, `region ${entry.id} has no endpoint`)
    const endpoints: Array<string> = []
    for (const e of raw) {
      const v = validateEndpoint(e, `${file}:${entry.line}`)
      if (Either.isLeft(v)) return Either.left(v.left)
      endpoints.push(v.right)
    }
    out.get(service)!.push({ id: entry.id, endpoints })
    entry = undefined
    return Either.right(undefined)
  }
  const setKey = (key: string, value: string, line: number): Either.Either<void, RequestValidationError> => {
    if (entry === undefined) return bad(line, `"${key}" outside a region entry`)
    entry.inEndpoints = false
    if (key === "id") entry.id = unquote(value)
    else if (key === "endpoint") entry.endpoint = unquote(value)
    else if (key === "endpoints") {
      const v = value.trim()
      if (v.startsWith("[")) {
        if (!v.endsWith("]")) return bad(line, "an unclosed [ list")
        entry.endpoints.push(...v.slice(1, -1).split(",").map(unquote).filter((s) => s !== ""))
      } else if (v === "") entry.inEndpoints = true
      else entry.endpoints.push(unquote(v))
    } else return bad(line, `unknown key "${key}" (expected id, endpoint, endpoints)`)
    return Either.right(undefined)
  }
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const raw = stripComment(lines[i]).replace(/\s+$/, "")
    if (raw.trim() === "" || raw.trim() === "---") continue
    const indent = raw.length - raw.trimStart().length
    const body = raw.trim()
    if (indent === 0) {
      const m = /^([A-Za-z0-9_-]+)\s*:\s*$/.exec(body)
      if (m === null) return bad(lineNo, "expected a service name followed by a colon, e.g. ECS:")
      const closed = close()
      if (Either.isLeft(closed)) return Either.left(closed.left)
      service = m[1].toUpperCase()
      if (!out.has(service)) out.set(service, [])
      continue
    }
    if (service === undefined) return bad(lineNo, "an indented line before any service name")
    if (body.startsWith("- ") || body === "-") {
      const item = body.slice(1).trim()
      if (entry !== undefined && entry.inEndpoints && !/^[A-Za-z_]+\s*:/.test(item)) {
        entry.endpoints.push(unquote(item))
        continue
      }
      const closed = close()
      if (Either.isLeft(closed)) return Either.left(closed.left)
      entry = { endpoints: [], line: lineNo, inEndpoints: false }
      if (item === "") continue
      const kv = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(item)
      if (kv === null) return bad(lineNo, "expected \"- id: <region>\"")
      const set = setKey(kv[1], kv[2], lineNo)
      if (Either.isLeft(set)) return Either.left(set.left)
      continue
    }
    const kv = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(body)
    if (kv === null) return bad(lineNo, "expected \"key: value\"")
    const set = setKey(kv[1], kv[2], lineNo)
    if (Either.isLeft(set)) return Either.left(set.left)
  }
  const closed = close()
  return Either.isLeft(closed) ? Either.left(closed.left) : Either.right(out)
}

const fileCache = new Map<string, RegionsFile>()

/** The default regions file: `HUAWEICLOUD_SDK_REGIONS_FILE`, else `~/.huaweicloud/regions.yaml`. */
export const defaultRegionsFile: Effect.Effect<string | undefined> = Effect.gen(function* () {
  const env = yield* Effect.orElseSucceed(Config.option(Config.string("HUAWEICLOUD_SDK_REGIONS_FILE")), () => Option.none<string>())
  if (Option.isSome(env) && env.value !== "") return env.value
  const home = yield* Effect.promise(() => import("node:os").then((os) => os.homedir()).catch(() => undefined))
  return home === undefined ? undefined : `${home}/.huaweicloud/regions.yaml`
})

/**
 * The region from the regions file (default {@link defaultRegionsFile}). A missing file is no
 * region; a malformed one is an error. A file is parsed once per process (as the SDK does).
 */
export const fromProfile = (
  service: string,
  id: string,
  options: { readonly file?: string | undefined } = {}
): Effect.Effect<Option.Option<Region>, RequestValidationError> =>
  Effect.gen(function* () {
    const file = options.file ?? (yield* defaultRegionsFile)
    if (file === undefined) return Option.none()
    let parsed = fileCache.get(file)
    if (parsed === undefined) {
      const text = yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.readFile(file, "utf8")).catch(() => undefined))
      if (text === undefined) return Option.none()
      parsed = yield* parseRegionsFile(text, file)
      fileCache.set(file, parsed)
    }
    const found = (parsed.get(service.toUpperCase()) ?? []).find((r) => r.id === id)
    return Option.fromNullable(found)
  })

/** Forget parsed regions files (tests). */
export const clearFileCache = (): void => fileCache.clear()

/** The public endpoint of a service in a region: `https://<service>.<region>.myhuaweicloud.com`. */
export const publicEndpoint = (service: string, id: string): string => `https://${service}.${id}.myhuaweicloud.com`

/** Where a region's endpoints came from. */
export type RegionSource = "code" | "environment" | "profile" | "default"

/** Options of {@link resolve}. */
export interface ResolveOptions {
  /** Regions given in code, by service (lower case) or for every service (`"*"`). */
  readonly regions?: Readonly<Record<string, ReadonlyArray<Region>>> | undefined
  /** The regions file (default: {@link defaultRegionsFile}). */
  readonly regionsFile?: string | undefined
}

/** Find a service's region: code, then environment, then the regions file, then the public pattern. */
export const resolve = (
  service: string,
  id: string,
  options: ResolveOptions = {}
): Effect.Effect<Region & { readonly source: RegionSource }, RequestValidationError> =>
  Effect.gen(function* () {
    yield* validateId(id)
    const coded = (options.regions?.[service.toLowerCase()] ?? options.regions?.["*"] ?? []).find((r) => r.id === id)
    if (coded !== undefined) {
      const endpoints: Array<string> = []
      for (const e of coded.endpoints) endpoints.push(yield* validateEndpoint(e, `regions.${service}.${id}`))
      if (endpoints.length === 0) return yield* RequestValidationError.make({ field: `regions.${service}.${id}`, problem: "no endpoint", fix: "give at least one endpoint" })
      return { id, endpoints, source: "code" as const }
    }
    const env = yield* fromEnvironment(service, id)
    if (Option.isSome(env)) return { ...env.value, source: "environment" as const }
    const profile = yield* fromProfile(service, id, { file: options.regionsFile })
    if (Option.isSome(profile)) return { ...profile.value, source: "profile" as const }
    return { id, endpoints: [publicEndpoint(service, id)], source: "default" as const }
  })
