/**
 * What the package covers, from code: every service, its API versions and their actions. The
 * services and versions are known without loading anything; a version's actions are read from its
 * generated module, loaded on demand (`import()`), so a program that lists one service does not
 * load the others. The same list, as a page: docs/service-list.md.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Registry from "effect-tencentcloud/Registry"
 *
 * const program = Effect.gen(function* () {
 *   console.log(Registry.services.length, Registry.versions("cvm"), Registry.latestVersion("cvm"))
 *   const actions = yield* Registry.actions("cvm") // the latest version's actions
 *   console.log(actions.filter((a) => a.name.startsWith("Describe")).map((a) => a.name))
 * })
 * ```
 *
 * Import it only where you need it: it refers to every generated module (each loaded lazily).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { RequestValidationError } from "./Errors.js"
import { services as loaders } from "./generated/_registry.js"

/** Every service's short name (`cvm`, `vpc`, `cbs`, ...), sorted. */
export const services: ReadonlyArray<string> = /*#__PURE__*/ Object.keys(loaders).sort()

/** The API versions of a service (`["2017-03-12"]`), oldest first; empty for an unknown service. */
export const versions = (service: string): ReadonlyArray<string> =>
  Object.prototype.hasOwnProperty.call(loaders, service) ? Object.keys(loaders[service]).sort() : []

/** The latest API version of a service (what `effect-tencentcloud/<service>` exports), if the service exists. */
export const latestVersion = (service: string): string | undefined => versions(service).at(-1)

/** The module path of a service version: `effect-tencentcloud/cvm/v20170312`. */
export const modulePath = (service: string, version: string): string => `effect-tencentcloud/${service}/v${version.replace(/-/g, "")}`

/** One action of a service version. */
export interface ActionInfo {
  readonly service: string
  readonly version: string
  /** The API's name, `DescribeInstances`; the generated function is its camelCase, `describeInstances`. */
  readonly name: string
  /** `online`, or `deprecated` for actions the API still serves but retires. */
  readonly status: string
}

interface GeneratedModule {
  readonly _actions: Readonly<Record<string, { readonly status?: string }>>
}

/**
 * The actions of a service version (default: the latest), sorted by name. An unknown service or
 * version fails with a `RequestValidationError` listing what exists.
 */
export const actions = (service: string, version?: string): Effect.Effect<ReadonlyArray<ActionInfo>, RequestValidationError> =>
  Effect.suspend(() => {
    const known = versions(service)
    if (known.length === 0) {
      return Effect.fail(
        RequestValidationError.make({ field: "service", problem: `no service named ${JSON.stringify(service)}`, fix: "use a name from Registry.services (lower case, e.g. \"cvm\")" })
      )
    }
    const v = version ?? known[known.length - 1]
    const load = loaders[service][v]
    if (load === undefined) {
      return Effect.fail(
        RequestValidationError.make({ service, field: "version", problem: `${service} has no API version ${JSON.stringify(v)}`, fix: `use one of ${known.join(", ")}` })
      )
    }
    return Effect.map(
      Effect.promise(() => load() as Promise<GeneratedModule>),
      (m) =>
        Object.keys(m._actions)
          .sort()
          .map((name) => ({ service, version: v, name, status: m._actions[name].status ?? "online" }))
    )
  })
