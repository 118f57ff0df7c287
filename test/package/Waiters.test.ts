/**
 * Waiters (issue 15, item 10): `waitFor` polls on a `Schedule` (TestClock: no real waiting), ends
 * with a typed timeout or a terminal failure; the CVM, CBS and VPC waiters over real HTTP against
 * the emulator, whose instances and disks change state over time.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import * as Cbs from "../../src/generated/cbs/v20170312.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as Vpc from "../../src/generated/vpc/v20170312.js"
import { UndiciHttpClient } from "../../src/node/index.js"
import * as Waiters from "../../src/Waiters.js"

/** An action that answers the given states in turn (the last one forever), counting calls. */
const scripted = (states: ReadonlyArray<string>) => {
  let calls = 0
  const action = (_req: { readonly id: string }) => Effect.sync(() => ({ State: states[Math.min(calls++, states.length - 1)] }))
  return { action, calls: () => calls }
}

describe("Waiters.waitFor", () => {
  it.effect("polls on the schedule until the predicate holds (TestClock: no real waiting)", () =>
    Effect.gen(function* () {
      const s = scripted(["PENDING", "PENDING", "RUNNING"])
      const fiber = yield* Effect.fork(Waiters.waitFor(s.action, { id: "x" }, (r) => r.State === "RUNNING", Schedule.spaced("5 seconds")))
      yield* TestClock.adjust("4 seconds")
      expect(s.calls()).toBe(1) // the first call at once, the second not before 5 s
      yield* TestClock.adjust("6 seconds")
      const r = yield* Fiber.join(fiber)
      expect(r.State).toBe("RUNNING")
      expect(s.calls()).toBe(3)
    }))

  it.effect("a schedule that ends first fails with WaiterTimeoutError, naming what was seen", () =>
    Effect.gen(function* () {
      const s = scripted(["PENDING"])
      const fiber = yield* Effect.fork(
        Effect.flip(
          Waiters.waitFor(s.action, { id: "x" }, (r) => r.State === "RUNNING", Schedule.spaced("1 second").pipe(Schedule.upTo(Duration.seconds(3))), {
            description: "x to be RUNNING",
            show: (r) => r.State
          })
        )
      )
      yield* TestClock.adjust("10 seconds")
      const e = yield* Fiber.join(fiber)
      assert(e._tag === "WaiterTimeoutError")
      expect(e.attempts).toBe(s.calls())
      expect(e.attempts).toBeGreaterThanOrEqual(3)
      expect(e.lastSeen).toBe("PENDING")
      expect(e.message).toContain("x to be RUNNING")
    }))

  it.effect("a terminal state fails at once with WaiterFailedError; the action's own errors pass through", () =>
    Effect.gen(function* () {
      const s = scripted(["PENDING", "LAUNCH_FAILED"])
      const fiber = yield* Effect.fork(
        Effect.flip(
          Waiters.waitFor(s.action, { id: "x" }, (r) => r.State === "RUNNING", Schedule.spaced("1 second"), {
            failWhen: (r) => (r.State === "LAUNCH_FAILED" ? "it failed to launch" : undefined)
          })
        )
      )
      yield* TestClock.adjust("5 seconds")
      const e = yield* Fiber.join(fiber)
      assert(e._tag === "WaiterFailedError")
      expect([e.attempts, e.reason]).toEqual([2, "it failed to launch"])

      const failing = (_: unknown) => Effect.fail({ _tag: "ResourceNotFound" as const })
      const e2 = yield* Effect.flip(Waiters.waitFor(failing, {}, () => true, Schedule.spaced("1 second")))
      expect(e2._tag).toBe("ResourceNotFound")
    }))
})

