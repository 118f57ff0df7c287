/**
 * Drift end to end over real HTTP (loopback): the emulator answers a DescribeZones whose body
 * drifts from the spec (an `http` fault with status 200 and our body); the real client signs,
 * sends, reads the envelope, and the generated action decodes it tolerantly with its records, or
 * strictly with every mismatch named. Untouched answers of the emulator have no drift in strict
 * mode.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import * as Drift from "../../src/Drift.js"
import * as Emulator from "../../src/emulator/index.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"

const sdk = (emu: Emulator.EmulatorHandle) =>
  Client.layer({ connectTo: emu.endpoint, region: "ap-guangzhou", timeout: "5 seconds" }).pipe(
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(UndiciHttpClient.layerDefault)
  )

const drifted = JSON.stringify({
  Response: {
    TotalCount: "1",
    ZoneSet: [{ Zone: "ap-guangzhou-3", ZoneId: 100003, ZoneState: null, Since: "2027" }],
    RequestId: "req-e2e-drift"
  }
})

describe("drift over real HTTP against the emulator", () => {
  it.scopedLive("tolerant: the data and its records; strict: every mismatch named; the emulator's own answers are drift-free", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const layer = sdk(emu)
      emu.faults.add({ action: "DescribeZones", times: 2, fault: { kind: "http", status: 200, body: drifted } })
      const records: Array<Drift.DriftRecord> = []
      const zones = yield* Drift.withListener(Cvm.describeZones(), (r) => Effect.sync(() => records.push(r))).pipe(Effect.provide(layer))
      expect(zones.TotalCount).toBe(1)
      expect(zones.ZoneSet).toEqual([{ Zone: "ap-guangzhou-3", ZoneId: "100003", Since: "2027" }])
      expect(records.map((r) => `${r.path} ${r.resolution}`)).toEqual([
        "TotalCount coerced",
        "ZoneSet[0].ZoneName missing",
        "ZoneSet[0].ZoneId coerced",
        "ZoneSet[0].ZoneState absent",
        "ZoneSet[0].Since kept"
      ])
      expect(records.every((r) => r.requestId === "req-e2e-drift" && r.service === "cvm" && r.action === "DescribeZones")).toBe(true)

      const e = yield* Effect.flip(Drift.withStrict(Cvm.describeZones()).pipe(Effect.provide(layer)))
      expect(e._tag).toBe("ResponseDecodeError")
      if (e._tag === "ResponseDecodeError") {
        expect(e.requestId).toBe("req-e2e-drift")
        expect(e.mismatches?.map((m) => m.path)).toEqual(["TotalCount", "ZoneSet[0].ZoneName", "ZoneSet[0].ZoneId", "ZoneSet[0].ZoneState", "ZoneSet[0].Since"])
      }

      // the faults are spent: the emulator's own answers pass strict mode
      const clean = yield* Drift.withStrict(Cvm.describeZones()).pipe(Effect.provide(layer))
      expect((clean.ZoneSet ?? []).length).toBeGreaterThan(0)
      const instances = yield* Drift.withStrict(Cvm.describeInstances({ Limit: 5 })).pipe(Effect.provide(layer))
      expect(instances.RequestId).not.toBe("")
    }))
})
