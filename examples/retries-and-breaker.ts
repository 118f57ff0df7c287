/**
 * Retry policies and the region breaker, against faults injected by the emulator.
 *
 * Retries: throttling is always retried; a broken connection only for actions that are safe to
 * repeat (read-only ones, and ones with a `ClientToken`, which the client fills once and sends on
 * every attempt so the server de-duplicates); `InternalError` never, unless you say so. Policies
 * are set per client (`retryPolicy`) or per call (`Retry.withRetryPolicy`).
 *
 * The breaker: one per endpoint; when the region's endpoint keeps failing, calls go to a backup
 * endpoint until a cool-down has passed and probes succeed again.
 *
 * The delays are shortened (milliseconds instead of seconds) so the example runs quickly.
 *
 * Run: `npx tsx examples/retries-and-breaker.ts`
 */
import { Chunk, Effect, Layer, Logger, LogLevel, Queue, Schedule } from "effect"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Errors from "effect-tencentcloud/Errors"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Vpc from "effect-tencentcloud/vpc/v20170312"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as RegionBreaker from "effect-tencentcloud/RegionBreaker"
import * as Retry from "effect-tencentcloud/Retry"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))
/** undici, without proxy: the emulator is on loopback (HTTP(S)_PROXY would otherwise apply) */
const Http = UndiciHttpClient.layer({ proxy: false })

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  /** What the emulator answered to the requests of `action` since `from` (a sequence number). */
  const answers = (action: string, from: number) =>
    emu.requests
      .list({ action })
      .filter((r) => r.seq > from)
      .map((r) => (r.fault === "resetMidBody" ? "reset mid-answer" : r.response.code ?? (r.response.status === 0 ? "reset" : `HTTP ${r.response.status}`)))
  const mark = () => emu.requests.last()?.seq ?? 0

  // ---------------------------------------------------------------------------------------------
  yield* say("Retries")
  yield* say("   the default delays (equal jitter, capped at 20 s), retry 1, 2, 3:")
  for (const [label, base] of [["throttling", 1000], ["transport failures", 100]] as const) {
    const range = [0, 1, 2].map((n) => `${Retry.jitteredDelayMillis(n, base, 20_000, 0)}–${Retry.jitteredDelayMillis(n, base, 20_000, 1)} ms`)
    yield* say(`     ${label.padEnd(19)} ${range.join(", ")}`)
  }

  const Live = Client.layer({
    region: "ap-guangzhou",
    connectTo: emu.endpoint,
    // the client's policy: the default rules with short delays
    retryPolicy: Retry.make({ base: "10 millis", throttlingBase: "50 millis" })
  }).pipe(Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)), Layer.provide(Http))

  yield* Effect.gen(function* () {
    // throttling: always retried
    emu.faults.add({ action: "DescribeZones", times: 2, fault: { kind: "error", code: "RequestLimitExceeded" } })
    let m = mark()
    yield* Cvm.describeZones({})
    yield* say(`\n   DescribeZones, throttled twice:            ${answers("DescribeZones", m).join(" → ")}`)

    // Retry.none for one call: the error comes straight back
    emu.faults.add({ action: "DescribeZones", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
    const e = yield* Cvm.describeZones({}).pipe(Retry.withRetryPolicy(Retry.none), Effect.flip)
    yield* say(`   the same with Retry.none:                  ${e._tag} (Errors.isThrottling: ${Errors.isThrottling(e)})`)

    // a connection broken after the server ran RunInstances: retried, because the client filled a
    // ClientToken, which the server uses to answer the same instances instead of launching more
    emu.faults.add({ action: "RunInstances", times: 1, fault: { kind: "resetMidBody" } })
    m = mark()
    const run = yield* Cvm.runInstances({ InstanceCount: 2, ImageId: "img-pmqg1cw7", Placement: { Zone: "ap-guangzhou-3" } })
    const tokens = new Set(emu.requests.list({ action: "RunInstances" }).map((r) => (r.params as { ClientToken?: string }).ClientToken))
    yield* say(`   RunInstances, connection reset mid-answer: ${answers("RunInstances", m).join(" → ")} (${tokens.size} ClientToken for both attempts)`)
    yield* say(`     → ${run.InstanceIdSet?.join(", ")}; the region has ${emu.state.instances("ap-guangzhou").length} instances, not 4`)

    // the same failure for CreateVpc (no ClientToken, not read-only): not retried, the VPC may exist
    emu.faults.add({ action: "CreateVpc", times: 1, fault: { kind: "resetMidBody" } })
    m = mark()
    const broken = yield* Vpc.createVpc({ VpcName: "maybe", CidrBlock: "10.1.0.0/16" }).pipe(Effect.flip)
    yield* say(`   CreateVpc, connection reset mid-answer:    ${answers("CreateVpc", m).join(" → ")}, fails with ${broken._tag}: not safe to repeat`)
    const vpcs = yield* Vpc.describeVpcs({ Filters: [{ Name: "vpc-name", Values: ["maybe"] }] })
    yield* say(`     (and indeed it ran: DescribeVpcs finds ${Number(vpcs.TotalCount)} VPC named "maybe")`)

    // InternalError: never retried by default; a policy of your own can
    const retryInternal = Retry.make({
      maxRetries: 2,
      retryOn: (err, ctx) => Retry.isRetryable(err, ctx) || (ctx.safe && Errors.isApiError(err) && err.code === "InternalError"),
      backoff: Schedule.spaced("20 millis")
    })
    emu.faults.add({ action: "DescribeInstances", times: 2, fault: { kind: "error", code: "InternalError" } })
    m = mark()
    const byDefault = yield* Cvm.describeInstances({}).pipe(Effect.flip)
    yield* say(`   DescribeInstances, InternalError twice:    ${answers("DescribeInstances", m).join(" → ")}, fails with ${byDefault._tag}: never retried by default`)
    m = mark()
    yield* Cvm.describeInstances({}).pipe(Retry.withRetryPolicy(retryInternal))
    yield* say(`     a policy retrying it for safe actions:   ${answers("DescribeInstances", m).join(" → ")}`)

    // the Huawei Cloud SDK's named backoff strategies, as schedules
    emu.faults.add({ action: "DescribeRegions", times: 3, fault: { kind: "http", status: 503 } })
    m = mark()
    yield* Cvm.describeRegions({}).pipe(Retry.withRetryPolicy(Retry.make({ maxRetries: 5, backoff: Retry.backoff.equalJitter })))
    yield* say(`   DescribeRegions, 503 three times, Retry.backoff.equalJitter: ${answers("DescribeRegions", m).join(" → ")}`)
  }).pipe(Effect.provide(Live))

  // ---------------------------------------------------------------------------------------------
  yield* say("\nThe region breaker (cvm.ap-shanghai resets every connection)")
  const breakerLayer = RegionBreaker.layer({
    maxFailNum: 3, // at least 3 failures in the window
    maxFailPercent: 0.5, // making up half of the attempts or more
    cooldown: Schedule.exponential("400 millis"), // 400 ms on the backup, 800 ms if the probe fails, ...
    maxRequests: 2, // successful probes that close it again
    backupEndpoint: "ap-guangzhou.tencentcloudapi.com"
  })
  const Shanghai = Client.layer({ region: "ap-shanghai", regionalEndpoint: true, connectTo: emu.endpoint, retryPolicy: Retry.none }).pipe(
    // provideMerge keeps the breaker visible to us; several clients can share one breaker layer
    Layer.provideMerge(breakerLayer),
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(Http)
  )
  yield* Effect.gen(function* () {
    const breaker = yield* RegionBreaker.RegionBreaker
    const changes = yield* breaker.subscribe // or `breaker.changes`, a Stream, e.g. to alert
    const key = "cvm|ap-shanghai|cvm.ap-shanghai.tencentcloudapi.com"
    const outage = emu.faults.add({ host: "cvm.ap-shanghai.*", fault: { kind: "reset" } })
    const showChanges = Effect.flatMap(Queue.takeAll(changes), (cs) =>
      Effect.forEach(Chunk.toReadonlyArray(cs), (c) => say(`     breaker ${c.from} → ${c.to} (${c.reason})`), { discard: true })
    )
    const call = (n: number) =>
      Effect.gen(function* () {
        const r = yield* Effect.either(Cvm.describeZones({}))
        const host = emu.requests.last()?.host
        yield* say(`   call ${n} → ${host}: ${r._tag === "Right" ? "ok" : r.left._tag}`)
        yield* showChanges
      })
    for (let i = 1; i <= 4; i++) yield* call(i)
    yield* Effect.sleep("450 millis")
    yield* say(`   450 ms later, the cool-down is over: ${yield* breaker.state(key)}`)
    yield* showChanges
    yield* say(`   the region is still down, so the probe fails:`)
    yield* call(5)
    emu.faults.remove(outage)
    yield* Effect.sleep("850 millis")
    yield* say(`   the region is back; 850 ms later (the cool-down doubled), probes succeed:`)
    for (let i = 6; i <= 8; i++) yield* call(i)
    const snap = yield* breaker.snapshot(key)
    yield* say(`   now ${snap?.state}, generation ${snap?.generation}, counters ${JSON.stringify(snap?.counts)}`)
  }).pipe(Effect.provide(Shanghai))
}).pipe(
  Effect.scoped,
  // the breaker logs its changes (open as a warning); this example prints them itself
  Logger.withMinimumLogLevel(LogLevel.Error)
)

runMain(import.meta, main)