describe("Waiters over real HTTP against the emulator (state changes over time)", () => {
  const poll = Schedule.spaced("25 millis").pipe(Schedule.upTo(Duration.seconds(20)))
  const sdk = (emu: Emulator.EmulatorHandle) =>
    Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint }).pipe(
      Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
      Layer.provide(UndiciHttpClient.layer({ proxy: false }))
    )

  it.scopedLive("instances: PENDING → RUNNING, STOPPED, terminated; disks: ATTACHED, UNATTACHED; VPC and subnet listed", () =>
    Effect.gen(function* () {
      const t = 150
      const emu = yield* Emulator.make({ timings: { launch: t, start: t, stop: t, reboot: t, terminate: t, attach: t, detach: t } })
      const program = Effect.gen(function* () {
        const vpc = (yield* Vpc.createVpc({ VpcName: "waiters", CidrBlock: "10.9.0.0/16" })).Vpc!
        const subnet = (yield* Vpc.createSubnet({ VpcId: vpc.VpcId!, SubnetName: "w", CidrBlock: "10.9.1.0/24", Zone: "ap-guangzhou-3" })).Subnet!
        yield* Waiters.vpcResourcesReady({ vpcIds: [vpc.VpcId!], subnetIds: [subnet.SubnetId!] }, poll)

        const run = yield* Cvm.runInstances({ InstanceCount: 2, ImageId: "img-pmqg1cw7", Placement: { Zone: "ap-guangzhou-3" } })
        const ids = run.InstanceIdSet ?? []
        const before = yield* Cvm.describeInstances({ InstanceIds: [...ids] })
        expect(before.InstanceSet?.map((i) => i.InstanceState)).toEqual(["PENDING", "PENDING"])
        const running = yield* Waiters.instanceState(ids, "RUNNING", poll)
        expect(running.InstanceSet?.map((i) => i.InstanceState)).toEqual(["RUNNING", "RUNNING"])

        yield* Cvm.stopInstances({ InstanceIds: [ids[0]] })
        yield* Waiters.instanceState([ids[0]], "STOPPED", poll)

        const { DiskIdSet: created } = yield* Cbs.createDisks({ DiskType: "CLOUD_PREMIUM", DiskChargeType: "POSTPAID_BYHOUR", DiskSize: 50, Placement: { Zone: "ap-guangzhou-3" } })
        const DiskIdSet = created ?? []
        yield* Cbs.attachDisks({ DiskIds: [...DiskIdSet], InstanceId: ids[1] })
        const attached = yield* Waiters.diskState(DiskIdSet, "ATTACHED", poll)
        expect(attached.DiskSet?.[0].InstanceId).toBe(ids[1])
        yield* Cbs.detachDisks({ DiskIds: [...DiskIdSet] })
        yield* Waiters.diskState(DiskIdSet, "UNATTACHED", poll)

        yield* Cvm.terminateInstances({ InstanceIds: [...ids] })
        yield* Waiters.instanceState(ids, "TERMINATED", poll)
        const after = yield* Cvm.describeInstances({ InstanceIds: [...ids] })
        expect(after.InstanceSet).toEqual([])
      })
      yield* program.pipe(Effect.provide(sdk(emu)))
      // the waiters polled: more DescribeInstances than the two direct calls
      expect(emu.requests.list({ action: "DescribeInstances" }).length).toBeGreaterThan(4)
    }), 60_000)

  it.scopedLive("a waiter whose schedule ends before the state fails with WaiterTimeoutError", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ timings: { launch: 3_600_000 } }) // an hour to boot
      const e = yield* Effect.gen(function* () {
        const run = yield* Cvm.runInstances({ InstanceCount: 1, ImageId: "img-pmqg1cw7", Placement: { Zone: "ap-guangzhou-3" } })
        return yield* Effect.flip(Waiters.instanceState(run.InstanceIdSet ?? [], "RUNNING", Schedule.recurs(2)))
      }).pipe(Effect.provide(sdk(emu)))
      assert(e._tag === "WaiterTimeoutError")
      expect(e.attempts).toBe(3)
      expect(e.lastSeen).toMatch(/^ins-\w+ PENDING$/)
    }), 60_000)
})
