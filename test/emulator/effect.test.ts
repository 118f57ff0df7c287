/**
 * The Effect API: `Emulator.make` is scoped (started for the test, stopped after), reads the test's
 * `TestClock` (so time-driven state moves with `TestClock.adjust`), and `Emulator.layer` provides
 * the `Emulator` service. Our own SDK talks to it through `connectTo` (logical Host kept,
 * `X-TC-Service` added), with TC3 and v1.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import * as Client from "../../src/Client.js"
import { Credentials } from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import { SPEC_DIR } from "./helpers.js"

const demoCredentials = Layer.succeed(Credentials, {
  get: Effect.succeed({ secretId: Emulator.DEMO_CREDENTIALS.secretId, secretKey: Redacted.make(Emulator.DEMO_CREDENTIALS.secretKey) })
})

const sdk = (emu: Emulator.EmulatorHandle, options: Client.ClientOptions = {}) =>
  Client.layer({ connectTo: emu.endpoint, region: "ap-guangzhou", ...options }).pipe(
    Layer.provide(demoCredentials),
    Layer.provide(UndiciHttpClient.layer({ keepAlive: false }))
  )

describe("Emulator.make", () => {
  it.scoped("starts on a free port for the scope, driven by TestClock, and serves our SDK", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ specDir: SPEC_DIR, timings: { launch: 30_000 } })
      expect(emu.port).toBeGreaterThan(0)
      expect(emu.now()).toBe(0) // TestClock
      const run = yield* Client.call("cvm", "2017-03-12", "RunInstances", { Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89" }).pipe(
        Effect.provide(sdk(emu))
      )
      const ids = run.InstanceIdSet as Array<string>
      const describeState = Client.call("cvm", "2017-03-12", "DescribeInstances", { InstanceIds: ids }).pipe(
        Effect.map((r) => (r.InstanceSet as Array<any>)[0].InstanceState),
        Effect.provide(sdk(emu))
      )
      expect(yield* describeState).toBe("PENDING")
      yield* TestClock.adjust("30 seconds")
      expect(yield* describeState).toBe("RUNNING")
      // v1 through connectTo: the logical Host and X-TC-Service name the service
      const v1 = yield* Client.call("cvm", "2017-03-12", "DescribeInstances", {}).pipe(Effect.provide(sdk(emu, { signMethod: "HmacSHA256", method: "GET" })))
      expect(v1.TotalCount).toBe(1)
      const rec = emu.requests.list({ action: "DescribeInstances" })
      expect(rec.map((r) => r.signatureMethod)).toEqual(["TC3-HMAC-SHA256", "TC3-HMAC-SHA256", "HmacSHA256"])
      expect(rec[0].headers["x-tc-service"]).toBe("cvm")
      expect(rec[0].host).toBe("cvm.tencentcloudapi.com")
      // a typed API error from the emulator
      const err = yield* Client.call("cvm", "2017-03-12", "StopInstances", { InstanceIds: ["ins-00000000"] }).pipe(Effect.provide(sdk(emu)), Effect.flip)
      expect(err).toMatchObject({ code: "InvalidInstanceId.NotFound" })
    })
  )

  it.effect("stops when the scope closes", () =>
    Effect.gen(function* () {
      const port = yield* Effect.scoped(Effect.map(Emulator.make(), (e) => e.port))
      const refused = yield* Effect.promise(
        () =>
          new Promise<string>((resolve) => {
            const req = http.request({ host: "127.0.0.1", port, path: "/" }, () => resolve("answered"))
            req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"))
            req.end()
          })
      )
      expect(refused).toBe("ECONNREFUSED")
    })
  )

  it.effect("a port in use fails with EmulatorStartError", () =>
    Effect.gen(function* () {
      const taken = yield* Effect.scoped(
        Effect.gen(function* () {
          const a = yield* Emulator.make()
          return yield* Effect.flip(Emulator.make({ port: a.port }))
        })
      )
      expect(taken._tag).toBe("EmulatorStartError")
      expect(taken.message).toContain("could not listen")
    })
  )
})

layer(Emulator.layer({ specDir: SPEC_DIR, seed: 1 }))("Emulator.layer", (it) => {
  it.effect("provides the Emulator service", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      expect(emu.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(emu.hostFor("cvm", "ap-shanghai")).toBe("cvm.ap-shanghai.tencentcloudapi.com")
      emu.faults.add({ action: "DescribeZones", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
      expect(emu.faults.list()).toHaveLength(1)
    })
  )
})
