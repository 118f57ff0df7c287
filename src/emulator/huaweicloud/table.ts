/**
 * The Huawei Cloud route table and its lookup by service, method and path.
 *
 * @internal
 */
import { fileRoutes } from "./files.js"
import { apiRoutes, type Route } from "./routes.js"

/** Every route. */
export const routes: ReadonlyArray<Route> = [...apiRoutes, ...fileRoutes]

/** Find the route of a service, method and path; path parameters decoded. */
export const findRoute = (
  service: string,
  method: string,
  path: string
): { readonly route: Route; readonly params: Record<string, string> } | { readonly methodNotAllowed: boolean } => {
  const segs = path.replace(/\/+$/, "").split("/")
  let pathMatched = false
  for (const r of routes) {
    if (r.service !== service) continue
    const pat = r.path.split("/")
    if (pat.length !== segs.length) continue
    const params: Record<string, string> = {}
    let ok = true
    for (let k = 0; k < pat.length && ok; k++) {
      const p = pat[k]
      if (p.startsWith("{") && p.endsWith("}")) {
        try {
          params[p.slice(1, -1)] = decodeURIComponent(segs[k])
        } catch {
          ok = false
        }
      } else ok = p === segs[k]
    }
    if (!ok) continue
    pathMatched = true
    if (r.method === method) return { route: r, params }
  }
  return { methodNotAllowed: pathMatched }
}
