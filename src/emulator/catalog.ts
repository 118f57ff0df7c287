/**
 * What the emulator knows about actions: which services, versions and actions exist, and the wire
 * shapes of their requests and responses.
 *
 * A catalog can be fed from the generated modules (`src/services/_registry.ts`, the default), from
 * a tccli `api.json` folder (the same format the generator reads), or from hand-made schemas in a
 * test. Lookups are synchronous once a service version is loaded, so the server's hot path does not
 * wait on a promise after the first call.
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import * as fs from "node:fs"
import * as path from "node:path"
import { fromAst, fromSpec, type Shape, type SpecObjects } from "./shape.js"

/** One action of one service version. */
export interface ActionDef {
  readonly service: string
  /** `YYYY-MM-DD`. */
  readonly version: string
  readonly action: string
  /** `online`, `deprecated` or `offline` (answers `ActionOffline`). */
  readonly status: string
  /** Wire shape of the request (memoised). */
  readonly input: () => Shape
  /** Wire shape of the response's `Response` object (memoised). */
  readonly output: () => Shape
  /**
   * The response schema's AST, when the action comes from a schema (generated modules,
   * `fromSchemas`): the emulator checks its answers against it in strict mode. Absent for actions
   * read from a tccli spec folder.
   */
  readonly outputAst?: (() => AST.AST) | undefined
}

/** The result of looking an action up. */
export type Lookup =
  | { readonly _tag: "Found"; readonly def: ActionDef }
  | { readonly _tag: "NoSuchService" }
  | { readonly _tag: "NoSuchVersion"; readonly versions: ReadonlyArray<string> }
  | { readonly _tag: "NoSuchAction"; readonly versions: ReadonlyArray<string> }

/** A source of action definitions. */
export interface ActionCatalog {
  /** Look an action up; a promise only while a service version is being loaded. */
  readonly lookup: (service: string, version: string, action: string) => Lookup | Promise<Lookup>
}

const NO_SERVICE: Lookup = { _tag: "NoSuchService" }

const memo = <A>(f: () => A): (() => A) => {
  let done = false
  let value: A
  return () => {
    if (!done) {
      value = f()
      done = true
    }
    return value
  }
}

/** A catalog that knows nothing (every service is unknown). */
export const empty: ActionCatalog = { lookup: () => NO_SERVICE }

// ---------------------------------------------------------------------------------------------
// generated modules
// ---------------------------------------------------------------------------------------------

/** What the emulator reads of a generated module's `_actions` entry. */
export interface GeneratedAction {
  readonly info?: { readonly service?: string; readonly version?: string; readonly action?: string } | undefined
  readonly input: () => Schema.Schema.Any
  readonly output: () => Schema.Schema.Any
  readonly status?: string | undefined
}

/** A generated service-version module. */
export interface GeneratedModule {
  readonly _actions: Readonly<Record<string, GeneratedAction>>
}

/** `services` of `src/services/_registry.ts`: short name → `YYYY-MM-DD` → module loader. */
export type Registry = Readonly<Record<string, Readonly<Record<string, () => Promise<unknown>>>>>

const defsOfModule = (service: string, version: string, mod: GeneratedModule): Map<string, ActionDef> => {
  const out = new Map<string, ActionDef>()
  for (const name of Object.keys(mod._actions ?? {})) {
    const a = mod._actions[name]
    out.set(name, {
      service,
      version,
      action: name,
      status: a.status ?? "online",
      input: memo(() => fromAst(a.input().ast)),
      output: memo(() => fromAst(a.output().ast)),
      outputAst: memo(() => a.output().ast)
    })
  }
  return out
}

/**
 * A catalog over the generated registry: each service version's module is imported on first use
 * (a promise that once), then answered synchronously.
 */
export const fromRegistry = (services: Registry | (() => Promise<Registry>)): ActionCatalog => {
  let registry: Registry | undefined = typeof services === "function" ? undefined : services
  let registryPromise: Promise<Registry> | undefined
  const loaded = new Map<string, Map<string, ActionDef>>()
  const loading = new Map<string, Promise<Map<string, ActionDef>>>()

  const fromRegistryNow = (reg: Registry, service: string, version: string, action: string): Lookup | Promise<Lookup> => {
    const versions = reg[service]
    if (versions === undefined || !Object.prototype.hasOwnProperty.call(reg, service)) return NO_SERVICE
    const names = Object.keys(versions)
    if (!Object.prototype.hasOwnProperty.call(versions, version)) return { _tag: "NoSuchVersion", versions: names }
    const key = `${service}@${version}`
    const found = (defs: Map<string, ActionDef>): Lookup => {
      const def = defs.get(action)
      return def === undefined ? { _tag: "NoSuchAction", versions: names } : { _tag: "Found", def }
    }
    const hit = loaded.get(key)
    if (hit !== undefined) return found(hit)
    let p = loading.get(key)
    if (p === undefined) {
      p = versions[version]().then(
        (mod) => {
          const defs = defsOfModule(service, version, mod as GeneratedModule)
          loaded.set(key, defs)
          loading.delete(key)
          return defs
        },
        (e) => {
          loading.delete(key)
          throw e
        }
      )
      loading.set(key, p)
    }
    return p.then(found)
  }

  return {
    lookup(service, version, action) {
      if (registry !== undefined) return fromRegistryNow(registry, service, version, action)
      registryPromise ??= (services as () => Promise<Registry>)().then((r) => (registry = r))
      return registryPromise.then((r) => fromRegistryNow(r, service, version, action))
    }
  }
}

/**
 * The generated registry of this package (`src/generated/_registry.ts`), imported lazily; an empty
 * catalog while it does not exist (e.g. before the generator has run).
 */
