/**
 * Which protocol a request is for, decided cheaply: the protocol handlers are asked in order, and
 * everything no handler claims is API 3.0. A handler with `routing` is decided by its Host test
 * once per `Host` header (the result is kept, so no regular expression runs per request) and by
 * URL path prefixes (`startsWith`, only for a path other than `/`); a handler without it has its
 * `matches` asked every time.
 *
 * @internal
 */
import type * as http from "node:http"
import type { ProtocolHandler } from "./protocol.js"

/** What to ask for one Host, in the handlers' order, up to the first that claims the Host. */
type Step =
  | { readonly _tag: "Claimed"; readonly handler: ProtocolHandler }
  | { readonly _tag: "Paths"; readonly handler: ProtocolHandler; readonly paths: ReadonlyArray<string> }
  | { readonly _tag: "Ask"; readonly handler: ProtocolHandler }

interface Route {
  readonly hostname: string
  readonly steps: ReadonlyArray<Step>
}

const MAX_HOSTS = 4096

/** A router over `protocols`. */
export const makeRouter = (protocols: ReadonlyArray<ProtocolHandler>) => {
  const routes = new Map<string, Route>()

  const routeOf = (host: string): Route => {
    let route = routes.get(host)
    if (route === undefined) {
      // Host headers are few (one per endpoint in use); a flood of distinct ones only costs a rebuild
      if (routes.size >= MAX_HOSTS) routes.clear()
      routes.set(host, (route = build(host)))
    }
    return route
  }

  const build = (host: string): Route => {
    const hostname = host.replace(/:\d+$/, "").toLowerCase()
    const steps: Array<Step> = []
    for (const handler of protocols) {
      const r = handler.routing
      if (r === undefined) steps.push({ _tag: "Ask", handler })
      else if (r.host(hostname)) {
        steps.push({ _tag: "Claimed", handler })
        break
      } else if (r.paths !== undefined && r.paths.length > 0) steps.push({ _tag: "Paths", handler, paths: r.paths })
    }
    return { hostname, steps }
  }

  /** The handler of a request, or `undefined` for API 3.0. */
  const protocolOf = (req: http.IncomingMessage): ProtocolHandler | undefined => {
    if (protocols.length === 0) return undefined
    const route = routeOf(req.headers.host ?? "")
    const steps = route.steps
    if (steps.length === 0) return undefined
    const url = req.url ?? "/"
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]
      switch (s._tag) {
        case "Claimed":
          return s.handler
        case "Paths":
          if (url.length > 1) for (const p of s.paths) if (url.startsWith(p)) return s.handler
          break
        case "Ask":
          if (s.handler.matches(route.hostname, req)) return s.handler
      }
    }
    return undefined
  }

  /** A `Host` header lower-cased without its port. */
  const hostnameOf = (host: string): string => routeOf(host).hostname

  return { protocolOf, hostnameOf }
}
