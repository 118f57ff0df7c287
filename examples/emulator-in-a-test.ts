/**
 * The emulator in a test: real HTTP, real signatures, real error codes, on loopback.
 *
 * Each test starts its own emulator with `Emulator.make()` (a free port, stopped when the test's
 * scope closes), points the client at it with `connectTo`, runs the application code, and then
 * checks what the emulator received (`emu.requests`), what state it holds (`emu.state`), or how
 * the code coped with injected faults (`emu.faults`).
 *
 * `Emulator.make` reads Effect's `Clock`: under `TestClock` (what `it.effect` and `it.scoped`
 * provide in `@effect/vitest`), `TestClock.adjust("20 seconds")` boots a PENDING instance without
 * waiting, and the SDK signs with the same clock.
 *
 * The tests are plain Effects so this file runs as a program (`npx tsx examples/emulator-in-a-test.ts`);
 * `test/examples.test.ts` runs the very same bodies under vitest. There a test reads:
 *
 * ```ts
 * import { it } from "@effect/vitest"
 * it.scoped("launches a web tier", () => Effect.gen(function* () {
 *   const emu = yield* Emulator.make()
 *   const ids = yield* launchWebTier("shop", 3).pipe(Effect.provide(clientFor(emu)))
 *   expect(emu.state.instances("ap-guangzhou")).toHaveLength(3)
 * }))
 * ```
 */
import { Effect, Layer, TestClock, TestContext } from "effect"
import type * as Scope from "effect/Scope"
import * as assert from "node:assert/strict"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Vpc from "effect-tencentcloud/vpc/v20170312"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as Retry from "effect-tencentcloud/Retry"
import { runMain } from "./_main.js"

// -------------------------------------------------------------------------------------------------
// the application under test

/** Create a VPC and a subnet, and launch `count` instances in it. */
export const launchWebTier = (name: string, count: number) =>
  Effect.gen(function* () {
    // answer members are optional in the types: an answer may lack one (see docs/drift.md)
    const vpcId = (yield* Vpc.createVpc({ VpcName: name, CidrBlock: "10.8.0.0/16" })).Vpc?.VpcId ?? ""
    const subnet = (yield* Vpc.createSubnet({ VpcId: vpcId, SubnetName: `${name}-web`, CidrBlock: "10.8.1.0/24", Zone: "ap-guangzhou-3" })).Subnet
    const run = yield* Cvm.runInstances({
      InstanceCount: count,
      InstanceName: `${name}-web`,
      ImageId: "img-pmqg1cw7",
      Placement: { Zone: "ap-guangzhou-3" },
      VirtualPrivateCloud: { VpcId: vpcId, SubnetId: subnet?.SubnetId ?? "" }
    })
    return run.InstanceIdSet ?? []
  })

/** The states of some instances. */
export const states = (ids: ReadonlyArray<string>) =>
  Cvm.describeInstances({ InstanceIds: [...ids] }).pipe(Effect.map((r) => (r.InstanceSet ?? []).map((i) => i.InstanceState)))

// -------------------------------------------------------------------------------------------------
// test helpers

/** The client, pointed at an emulator, with its demo key. */
export const clientFor = (emu: Emulator.EmulatorHandle, options: Client.ClientOptions = {}) =>
  Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint, ...options }).pipe(
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(UndiciHttpClient.layer({ proxy: false })) // loopback: never via HTTP(S)_PROXY
  )

/** A test: its body runs in a scope, on the `TestClock` (`it.scoped`) or the real clock (`it.scopedLive`). */
export interface ExampleTest {
  readonly name: string
  readonly clock: "test" | "live"
  readonly body: Effect.Effect<void, unknown, Scope.Scope>
}

// -------------------------------------------------------------------------------------------------
// the tests

