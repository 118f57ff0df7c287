/**
 * Temporary keys are refreshed through the core's single-flight cache on Effect's clock: the
 * emulator runs on the same `TestClock`, so the refresh 40 minutes before expiry is observed
 * without waiting (the refresh itself runs in the background while the old key is still valid). Also: the derived-key algorithm (`V11-HMAC-SHA256`) accepted by the emulator.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { Agent } from "undici"
import * as Emulator from "../../src/emulator/index.js"
import { Client, Credentials, Regions } from "../../src/huaweicloud/index.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import { loopbackLookup } from "./helpers.js"

const REGION = "cn-north-4"
const httpLayer = Layer.scoped(
  HttpClient.HttpClient,
  Effect.map(Effect.acquireRelease(Effect.sync(() => new Agent({ connect: { lookup: loopbackLookup as never } })), (a) => Effect.promise(() => a.close())), UndiciHttpClient.makeWithDispatcher)
)
const clientFor = (emu: Emulator.EmulatorHandle, credentials: Layer.Layer<Credentials.HuaweiCredentials, never, HttpClient.HttpClient>, options: Client.ClientOptions = {}) =>
  Client.layer({
    region: REGION,
    iamEndpoint: `http://iam.${REGION}.myhuaweicloud.com:${emu.port}`,
    regions: { vpc: [Regions.make(REGION, `http://vpc.${REGION}.myhuaweicloud.com:${emu.port}`)] },
    ...options
  }).pipe(Layer.provideMerge(credentials), Layer.provideMerge(httpLayer))

const listVpcs = Client.request("vpc", "GET", "/v1/{project_id}/vpcs")

describe("temporary keys on the TestClock", () => {
  it.effect("metadata keys: one fetch for concurrent callers, refreshed 40 minutes before they expire", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.make({})
        const keys = () => emu.requests.list({ service: "metadata" }).filter((r) => r.action === "ShowSecurityKey").length
        yield* Effect.gen(function* () {
          yield* Effect.all(Array.from({ length: 5 }, () => listVpcs), { concurrency: "unbounded" })
          expect(keys()).toBe(1)
          const first = emu.requests.last()!.secretId
          yield* TestClock.adjust("79 minutes") // the 2 h key has 41 minutes left: still served
          yield* listVpcs
          expect(keys()).toBe(1)
          yield* TestClock.adjust("2 minutes") // 39 minutes left: refreshed (in the background while the key is still valid)
          yield* listVpcs
          // poll (real time, generous bound) until a call is signed with the new key
          let polls = 0
          const lastVpc = () => emu.requests.list({ service: "vpc" }).at(-1)!.secretId
          while (lastVpc() === first && polls++ < 100) {
            yield* Effect.promise(() => new Promise((r) => setTimeout(r, 20)))
            yield* listVpcs
          }
          expect(keys()).toBe(2)
          expect(lastVpc()).not.toBe(first)
        }).pipe(Effect.provide(clientFor(emu, Credentials.layerMetadata({ endpoint: `http://127.0.0.1:${emu.port}` }))))
      })
    ))

  it.effect("V11-HMAC-SHA256 (derived key) for a service name, verified by the emulator", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.make({})
        yield* listVpcs.pipe(Effect.provide(clientFor(emu, Credentials.layerBasic({ ak: Emulator.DEMO_CREDENTIALS.secretId, sk: Emulator.DEMO_CREDENTIALS.secretKey }), {
          derivedAuthServiceName: "vpc",
          derivedPredicate: () => true
        })))
        const last = emu.requests.last()!
        expect([last.signatureMethod, last.response.status]).toEqual(["V11-HMAC-SHA256", 200])
      })
    ))
})
