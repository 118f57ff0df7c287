/** The COS client layer of the benchmark: the emulator's address, the demo key, undici. */
import * as Layer from "effect/Layer"
import * as Credentials from "../src/Credentials.js"
import * as Cos from "../src/cos/Cos.js"
import * as UndiciHttpClient from "../src/node/UndiciHttpClient.js"

export const cosLayerFor = (t: { readonly address: string; readonly secretId: string; readonly secretKey: string }) =>
  Cos.layer({ region: "ap-guangzhou", connectTo: t.address, timeout: "5 minutes" }).pipe(
    Layer.provide(Credentials.layerStatic({ secretId: t.secretId, secretKey: t.secretKey })),
    Layer.provide(UndiciHttpClient.layer())
  )
