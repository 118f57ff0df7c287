/**
 * The quickstart: `npm start`.
 *
 * Starts the local Tencent Cloud emulator in this process on a free port, points the SDK at it
 * with the emulator's demo key, and tells a short story end to end: create a VPC and a subnet,
 * run 3 instances, stream them back page by page, handle a typed error by its code, survive
 * throttling by retrying, fail over to a backup endpoint while a region's endpoint is down, and
 * sum up. No account, no network. Exits 0, or 1 if any step fails.
 *
 * `npm start -- --live` runs read-only calls (DescribeRegions, DescribeZones, DescribeInstances)
 * against the real cloud instead, with the key in TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY
 * (and TENCENTCLOUD_SESSION_TOKEN for a temporary key), in TENCENTCLOUD_REGION (default
 * ap-guangzhou).
 *
 * The imports name the package (`effect-tencentcloud/...`), as in your own project; in this
 * repository tsconfig.json's `paths` (tsc, tsx) and vitest.config.ts map them to `src/`.
 */
import { Chunk, Effect, Layer, Logger, LogLevel, Queue, Stream } from "effect"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Vpc from "effect-tencentcloud/vpc/v20170312"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as RegionBreaker from "effect-tencentcloud/RegionBreaker"
import * as Retry from "effect-tencentcloud/Retry"
import { Buckets, Cos, Transfer } from "effect-tencentcloud/cos"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { runMain } from "./_main.js"
import { progressBar } from "./cos.js"

const say = (line = "") => Effect.sync(() => console.log(line))
const step = (n: number, title: string) => say(`\n${n}. ${title}`)

/** `ins-a PENDING 10.0.1.2` */
const brief = (i: Cvm.Instance) => `${i.InstanceId} ${i.InstanceState ?? "?"} ${i.PrivateIpAddresses?.[0] ?? ""}`.trimEnd()

// -------------------------------------------------------------------------------------------------
// against the emulator

