/**
 * End-to-end: generated actions of several products (cvm, vpc, cbs, sts, tag and a deterministic
 * sample of other products) called over real HTTP through the core (signing, retry, envelope,
 * errors) against the local emulator: request validation before sending, response decoding with
 * the real schemas, pagination streams, typed errors handled by their code, and temporary
 * credentials issued by STS.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import * as Drift from "../../src/Drift.js"
import * as Emulator from "../../src/emulator/index.js"
import * as Cbs from "../../src/generated/cbs/v20170312.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as Sts from "../../src/generated/sts/v20180813.js"
import * as Tag from "../../src/generated/tag/v20180813.js"
import * as Vpc from "../../src/generated/vpc/v20170312.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import * as Retry from "../../src/Retry.js"

const REGION = "ap-guangzhou"
const ZONE = "ap-guangzhou-3"

const sdk = (emu: Emulator.EmulatorHandle, credentials: Credentials.StaticInput = Emulator.DEMO_CREDENTIALS) =>
  Client.layer({
    connectTo: emu.endpoint,
    region: REGION,
    timeout: "5 seconds",
    retryPolicy: Retry.make({ base: "5 millis", throttlingBase: "10 millis" })
  }).pipe(Layer.provide(Credentials.layerStatic(credentials)), Layer.provide(UndiciHttpClient.layerDefault))

describe("a story across cvm, vpc and cbs", () => {
  it.scopedLive("create a VPC and a subnet, run 3 instances in it, stream them back 2 per page, attach a disk", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ timings: { launch: 100, attach: 100 } })
      yield* Effect.gen(function* () {
        const vpc = (yield* Vpc.createVpc({ VpcName: "e2e", CidrBlock: "10.0.0.0/16" })).Vpc!
        expect(vpc.VpcId).toMatch(/^vpc-/)
        expect(vpc.CidrBlock).toBe("10.0.0.0/16")
        const subnet = (yield* Vpc.createSubnet({ VpcId: vpc.VpcId!, SubnetName: "e2e-a", CidrBlock: "10.0.1.0/24", Zone: ZONE })).Subnet!
        const subnetId = subnet.SubnetId ?? "" // optional in the spec's Subnet object
        expect(subnetId).toMatch(/^subnet-/)
        expect(subnet.VpcId).toBe(vpc.VpcId)

        const run = yield* Cvm.runInstances({
          InstanceCount: 3,
          InstanceName: "e2e",
          InstanceType: "S5.MEDIUM4",
          ImageId: "img-eb30mz89",
          Placement: { Zone: ZONE },
          VirtualPrivateCloud: { VpcId: vpc.VpcId!, SubnetId: subnetId }
        })
        const ids = run.InstanceIdSet ?? []
        expect(ids).toHaveLength(3)

        // the items stream: 3 instances in 2 pages of at most 2
        emu.requests.clear()
        const items = Chunk.toReadonlyArray(yield* Stream.runCollect(Cvm.describeInstancesItems({ Limit: 2 })))
        expect(items.map((i) => i.InstanceId).sort()).toEqual([...ids].sort())
        for (const i of items) {
          expect(i.VirtualPrivateCloud?.VpcId).toBe(vpc.VpcId)
          expect(i.VirtualPrivateCloud?.SubnetId).toBe(subnetId)
          expect(i.PrivateIpAddresses?.[0]).toMatch(/^10\.0\.1\./)
        }
        const pageRequests = emu.requests.list({ action: "DescribeInstances" }).map((r) => r.params)
        expect(pageRequests).toEqual([{ Limit: 2 }, { Limit: 2, Offset: 2 }])

        // the pages stream: the same 2 pages
        const pages = Chunk.toReadonlyArray(yield* Stream.runCollect(Cvm.describeInstancesPages({ Limit: 2 })))
        expect(pages.map((p) => p.InstanceSet?.length)).toEqual([2, 1])
        expect(pages.every((p) => p.TotalCount === 3)).toBe(true)
        expect(new Set(pages.map((p) => p.RequestId)).size).toBe(2)

        // the subnet now counts its instances; Describe* with a filter
        const subnets = yield* Vpc.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] })
        expect(subnets.SubnetSet?.map((s) => s.SubnetId)).toEqual([subnetId])

        // wait for RUNNING (the emulator's launch takes 100 ms here)
        const running = yield* Cvm.describeInstances({ InstanceIds: ids }).pipe(
          Effect.delay("25 millis"),
          Effect.repeat({ until: (r) => (r.InstanceSet ?? []).every((i) => i.InstanceState === "RUNNING") }),
          Effect.timeout("3 seconds")
        )
        expect(running.InstanceSet?.map((i) => i.InstanceState)).toEqual(["RUNNING", "RUNNING", "RUNNING"])

        // cbs: a data disk in the same zone, attached to the first instance
        const disks = yield* Cbs.createDisks({ Placement: { Zone: ZONE }, DiskChargeType: "POSTPAID_BYHOUR", DiskType: "CLOUD_PREMIUM", DiskSize: 50, DiskName: "e2e" })
        const diskId = disks.DiskIdSet?.[0] ?? "" // nullable in the spec

        expect(diskId).toMatch(/^disk-/)
        yield* Cbs.attachDisks({ DiskIds: [diskId], InstanceId: ids[0] })
        const all = Chunk.toReadonlyArray(yield* Stream.runCollect(Cbs.describeDisksItems({ Limit: 2 })))
        const mine = all.find((d) => d.DiskId === diskId)
        expect(mine?.DiskName).toBe("e2e")
        expect(["ATTACHING", "ATTACHED"]).toContain(mine?.DiskState)
      }).pipe(Effect.provide(sdk(emu)))
      expect(emu.state.instances(REGION)).toHaveLength(3)
      // every call went over HTTP, TC3-signed, through connectTo
      const log = emu.requests.list()
      expect(log.every((r) => r.signatureMethod === "TC3-HMAC-SHA256" && r.response.status === 200)).toBe(true)
      expect(new Set(log.map((r) => r.service))).toEqual(new Set(["vpc", "cvm", "cbs"]))
    })
  )
})

describe("typed errors handled by their code", () => {
  it.scopedLive("StartInstances of a missing instance: catchTag(\"InvalidInstanceId.NotFound\") handles it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const out = yield* Cvm.startInstances({ InstanceIds: ["ins-00000000"] }).pipe(
        Effect.as("started"),
        Effect.catchTag("InvalidInstanceId.NotFound", (e) => Effect.succeed(`gone: ${e.code} ${e.requestId}`)),
        Effect.provide(sdk(emu))
      )
      expect(out).toBe(`gone: InvalidInstanceId.NotFound ${emu.requests.last()?.response.requestId}`)
      expect(emu.requests.total()).toBe(1)
    })
  )

  it.scopedLive("DeleteVpc of a VPC with a subnet: catchTag(\"ResourceInUse\") handles it; other errors pass through", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const out = yield* Effect.gen(function* () {
        const vpc = (yield* Vpc.createVpc({ VpcName: "busy", CidrBlock: "172.16.0.0/16" })).Vpc!
        yield* Vpc.createSubnet({ VpcId: vpc.VpcId!, SubnetName: "s", CidrBlock: "172.16.0.0/24", Zone: ZONE })
        return yield* Vpc.deleteVpc({ VpcId: vpc.VpcId! }).pipe(
          Effect.as("deleted"),
          Effect.catchTag("ResourceInUse", (e) => Effect.succeed(`in use (${e.action})`))
        )
      }).pipe(Effect.provide(sdk(emu)))
      expect(out).toBe("in use (DeleteVpc)")
      expect(emu.state.vpcs(REGION).some((v: any) => v.VpcName === "busy")).toBe(true)
    })
  )

  it.scopedLive("an API error is an ApiError whose _tag is the code, with where and what to do", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const e = yield* Effect.flip(Cvm.stopInstances({ InstanceIds: ["ins-00000000"] }).pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "InvalidInstanceId.NotFound", service: "cvm", version: "2017-03-12", action: "StopInstances", region: REGION })
      expect(e.message).toContain("InvalidInstanceId.NotFound")
    })
  )
})

describe("request validation before anything is sent", () => {
  it.scopedLive("a wrong-typed field: RequestValidationError naming it; the emulator saw nothing", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const layer = sdk(emu)
      const wrongType = yield* Effect.flip(Cvm.describeInstances({ Limit: "two" } as any).pipe(Effect.provide(layer)))
      expect(wrongType).toMatchObject({ _tag: "RequestValidationError", field: "Limit", service: "cvm", action: "DescribeInstances" })
      expect(wrongType.message).toContain("Nothing was sent")
      // "2" means 2 exactly: sent as 2 by default, refused in strict mode
      const strict = yield* Effect.flip(Drift.withStrict(Cvm.describeInstances({ Limit: "2" } as any)).pipe(Effect.provide(layer)))
      expect(strict).toMatchObject({ _tag: "RequestValidationError", field: "Limit" })
      const nested = yield* Effect.flip(
        Cvm.describeInstances({ Filters: [{ Name: "zone", Values: ZONE }] } as any).pipe(Effect.provide(layer))
      )
      expect(nested).toMatchObject({ _tag: "RequestValidationError", field: "Filters[0].Values" })
      const missing = yield* Effect.flip(Vpc.createVpc({ VpcName: "no-cidr" } as any).pipe(Effect.provide(layer)))
      expect(missing).toMatchObject({ _tag: "RequestValidationError", field: "CidrBlock" })
      const unknown = yield* Effect.flip(Cvm.describeInstances({ limit: 2 } as any).pipe(Effect.provide(layer)))
      expect(unknown).toMatchObject({ _tag: "RequestValidationError", field: "limit" })
      expect(emu.requests.total()).toBe(0)
    })
  )

  it.scopedLive("a value the type allows but the server rejects is the server's typed error (InvalidParameterValue.LimitExceeded)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const out = yield* Cvm.describeInstances({ Limit: 1000 }).pipe(
        Effect.as("listed"),
        Effect.catchTag("InvalidParameterValue.LimitExceeded", (e) => Effect.succeed(`rejected: ${e.serverMessage}`)),
        Effect.provide(sdk(emu))
      )
      expect(out).toMatch(/^rejected: .*Limit/)
      expect(emu.requests.total()).toBe(1)
    })
  )
})

describe("sts: temporary credentials", () => {
  it.scopedLive("AssumeRole issues a key and token that work for a call (X-TC-Token sent); a wrong token is AuthFailure.TokenFailure", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const assumed = yield* Sts.assumeRole({
        RoleArn: "qcs::cam::uin/100000000001:roleName/e2e-reader",
        RoleSessionName: "e2e",
        DurationSeconds: 900
      }).pipe(Effect.provide(sdk(emu)))
      const c = { TmpSecretId: assumed.Credentials!.TmpSecretId!, TmpSecretKey: assumed.Credentials!.TmpSecretKey!, Token: assumed.Credentials!.Token! }
      expect(c.TmpSecretId).not.toBe(Emulator.DEMO_CREDENTIALS.secretId)
      expect(c.Token.length).toBeGreaterThan(0)
      expect(Number(assumed.ExpiredTime) * 1000).toBeGreaterThan(Date.now())

      const temporary = { secretId: c.TmpSecretId, secretKey: c.TmpSecretKey, token: c.Token }
      const r = yield* Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu, temporary)))
      expect(r.TotalCount).toBe(0)
      const last = emu.requests.last()!
      expect(last.action).toBe("DescribeInstances")
      expect(last.secretId).toBe(c.TmpSecretId)
      expect(last.headers["x-tc-token"]).toBe("<redacted>") // sent, and never logged
      expect(last.response.code).toBeUndefined()

      const rejected = yield* Cvm.describeInstances({}).pipe(
        Effect.as("accepted"),
        Effect.catchTag("AuthFailure.TokenFailure", () => Effect.succeed("token rejected")),
        Effect.provide(sdk(emu, { ...temporary, token: "not-the-token" }))
      )
      expect(rejected).toBe("token rejected")
      const noToken = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu, { secretId: c.TmpSecretId, secretKey: c.TmpSecretKey }))))
      expect(noToken._tag).toBe("AuthFailure.TokenFailure")
    })
  )
})

// -------------------------------------------------------------------------------------------------
// spec-shaped generated data, decoded with the real schemas

interface GeneratedModule {
  readonly _actions: Record<string, { readonly input: () => Schema.Schema<any, any>; readonly status: string }>
  readonly [fn: string]: unknown
}

/** Product modules sampled (fixed list; `autoscaling` is the service `as`). */
const SAMPLE: ReadonlyArray<readonly [label: string, load: () => Promise<unknown>]> = [
  ["tag 2018-08-13", () => import("../../src/generated/tag/v20180813.js")],
  ["cdb 2017-03-20", () => import("../../src/generated/cdb/v20170320.js")],
  ["clb 2018-03-17", () => import("../../src/generated/clb/v20180317.js")],
  ["tke 2018-05-25", () => import("../../src/generated/tke/v20180525.js")],
  ["scf 2018-04-16", () => import("../../src/generated/scf/v20180416.js")],
  ["as 2018-04-19", () => import("../../src/generated/autoscaling/v20180419.js")]
]
const PER_MODULE = 3

