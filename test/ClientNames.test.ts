/**
 * `Client.call` checks service, version and action before building a URL (issue 14 item 4): a
 * service of `x@127.0.0.1:PORT/` used to send the signed request (SecretId and token included)
 * to that host; empty names were sent. Now each is a `RequestValidationError` and nothing leaves.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Client from "../src/Client.js"
import { jsonAnswer, makeMockHttp, staticCredentials } from "./helpers/mockHttp.js"

const setup = () => {
  const mock = makeMockHttp(() => jsonAnswer({}))
  const live = Client.layer({ region: "ap-guangzhou" }).pipe(Layer.provide(staticCredentials(true)), Layer.provide(mock.layer))
  return { mock, live }
}

describe("Client.call and Client.stream check the names they are given", () => {
  const bad: ReadonlyArray<readonly [string, string, string, string]> = [
    ["x@127.0.0.1:4599/", "2017-03-12", "DescribeZones", "service"],
    ["", "2017-03-12", "DescribeZones", "service"],
    ["cvm.evil.example", "2017-03-12", "DescribeZones", "service"],
    ["cvm", "", "DescribeZones", "version"],
    ["cvm", "2017-03-12\r\nX-Injected: 1", "DescribeZones", "version"],
    ["cvm", "2017-03-12", "", "action"],
    ["cvm", "2017-03-12", "Describe\r\nZones", "action"],
    ["cvm", "2017-03-12", "Describe Zones", "action"]
  ]
  for (const [service, version, action, field] of bad) {
    it.effect(`${JSON.stringify([service, version, action])} → RequestValidationError on ${field}, nothing sent`, () =>
      Effect.gen(function* () {
        const { mock, live } = setup()
        const e = yield* Effect.flip(Client.call(service, version, action, {}).pipe(Effect.provide(live)))
        expect(e).toMatchObject({ _tag: "RequestValidationError", field })
        const s = yield* Effect.flip(Stream.runDrain(Client.stream(service, version, action, {})).pipe(Effect.provide(live)))
        expect(s).toMatchObject({ _tag: "RequestValidationError", field })
        expect(mock.recorded).toHaveLength(0)
      }))
  }
  it.effect("good names are sent to <service>.tencentcloudapi.com", () =>
    Effect.gen(function* () {
      const { mock, live } = setup()
      yield* Client.call("cvm", "2017-03-12", "DescribeZones", {}).pipe(Effect.provide(live))
      expect(new URL(mock.recorded[0].url).host).toBe("cvm.tencentcloudapi.com")
    }))
})