/** The story. Needs the client (`TencentCloud`) and its breaker; `emu` is used to inject faults and to look at what arrived. */
const story = (emu: Emulator.EmulatorHandle) =>
  Effect.gen(function* () {
    const started = Date.now()
    /** Requests the emulator received after `mark` (a sequence number). */
    const since = (mark: number) => emu.requests.list().filter((r) => r.seq > mark)
    const mark = () => emu.requests.last()?.seq ?? 0

    // 1. VPC and subnet -------------------------------------------------------------------------
    yield* step(1, "Create a VPC and a subnet")
    // answer members are optional in the types (an answer may lack one): check the ones we need
    const { Vpc: vpc } = yield* Vpc.createVpc({ VpcName: "quickstart", CidrBlock: "10.0.0.0/16" })
    const vpcId = vpc?.VpcId
    if (vpcId === undefined) return yield* Effect.fail("CreateVpc answered without a VpcId")
    yield* say(`   VPC     ${vpcId}  ${vpc?.CidrBlock}  "${vpc?.VpcName}"`)
    const { Subnet: subnet } = yield* Vpc.createSubnet({
      VpcId: vpcId,
      SubnetName: "web",
      CidrBlock: "10.0.1.0/24",
      Zone: "ap-guangzhou-3"
    })
    const subnetId = subnet?.SubnetId
    if (subnetId === undefined) return yield* Effect.fail("CreateSubnet answered without a SubnetId")
    yield* say(`   subnet  ${subnetId}  ${subnet?.CidrBlock}  ${subnet?.Zone}  (${Number(subnet?.AvailableIpAddressCount)} free addresses)`)

    // 2. instances --------------------------------------------------------------------------------
    yield* step(2, "Run 3 instances in the subnet")
    const run = yield* Cvm.runInstances({
      InstanceCount: 3,
      ImageId: "img-pmqg1cw7",
      InstanceType: "S5.MEDIUM2",
      InstanceName: "web",
      Placement: { Zone: "ap-guangzhou-3" },
      VirtualPrivateCloud: { VpcId: vpcId, SubnetId: subnetId }
    })
    const ids = run.InstanceIdSet ?? []
    yield* say(`   ${ids.join(", ")}`)

    // 3. pages ------------------------------------------------------------------------------------
    yield* step(3, "Stream them back page by page (describeInstancesPages, Limit 2)")
    const pages = yield* Cvm.describeInstancesPages({ Limit: 2, Filters: [{ Name: "vpc-id", Values: [vpcId] }] }).pipe(
      Stream.zipWithIndex,
      Stream.tap(([page, i]) =>
        say(`   page ${i + 1}: ${(page.InstanceSet ?? []).map(brief).join(", ")}${i === 0 ? `   (TotalCount ${Number(page.TotalCount)})` : ""}`)
      ),
      Stream.runCount
    )

    // 4. typed error ------------------------------------------------------------------------------
    yield* step(4, "Handle a typed error by its code")
    const missing = "ins-00000000"
    const handled = yield* Cvm.terminateInstances({ InstanceIds: [missing] }).pipe(
      Effect.as("terminated"),
      // the error type lists every code TerminateInstances declares; catchTag narrows to one
      Effect.catchTag("InvalidInstanceId.NotFound", (e) => Effect.succeed(`${e.code}: ${e.serverMessage}`))
    )
    yield* say(`   terminateInstances(${missing}) failed with ${handled}`)
    yield* say(`   caught with Effect.catchTag("InvalidInstanceId.NotFound", ...); any other code still fails the program`)

    // 5. throttling -------------------------------------------------------------------------------
    yield* step(5, "Survive throttling: the emulator answers RequestLimitExceeded twice")
    emu.faults.add({ service: "cvm", action: "DescribeInstances", times: 2, fault: { kind: "error", code: "RequestLimitExceeded" } })
    let m = mark()
    const listed = yield* Cvm.describeInstances({ InstanceIds: ids })
    const throttled = since(m)
    for (const [i, r] of throttled.entries()) yield* say(`   attempt ${i + 1}: ${r.response.code ?? `ok, ${Number(listed.TotalCount)} instances`}`)
    yield* say(`   retried by the client's retry policy (throttling is always retried, with growing delays)`)

    // 6. region failover --------------------------------------------------------------------------
    yield* step(6, "Fail over while a region's endpoint is down (cvm.ap-shanghai answers HTTP 503)")
    const breaker = yield* RegionBreaker.RegionBreaker
    const changes = yield* breaker.subscribe
    const showChanges = Effect.flatMap(Queue.takeAll(changes), (cs) =>
      Effect.forEach(Chunk.toReadonlyArray(cs), (c) => say(`   breaker: ${c.from} → ${c.to} (${c.reason})`), { discard: true })
    )
    const outage = emu.faults.add({ host: "cvm.ap-shanghai.tencentcloudapi.com", fault: { kind: "http", status: 503 } })
    m = mark()
    const shanghai = yield* Cvm.describeInstances({ Limit: 10 }).pipe(Client.withRegion("ap-shanghai"))
    const failover = since(m)
    const failed = failover.filter((r) => r.response.status !== 200)
    for (const [i, r] of failed.entries()) yield* say(`   attempt ${i + 1} → ${r.host}: HTTP ${r.response.status}`)
    yield* showChanges
    const served = failover[failover.length - 1]
    yield* say(`   attempt ${failover.length} → ${served?.host} (backup): ok, ${Number(shanghai.TotalCount)} instances in ap-shanghai`)
    yield* say(`   (the backup endpoint answers for X-TC-Region ap-shanghai: same data, another way in)`)
    emu.faults.remove(outage)
    yield* say(`   the endpoint is back; after the cool-down the breaker probes it again:`)
    yield* Effect.sleep("550 millis")
    m = mark()
    yield* Cvm.describeInstances({ Limit: 10 }).pipe(Client.withRegion("ap-shanghai"))
    yield* showChanges
    yield* say(`   next call → ${since(m)[0]?.host}: ok`)

    // 7. role credentials --------------------------------------------------------------------------
    yield* step(7, "Sign with a role's temporary key: the CVM instance role, from the metadata server")
    // on a CVM instance: Credentials.layerCvmRole(), or Credentials.layerDefault (environment →
    // profile file → CVM role → TKE OIDC); here the emulator plays the metadata server
    const RoleClient = Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint }).pipe(
      Layer.provide(Credentials.layerCvmRole({ baseUrl: `${emu.endpoint}/latest/meta-data/` })),
      Layer.provide(UndiciHttpClient.layer({ proxy: false }))
    )
    m = mark()
    const zones = yield* Cvm.describeZones({}).pipe(Effect.provide(RoleClient))
    const signed = since(m).find((r) => r.service === "cvm")
    yield* say(`   metadata: role ${since(m)[1]?.path.split("/").pop()} → temporary key ${signed?.secretId} + token (refreshed before it expires)`)
    yield* say(`   DescribeZones signed with it: ok, ${Number(zones.TotalCount)} zones`)

    // summary -------------------------------------------------------------------------------------
    const final = yield* Cvm.describeInstances({ InstanceIds: ids })
    const all = emu.requests.list()
    const states = new Map<string, number>()
    for (const i of final.InstanceSet ?? []) states.set(i.InstanceState ?? "?", (states.get(i.InstanceState ?? "?") ?? 0) + 1)
    yield* say(`\nSummary`)
    yield* say(`   created     1 VPC (${vpcId}), 1 subnet (${subnetId}), ${ids.length} instances (${[...states].map(([s, n]) => `${n} ${s}`).join(", ")})`)
    yield* say(`   paging      ${pages} pages of at most 2 instances`)
    yield* say(`   errors      1 typed error handled by its code`)
    yield* say(`   retries     ${throttled.length - 1} after throttling`)
    yield* say(`   failover    ${failed.length} failed attempts in ap-shanghai, then served by the backup ${served?.host}`)
    yield* say(`   emulator    ${all.length} requests, ${all.filter((r) => r.fault !== undefined).length} faults injected`)
    yield* say(`   time        ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })

/** COS (object storage, its own protocol on the same core): a 12 MB upload in parts, with progress. */
const cosUpload = (emu: Emulator.EmulatorHandle) =>
  Effect.gen(function* () {
    yield* say(`\nCOS (object storage): a 12 MB file uploaded in 3 parts (4 MB each, 3 at a time) to examplebucket-1250000000`)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quickstart-cos-"))
    const file = path.join(dir, "photo-archive.bin")
    fs.writeFileSync(file, Buffer.alloc(12 * 1048576, 1))
    yield* Buckets.createBucket({ bucket: "examplebucket-1250000000" })
    const done = yield* Transfer.uploadWithProgress({ bucket: "examplebucket-1250000000", key: "archive/照片.bin", file, partSize: 4 * 1048576, threshold: 4 * 1048576, concurrency: 3 }).pipe(
      Stream.tap(progressBar("   upload")),
      Transfer.resultOf
    )
    yield* say(`   done: ${done?.parts} parts, CRC-64 ${done?.crc64} checked against the file`)
    fs.rmSync(dir, { recursive: true })
  }).pipe(
    Effect.provide(
      Cos.layer({ region: "ap-guangzhou", connectTo: emu.address }).pipe(
        Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
        Layer.provide(UndiciHttpClient.layer({ proxy: false }))
      )
    )
  )

const emulated = Effect.gen(function* () {
  // instances take 400 ms to boot here (1 s by default) so the summary sees them RUNNING
  const emu = yield* Emulator.make({ timings: { launch: 400 } })
  yield* say(`effect-tencentcloud quickstart, against the local emulator (no account, no network)`)
  yield* say(``)
  yield* say(`   emulator  ${emu.endpoint}, demo key ${Emulator.DEMO_CREDENTIALS.secretId}`)
  yield* say(`   client    region ap-guangzhou, TC3-HMAC-SHA256 over undici, retries, region breaker`)

  // The client: options → Layer. The emulator serves every service on one port: `connectTo`
  // sends requests there while keeping the real Host (cvm.ap-guangzhou.tencentcloudapi.com) in
  // the header and the signature.
  const TencentCloudLive = Client.layer({
    region: "ap-guangzhou",
    regionalEndpoint: true, // cvm.<region>.tencentcloudapi.com, so one region can fail alone
    connectTo: emu.endpoint,
    // the default policy waits 0.5-1 s, 1-2 s, ... after throttling; shortened for the demo
    retryPolicy: Retry.make({ base: "20 millis", throttlingBase: "100 millis" })
  }).pipe(
    // the region breaker: 3 failures in a row open it, calls then go to
    // cvm.ap-guangzhou.tencentcloudapi.com; it probes the region again after 500 ms (60 s by default)
    Layer.provideMerge(
      RegionBreaker.layer({ consecutiveFailures: 3, timeout: "500 millis", maxRequests: 1, backupEndpoint: "ap-guangzhou.tencentcloudapi.com" })
    ),
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    // undici; no proxy, even if HTTP(S)_PROXY is set: the emulator is on this machine
    Layer.provide(UndiciHttpClient.layer({ proxy: false }))
  )

  yield* story(emu).pipe(Effect.provide(TencentCloudLive))
  yield* cosUpload(emu)
  yield* say(`\nNext: docs/getting-started.md, the examples in examples/, and \`npm run emulator\` to keep one running.`)
}).pipe(
  Effect.scoped,
  // the SDK logs breaker changes as warnings; the story prints its own lines instead
  Logger.withMinimumLogLevel(LogLevel.Error)
)

