/**
 * The protocols the emulator speaks besides API 3.0, in the order they are asked whether a request
 * is theirs. Each protocol adds one line here.
 *
 * @internal
 */
import type * as http from "node:http"
import { makeCosHandler } from "./cos/index.js"
import { huaweiCloud } from "./huaweicloud/index.js"
import { makeLegacyHandler } from "./legacy/index.js"
import { metadataServer } from "./metadata/index.js"
import type { ProtocolFactory, ProtocolHandler } from "./protocol.js"

/** What a Host-only `matches` is shown of the request (it reads the Host name alone). */
const NO_REQUEST = { url: "/", headers: {} } as unknown as http.IncomingMessage

/**
 * A handler whose `matches` decides by the Host name alone (COS), routed by Host: asked once per
 * Host name rather than for every request.
 */
const byHost = (h: ProtocolHandler): ProtocolHandler =>
  h.routing !== undefined ? h : { ...h, routing: { host: (hostname) => h.matches(hostname, NO_REQUEST) } }

export const protocolFactories: ReadonlyArray<ProtocolFactory> = [
  makeLegacyHandler,
  huaweiCloud,
  (ctx) => byHost(makeCosHandler(ctx)),
  metadataServer
]