export const tests: ReadonlyArray<ExampleTest> = [
  {
    name: "launches a web tier: what the emulator received and holds",
    clock: "test",
    body: Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const ids = yield* launchWebTier("shop", 3).pipe(Effect.provide(clientFor(emu)))
      assert.equal(ids.length, 3)
      // the requests, in order, with their decoded parameters (secrets redacted)
      assert.deepEqual(emu.requests.list().map((r) => r.action), ["CreateVpc", "CreateSubnet", "RunInstances"])
      const run = emu.requests.list({ action: "RunInstances" })[0]
      assert.equal(run.secretId, Emulator.DEMO_CREDENTIALS.secretId)
      assert.equal((run.params as { InstanceCount: number }).InstanceCount, 3)
      // the state: three instances in the new subnet, with addresses from its range
      const subnet = emu.state.subnets("ap-guangzhou").find((s) => s.SubnetName === "shop-web")
      const instances = emu.state.instances("ap-guangzhou")
      assert.equal(instances.length, 3)
      for (const i of instances) {
        assert.equal(i.VirtualPrivateCloud.SubnetId, subnet?.SubnetId)
        assert.match(i.PrivateIpAddresses[0], /^10\.8\.1\./)
      }
    })
  },
  {
    name: "instances boot on the TestClock: no real waiting",
    clock: "test",
    body: Effect.gen(function* () {
      const emu = yield* Emulator.make({ timings: { launch: 20_000 } }) // 20 s to boot
      yield* Effect.gen(function* () {
        const ids = yield* launchWebTier("shop", 2)
        assert.deepEqual(yield* states(ids), ["PENDING", "PENDING"])
        yield* TestClock.adjust("20 seconds")
        assert.deepEqual(yield* states(ids), ["RUNNING", "RUNNING"])
      }).pipe(Effect.provide(clientFor(emu)))
    })
  },
  {
    name: "survives throttling: retried, and the emulator saw every attempt",
    clock: "live",
    body: Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "RunInstances", times: 2, fault: { kind: "error", code: "RequestLimitExceeded" } })
      const ids = yield* launchWebTier("shop", 1).pipe(Effect.provide(clientFor(emu, { retryPolicy: Retry.make({ throttlingBase: "10 millis" }) })))
      assert.equal(ids.length, 1)
      assert.deepEqual(emu.requests.list({ action: "RunInstances" }).map((r) => r.response.code ?? "ok"), ["RequestLimitExceeded", "RequestLimitExceeded", "ok"])
    })
  },
  {
    name: "a region outage surfaces as a typed error once the retries are spent",
    clock: "live",
    body: Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ host: "vpc.*", fault: { kind: "http", status: 502 } })
      const error = yield* launchWebTier("shop", 1).pipe(
        Effect.provide(clientFor(emu, { retryPolicy: Retry.make({ base: "5 millis" }) })),
        Effect.flip
      )
      assert.equal(error._tag, "HttpStatusError")
      // CreateVpc is not safe to repeat: one attempt, and nothing else was tried
      assert.equal(emu.requests.list().length, 1)
      assert.equal(emu.state.vpcs("ap-guangzhou").filter((v) => v.VpcName === "shop").length, 0)
    })
  }
]

/**
 * Run each test in its own runtime, as a test runner does (a `TestContext` provided to one
 * effect stays in its fiber afterwards, so tests sharing a fiber would share the `TestClock`).
 */
const runTest = (t: ExampleTest) => {
  const body = Effect.scoped(t.body)
  return Effect.flatten(Effect.promise(() => Effect.runPromiseExit(t.clock === "test" ? Effect.provide(body, TestContext.TestContext) : body)))
}

export const main = Effect.gen(function* () {
  for (const t of tests) {
    yield* runTest(t).pipe(Effect.tapError(() => Effect.sync(() => console.log(`   ✗ ${t.name}`))))
    console.log(`   ✓ ${t.name}`)
  }
  console.log(`\n${tests.length} passed`)
})

runMain(import.meta, main)