// -------------------------------------------------------------------------------------------------
// --live: read-only calls against the real cloud

const live = Effect.gen(function* () {
  if (!process.env.TENCENTCLOUD_SECRET_ID || !process.env.TENCENTCLOUD_SECRET_KEY) {
    return yield* Effect.fail(
      "--live needs a key: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (a read-only CAM key is enough), or run `npm start` without --live to use the emulator"
    )
  }
  const region = process.env.TENCENTCLOUD_REGION || "ap-guangzhou"
  // The same three layers as for the emulator, with the key from the environment. Other
  // TENCENTCLOUD_* settings (endpoint, timeout, ...) are read too: see docs/configuration.md.
  const TencentCloudLive = Client.layerConfig({ region }).pipe(
    Layer.provide(Credentials.layerEnvironment),
    Layer.provide(UndiciHttpClient.layerDefault)
  )
  yield* say(`effect-tencentcloud quickstart, live: read-only calls to Tencent Cloud in ${region}`)
  yield* Effect.gen(function* () {
    const regions = yield* Cvm.describeRegions({})
    yield* say(`\nDescribeRegions: ${Number(regions.TotalCount)} regions`)
    yield* say(`   ${(regions.RegionSet ?? []).map((r) => r.Region).join(", ")}`)
    const zones = yield* Cvm.describeZones({})
    yield* say(`\nDescribeZones: ${Number(zones.TotalCount)} zones in ${region}`)
    for (const z of zones.ZoneSet ?? []) yield* say(`   ${z.Zone}  ${z.ZoneName}  ${z.ZoneState}`)
    const instances = yield* Cvm.describeInstances({ Limit: 5 })
    yield* say(`\nDescribeInstances (Limit 5): ${Number(instances.TotalCount)} instances in ${region}`)
    for (const i of instances.InstanceSet ?? []) yield* say(`   ${i.InstanceId}  ${i.InstanceName}  ${i.InstanceState}  ${i.InstanceType}  ${i.Placement?.Zone}`)
  }).pipe(Effect.provide(TencentCloudLive))
})

export const main = process.argv.includes("--live") ? live : emulated

runMain(import.meta, main)