export const generated = (): ActionCatalog =>
  fromRegistry(() => {
    return import("../generated/_registry.js").then(
      (m: { services?: Registry }) => m.services ?? {},
      () => ({})
    )
  })

// ---------------------------------------------------------------------------------------------
// tccli api.json folders
// ---------------------------------------------------------------------------------------------

interface SpecFile {
  readonly metadata: { readonly apiVersion: string; readonly serviceShortName: string }
  readonly actions: Readonly<Record<string, { readonly input: string; readonly output: string; readonly status?: string }>>
  readonly objects: SpecObjects
}

/**
 * A catalog read from a tccli-format folder (`<dir>/<service>/<vYYYYMMDD>/api.json`, e.g. a tccli
 * installation's `services` folder). Files are read on first use of a service version.
 */
export const fromSpecDir = (dir: string): ActionCatalog => {
  const versionsOf = new Map<string, ReadonlyArray<{ readonly version: string; readonly file: string }> | undefined>()
  const loaded = new Map<string, Map<string, ActionDef>>()
  const dirOf = (service: string): string => (service === "as" ? "autoscaling" : service)
  const listVersions = (service: string) => {
    if (versionsOf.has(service)) return versionsOf.get(service)
    let out: Array<{ version: string; file: string }> | undefined
    if (/^[a-z0-9_-]+$/i.test(service)) {
      try {
        const base = path.join(dir, dirOf(service))
        out = fs
          .readdirSync(base)
          .filter((v) => /^v\d{8}$/.test(v))
          .map((v) => ({ version: `${v.slice(1, 5)}-${v.slice(5, 7)}-${v.slice(7, 9)}`, file: path.join(base, v, "api.json") }))
        if (out.length === 0) out = undefined
      } catch {
        out = undefined
      }
    }
    versionsOf.set(service, out)
    return out
  }
  return {
    lookup(service, version, action) {
      const versions = listVersions(service)
      if (versions === undefined) return NO_SERVICE
      const names = versions.map((v) => v.version)
      const entry = versions.find((v) => v.version === version)
      if (entry === undefined) return { _tag: "NoSuchVersion", versions: names }
      let defs = loaded.get(entry.file)
      if (defs === undefined) {
        defs = new Map()
        try {
          const spec = JSON.parse(fs.readFileSync(entry.file, "utf8")) as SpecFile
          for (const name of Object.keys(spec.actions)) {
            const a = spec.actions[name]
            defs.set(name, {
              service,
              version,
              action: name,
              status: a.status ?? "online",
              input: memo(() => fromSpec(spec.objects, a.input, "input")),
              output: memo(() => fromSpec(spec.objects, a.output, "output"))
            })
          }
        } catch {
          // unreadable file: the version has no actions
        }
        loaded.set(entry.file, defs)
      }
      const def = defs.get(action)
      return def === undefined ? { _tag: "NoSuchAction", versions: names } : { _tag: "Found", def }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// hand-made schemas (tests) and combinations
// ---------------------------------------------------------------------------------------------

/** One service version described with schemas. */
export interface SchemaService {
  readonly service: string
  readonly version: string
  readonly actions: Readonly<Record<string, { readonly input: Schema.Schema.Any; readonly output: Schema.Schema.Any; readonly status?: string }>>
}

/** A catalog from schemas given directly (test fixtures). */
export const fromSchemas = (services: ReadonlyArray<SchemaService>): ActionCatalog => {
  const reg: Record<string, Record<string, () => Promise<unknown>>> = {}
  const mods = new Map<string, Map<string, ActionDef>>()
  for (const s of services) {
    const mod: GeneratedModule = {
      _actions: Object.fromEntries(
        Object.entries(s.actions).map(([k, v]) => [k, { input: () => v.input, output: () => v.output, status: v.status }])
      )
    }
    ;(reg[s.service] ??= {})[s.version] = () => Promise.resolve(mod)
    mods.set(`${s.service}@${s.version}`, defsOfModule(s.service, s.version, mod))
  }
  return {
    lookup(service, version, action) {
      const versions = Object.prototype.hasOwnProperty.call(reg, service) ? reg[service] : undefined
      if (versions === undefined) return NO_SERVICE
      const defs = mods.get(`${service}@${version}`)
      if (defs === undefined) return { _tag: "NoSuchVersion", versions: Object.keys(versions) }
      const def = defs.get(action)
      return def === undefined ? { _tag: "NoSuchAction", versions: Object.keys(versions) } : { _tag: "Found", def }
    }
  }
}

const merge = (results: ReadonlyArray<Lookup>): Lookup => {
  let versions: Array<string> | undefined
  let action = false
  for (const r of results) {
    if (r._tag === "Found") return r
    if (r._tag === "NoSuchAction") action = true
    if (r._tag !== "NoSuchService") {
      versions ??= []
      for (const v of r.versions) if (!versions.includes(v)) versions.push(v)
    }
  }
  if (versions === undefined) return NO_SERVICE
  return action ? { _tag: "NoSuchAction", versions } : { _tag: "NoSuchVersion", versions }
}

/** Ask catalogs in order; the first that finds the action wins. */
export const combine = (...catalogs: ReadonlyArray<ActionCatalog>): ActionCatalog => ({
  lookup(service, version, action) {
    const results: Array<Lookup | Promise<Lookup>> = []
    for (const c of catalogs) {
      const r = c.lookup(service, version, action)
      if (!(r instanceof Promise) && r._tag === "Found") return r
      results.push(r)
    }
    if (results.some((r) => r instanceof Promise)) return Promise.all(results).then(merge)
    return merge(results as Array<Lookup>)
  }
})