/** The first `n` online read-only actions (Describe/Get/List, by name) whose request needs no member. */
const pick = (m: GeneratedModule, n: number): ReadonlyArray<string> =>
  Object.keys(m._actions)
    .filter((a) => /^(Describe|Get|List)[A-Z]/.test(a) && m._actions[a].status === "online")
    .sort()
    .filter((a) => Either.isRight(Schema.encodeUnknownEither(m._actions[a].input())({})))
    .slice(0, n)

const lowerCamel = (action: string) => action.charAt(0).toLowerCase() + action.slice(1)

const hasBigInt = (v: unknown, depth = 0): boolean =>
  typeof v === "bigint" ||
  (depth < 12 && v !== null && typeof v === "object" && Object.values(v as object).some((x) => hasBigInt(x, depth + 1)))

describe("spec-shaped generated answers decode with the real schemas", () => {
  it.scopedLive(`${PER_MODULE} read-only actions of each of ${SAMPLE.length} other products decode without ResponseDecodeError`, () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ seed: 7 })
      const called: Array<string> = []
      let bigints = 0
      for (const [label, load] of SAMPLE) {
        const m = (yield* Effect.promise(load)) as GeneratedModule
        const actions = pick(m, PER_MODULE)
        expect(actions, label).toHaveLength(PER_MODULE)
        for (const action of actions) {
          const fn = m[lowerCamel(action)] as (req?: unknown) => Effect.Effect<Record<string, unknown>, { _tag: string; message: string }, Client.TencentCloud>
          expect(typeof fn, `${label} ${action}`).toBe("function")
          const result = yield* fn().pipe(Effect.either, Effect.provide(sdk(emu)))
          if (Either.isLeft(result)) expect.fail(`${label} ${action}: ${result.left._tag}: ${result.left.message}`)
          const r = (result as Either.Right<never, Record<string, unknown>>).right
          expect(typeof r.RequestId).toBe("string")
          if (hasBigInt(r)) bigints++
          called.push(`${label} ${action}`)
        }
      }
      expect(called).toHaveLength(SAMPLE.length * PER_MODULE)
      // every call reached the emulator and was answered with data, not an error
      const log = emu.requests.list()
      expect(log).toHaveLength(called.length)
      expect(log.filter((r) => r.response.code !== undefined).map((r) => `${r.service} ${r.action} ${r.response.code}`)).toEqual([])
      expect(new Set(log.map((r) => r.service))).toEqual(new Set(["tag", "cdb", "clb", "tke", "scf", "as"]))
      // tag DescribeTags is one of them (an action with no required member, called with no argument)
      expect(called.some((c) => c.startsWith("tag "))).toBe(true)
      expect(bigints).toBeGreaterThan(0) // int64 members beyond 2^53 arrive as bigint, exact
    })
  )

  it.scopedLive("tag DescribeTags answers the same deterministic data twice, and pages consistently", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ seed: 7 })
      const [a, b] = yield* Effect.all([Tag.describeTags(), Tag.describeTags({})]).pipe(Effect.provide(sdk(emu)))
      const strip = (r: Record<string, unknown>) => ({ ...r, RequestId: undefined })
      expect(strip(a as any)).toEqual(strip(b as any))
      expect(typeof a.TotalCount === "number" || typeof a.TotalCount === "bigint").toBe(true)
    })
  )
})
