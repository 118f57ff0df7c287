/**
 * Pagination streams. Every paginated action has two generated variants:
 *
 * - `<action>Pages(request)`: a `Stream` of whole responses, one request per page;
 * - `<action>Items(request)`: a `Stream` of the listed items across pages.
 *
 * Pages are fetched on demand, so taking a few items sends only the requests needed. The
 * request's own `Offset` (or page number, or token) is where the stream starts; `Limit` is the
 * page size. Each page is an ordinary call, retried like any other.
 *
 * Run: `npx tsx examples/pagination.ts`
 */
import { Chunk, Effect, Layer, Stream } from "effect"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Cbs from "effect-tencentcloud/cbs/v20170312"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Vpc from "effect-tencentcloud/vpc/v20170312"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as Retry from "effect-tencentcloud/Retry"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const Live = Client.layer({
    region: "ap-guangzhou",
    connectTo: emu.endpoint,
    retryPolicy: Retry.make({ throttlingBase: "50 millis" })
  }).pipe(Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)), Layer.provide(UndiciHttpClient.layer({ proxy: false })))
  /** How many DescribeInstances requests `self` sends. */
  const counting = <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const before = emu.requests.list({ action: "DescribeInstances" }).length
      const a = yield* self
      return [a, emu.requests.list({ action: "DescribeInstances" }).length - before] as const
    })

  yield* Effect.gen(function* () {
    // 5 instances in two zones
    yield* Cvm.runInstances({ InstanceCount: 3, ImageId: "img-pmqg1cw7", Placement: { Zone: "ap-guangzhou-3" }, InstanceName: "web" })
    yield* Cvm.runInstances({ InstanceCount: 2, ImageId: "img-pmqg1cw7", Placement: { Zone: "ap-guangzhou-6" }, InstanceName: "db" })

    // 1. pages
    yield* say("1. describeInstancesPages({ Limit: 2 })")
    const [, pageRequests] = yield* counting(
      Cvm.describeInstancesPages({ Limit: 2 }).pipe(
        Stream.runForEach((page) =>
          say(`   page: ${(page.InstanceSet ?? []).map((i) => i.InstanceId).join(", ")}   (request Offset ${(emu.requests.last()?.params as { Offset?: number } | undefined)?.Offset ?? "none"}, TotalCount ${Number(page.TotalCount)})`)
        )
      )
    )
    yield* say(`   ${pageRequests} requests`)

    // 2. items across pages
    const ids = yield* Cvm.describeInstancesItems({ Limit: 2 }).pipe(
      Stream.map((i) => i.InstanceId ?? "?"),
      Stream.runCollect
    )
    yield* say(`\n2. describeInstancesItems({ Limit: 2 }) → ${Chunk.size(ids)} instances: ${Chunk.join(ids, ", ")}`)

    // 3. stop early: only the pages needed are fetched
    const [first3, requests3] = yield* counting(Stream.runCollect(Cvm.describeInstancesItems({ Limit: 2 }).pipe(Stream.take(3))))
    yield* say(`\n3. ...Items({ Limit: 2 }).pipe(Stream.take(3)) → ${Chunk.size(first3)} items from ${requests3} requests: the third page is never fetched`)

    // 4. filters and a start position are part of the request
    const db = yield* Cvm.describeInstancesItems({ Limit: 1, Filters: [{ Name: "zone", Values: ["ap-guangzhou-6"] }] }).pipe(
      Stream.map((i) => `${i.InstanceId} (${i.Placement?.Zone})`),
      Stream.runCollect
    )
    yield* say(`\n4. with Filters zone=ap-guangzhou-6, Limit 1 → ${Chunk.join(db, ", ")}`)
    const [tail, tailRequests] = yield* counting(Stream.runCollect(Cvm.describeInstancesItems({ Offset: 4, Limit: 2 })))
    yield* say(`   starting at Offset 4 → ${Chunk.size(tail)} item, ${tailRequests} request`)

    // 5. folding a stream: instances per zone, without holding them all
    const perZone = yield* Cvm.describeInstancesItems({ Limit: 2 }).pipe(
      Stream.runFold(new Map<string, number>(), (m, i) => {
        const zone = i.Placement?.Zone ?? "(no zone)"
        return m.set(zone, (m.get(zone) ?? 0) + 1)
      })
    )
    yield* say(`\n5. per zone (Stream.runFold): ${[...perZone].map(([z, n]) => `${z}: ${n}`).join(", ")}`)

    // 6. a throttled page is retried like any call; the stream does not notice
    emu.faults.add({ action: "DescribeInstances", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
    const [again, requests6] = yield* counting(Stream.runCount(Cvm.describeInstancesItems({ Limit: 2 })))
    yield* say(`\n6. one page throttled → still ${again} items, ${requests6} requests (3 pages + 1 retry)`)

    // 7. other products page the same way: the system disks of the instances, in CBS
    const disks = yield* Cbs.describeDisksItems({ Limit: 3 }).pipe(
      Stream.map((d) => `${d.DiskId} ${d.DiskUsage}`),
      Stream.runCollect
    )
    yield* say(`\n7. Cbs.describeDisksItems({ Limit: 3 }) → ${Chunk.size(disks)} disks: ${Chunk.toReadonlyArray(disks).slice(0, 2).join(", ")}, ...`)

    // 8. token pagination (NextToken): subnets of the default VPC
    const subnets = yield* Vpc.describeSubnetsItems({ MaxResults: 1 }).pipe(
      Stream.map((s) => `${s.SubnetId} ${s.CidrBlock}`),
      Stream.runCollect
    )
    yield* say(`\n8. Vpc.describeSubnetsItems({ MaxResults: 1 }) (NextToken paging) → ${Chunk.join(subnets, ", ")}`)
  }).pipe(Effect.provide(Live))
}).pipe(Effect.scoped)

runMain(import.meta, main)
