/**
 * COS test helpers: an emulator for the suite and the COS client layer pointed at it
 * (`connectTo` its loopback address, signing the real COS host).
 */
import * as Layer from "effect/Layer"
import * as Credentials from "../../src/Credentials.js"
import * as Cos from "../../src/cos/Cos.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"

export const BUCKET = "examplebucket-1250000000"
export const REGION = "ap-guangzhou"

/** The COS client against an emulator, with the demo key. */
export const cosLayer = (emu: { readonly address: string }, options: Cos.CosOptions = {}, credentials: Credentials.StaticInput = Emulator.DEMO_CREDENTIALS) =>
  Cos.layer({ region: REGION, connectTo: emu.address, ...options }).pipe(
    Layer.provide(Credentials.layerStatic(credentials)),
    Layer.provide(UndiciHttpClient.layer())
  )

export const bytes = (n: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}
