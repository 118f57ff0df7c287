/**
 * The API 2.0 module → host table. Every module lives at `<module>.api.qcloud.com` except the
 * few whose host differs from their name (`sec` → `csec.api.qcloud.com`); a client may add or
 * replace entries, and any well-formed module name is accepted unless the client asks for known
 * modules only.
 *
 * @internal
 */

/** The domain under which API 2.0 modules live. */
export const DEFAULT_BASE_DOMAIN = "api.qcloud.com"

/** The path every API 2.0 call goes to. */
export const DEFAULT_PATH = "/v2/index.php"

/** Modules whose host is not `<module>.<base domain>`: the module name → the first DNS label. */
export const HOST_LABELS: Readonly<Record<string, string>> = { sec: "csec" }

/**
 * Modules of the qcloudapi SDKs (the names their users pass). Only consulted when a client accepts
 * known modules only (`strictModules`).
 */
export const KNOWN_MODULES: ReadonlyArray<string> = [
  "account", "apigateway", "athena", "batch", "bgpip", "bill", "bm", "bmeip", "bmlb", "bmvpc", "cbs", "ccr",
  "ccs", "cdb", "cdn", "cloudaudit", "cmem", "cns", "cvm", "dc", "dfw", "eip", "emr", "feecenter", "image", "lb",
  "live", "market", "monitor", "partners", "redis", "scaling", "scf", "sec", "snapshot", "sts", "tbaas", "tdsql",
  "tmt", "trade", "vod", "vpc", "wenzhi", "yunsou"
]

/** A DNS label: lower-case letters, digits and inner hyphens, at most 63 characters. */
const MODULE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** A host, optionally with a port. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/i

/** Why a host (from the table or an override) is not usable, or `undefined`. */
export const checkHost = (host: string): string | undefined =>
  HOST.test(host) ? undefined : `${JSON.stringify(host)} is not a host name (optionally with :port)`

/** How a client resolves module names. */
export interface HostTable {
  /** Hosts given by the client, by module name (they win over the built-in table). */
  readonly hosts: Readonly<Record<string, string>>
  readonly baseDomain: string
  /** Accept only modules in {@link KNOWN_MODULES} or `hosts`. */
  readonly strict: boolean
}

/** The host of a module, or why the module name is refused. */
export const hostOf = (
  table: HostTable,
  module: string
): { readonly host: string } | { readonly problem: string; readonly fix: string } => {
  const given = Object.prototype.hasOwnProperty.call(table.hosts, module) ? table.hosts[module] : undefined
  if (given !== undefined) return { host: given }
  if (typeof module !== "string" || !MODULE_NAME.test(module)) {
    return {
      problem: `${JSON.stringify(module)} is not a module name`,
      fix: "use the lower-case module name of the API 2.0 documentation (a DNS label such as \"cvm\", \"cdb\" or \"sec\"), or map it to a host with the `hosts` option"
    }
  }
  if (table.strict && !KNOWN_MODULES.includes(module)) {
    return {
      problem: `the module \`${module}\` is not one of the known API 2.0 modules (${KNOWN_MODULES.join(", ")})`,
      fix: "check the spelling, or add it to the `hosts` option (or drop `strictModules`) to call it at its own host"
    }
  }
  return { host: `${HOST_LABELS[module] ?? module}.${table.baseDomain}` }
}
