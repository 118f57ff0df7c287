/**
 * The protocols the emulator speaks besides API 3.0, in the order they are asked whether a request
 * is theirs. Each protocol adds one line here.
 *
 * @internal
 */
import { makeCosHandler } from "./cos/index.js"
import { huaweiCloud } from "./huaweicloud/index.js"
import { makeLegacyHandler } from "./legacy/index.js"
import { metadataServer } from "./metadata/index.js"
import type { ProtocolFactory } from "./protocol.js"

export const protocolFactories: ReadonlyArray<ProtocolFactory> = [
  makeLegacyHandler,
  huaweiCloud,
  (ctx) => makeCosHandler(ctx),
  metadataServer
]
