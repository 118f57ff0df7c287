/**
 * The stateful core set over HTTP, with a manual clock: CVM instance lifecycle and listing, VPCs
 * and subnets, CBS disks, STS issuing keys; responses shaped by the spec.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import * as Emulator from "../../src/emulator/index.js"
import { call, check, code, HAS_SPECS, ok, SPEC_DIR } from "./helpers.js"

const clock = Emulator.manualClock()
let emu: Emulator.RunningEmulator
beforeAll(async () => {
  emu = await Emulator.start({ now: clock.now, specDir: HAS_SPECS ? SPEC_DIR : undefined, timings: { launch: 10_000, stop: 5_000, start: 5_000, reboot: 3_000, terminate: 2_000, attach: 1_000, detach: 1_000 } })
})
afterAll(() => emu.close())
beforeEach(() => emu.state.reset())

const region = "ap-guangzhou"
const cvm = (action: string, params: Record<string, unknown> = {}, method: "GET" | "POST" = "POST") =>
  call(emu, { service: "cvm", version: "2017-03-12", region, action, params, method })
const vpc = (action: string, params: Record<string, unknown> = {}) => call(emu, { service: "vpc", version: "2017-03-12", region, action, params })
const cbs = (action: string, params: Record<string, unknown> = {}) => call(emu, { service: "cbs", version: "2017-03-12", region, action, params })
const run = async (n: number, extra: Record<string, unknown> = {}) =>
  ok(await cvm("RunInstances", { Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89", InstanceCount: n, ...extra })).InstanceIdSet as Array<string>
const states = async (ids: Array<string>) =>
  (ok(await cvm("DescribeInstances", { InstanceIds: ids })).InstanceSet as Array<any>).map((i) => i.InstanceState)

describe("CVM", () => {
  it("instances go PENDING → RUNNING → STOPPING → STOPPED → STARTING → RUNNING → TERMINATING → gone, on the clock", async () => {
    const ids = await run(2)
    expect(ids).toHaveLength(2)
    expect(await states(ids)).toEqual(["PENDING", "PENDING"])
    clock.advance(10_000)
    expect(await states(ids)).toEqual(["RUNNING", "RUNNING"])
    ok(await cvm("StopInstances", { InstanceIds: ids }))
    expect(await states(ids)).toEqual(["STOPPING", "STOPPING"])
    const d = ok(await cvm("DescribeInstances", { InstanceIds: [ids[0]] })).InstanceSet[0]
    expect(d).toMatchObject({ LatestOperation: "StopInstances", LatestOperationState: "OPERATING" })
    clock.advance(5_000)
    expect(await states(ids)).toEqual(["STOPPED", "STOPPED"])
    ok(await cvm("StartInstances", { InstanceIds: [ids[0]] }))
    clock.advance(5_000)
    expect(await states(ids)).toEqual(["RUNNING", "STOPPED"])
    ok(await cvm("RebootInstances", { InstanceIds: [ids[0]] }))
    expect(await states(ids)).toEqual(["REBOOTING", "STOPPED"])
    clock.advance(3_000)
    ok(await cvm("TerminateInstances", { InstanceIds: ids }))
    expect(await states(ids)).toEqual(["TERMINATING", "TERMINATING"])
    clock.advance(2_000)
    expect(ok(await cvm("DescribeInstances", { InstanceIds: ids })).TotalCount).toBe(0)
  })

  it("an operation in the wrong state fails with UnsupportedOperation.InstanceState<State>; nothing changes", async () => {
    const ids = await run(1)
    expect(code(await cvm("StartInstances", { InstanceIds: ids }))).toBe("UnsupportedOperation.InstanceStatePending")
    clock.advance(10_000)
    expect(code(await cvm("StartInstances", { InstanceIds: ids }))).toBe("UnsupportedOperation.InstanceStateRunning")
    const [other] = await run(1)
    // one bad instance fails the whole batch
    expect(code(await cvm("StopInstances", { InstanceIds: [...ids, other] }))).toBe("UnsupportedOperation.InstanceStatePending")
    expect(await states(ids)).toEqual(["RUNNING"])
  })

  it("unknown and malformed instance ids", async () => {
    expect(code(await cvm("StopInstances", { InstanceIds: ["ins-00000000"] }))).toBe("InvalidInstanceId.NotFound")
    expect(code(await cvm("StopInstances", { InstanceIds: ["i-bad"] }))).toBe("InvalidInstanceId.Malformed")
    expect(code(await cvm("DescribeInstances", { InstanceIds: ["i-bad"] }))).toBe("InvalidInstanceId.Malformed")
    expect(ok(await cvm("DescribeInstances", { InstanceIds: ["ins-00000000"] })).TotalCount).toBe(0)
  })

  it("DescribeInstances pages with Offset/Limit and filters (GET and POST alike)", async () => {
    await run(3, { InstanceName: "web", TagSpecification: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "a" }] }] })
    await run(2, { InstanceName: "db", Placement: { Zone: "ap-guangzhou-6" } })
    const all = ok(await cvm("DescribeInstances", { Limit: 2 }))
    expect(all.TotalCount).toBe(5)
    expect(all.InstanceSet).toHaveLength(2)
    const names: Array<string> = []
    for (let off = 0; off < 5; off += 2) {
      const page = ok(await cvm("DescribeInstances", { Offset: off, Limit: 2 }, "GET"))
      names.push(...page.InstanceSet.map((i: any) => i.InstanceName))
    }
    expect(names).toEqual(["web1", "web2", "web3", "db1", "db2"])
    const z = ok(await cvm("DescribeInstances", { Filters: [{ Name: "zone", Values: ["ap-guangzhou-6"] }] }, "GET"))
    expect(z.TotalCount).toBe(2)
    const t = ok(await cvm("DescribeInstances", { Filters: [{ Name: "tag:team", Values: ["a"] }, { Name: "instance-state", Values: ["PENDING"] }] }))
    expect(t.TotalCount).toBe(3)
    expect(code(await cvm("DescribeInstances", { Filters: [{ Name: "colour", Values: ["red"] }] }))).toBe("InvalidFilter")
    expect(code(await cvm("DescribeInstances", { Limit: 101 }))).toBe("InvalidParameterValue.LimitExceeded")
    expect(code(await cvm("DescribeInstances", { InstanceIds: ["ins-00000000"], Filters: [] }))).toBe("InvalidParameter")
  })

  it("instances are shaped like the API's Instance, in the default VPC when none is given", async () => {
    const [id] = await run(1, { InstanceType: "S5.2XLARGE16", InternetAccessible: { InternetMaxBandwidthOut: 10, PublicIpAssigned: true }, DataDisks: [{ DiskSize: 100, DiskType: "CLOUD_SSD" }] })
    const i = ok(await cvm("DescribeInstances", { InstanceIds: [id] })).InstanceSet[0]
    expect(i).toMatchObject({ InstanceId: id, CPU: 8, Memory: 16, InstanceState: "PENDING", InstanceChargeType: "POSTPAID_BY_HOUR", Placement: { Zone: "ap-guangzhou-3" } })
    expect(i.PrivateIpAddresses[0]).toMatch(/^172\.16\.\d+\.\d+$/)
    expect(i.PublicIpAddresses[0]).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    expect(i.DataDisks).toHaveLength(1)
    expect(i.CreatedTime).toBe(new Date(clock.now()).toISOString().replace(".000Z", "Z"))
    const vpcs = ok(await vpc("DescribeVpcs")).VpcSet
    expect(vpcs).toHaveLength(1)
    expect(vpcs[0]).toMatchObject({ IsDefault: true, VpcId: i.VirtualPrivateCloud.VpcId })
    // the data disk is a CBS disk attached to the instance
    const disks = ok(await cbs("DescribeDisks", { Filters: [{ Name: "instance-id", Values: [id] }] })).DiskSet
    expect(disks.map((d: any) => d.DiskUsage).sort()).toEqual(["DATA_DISK", "SYSTEM_DISK"])
  })

  it("ClientToken makes RunInstances idempotent; DryRun answers DryRunOperation", async () => {
    const a = await run(2, { ClientToken: "tok-1" })
    const b = await run(2, { ClientToken: "tok-1" })
    expect(b).toEqual(a)
    expect(ok(await cvm("DescribeInstances")).TotalCount).toBe(2)
    expect(code(await cvm("RunInstances", { Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89", DryRun: true }))).toBe("DryRunOperation")
  })

  it("RunInstances checks zone, image and network", async () => {
    expect(code(await cvm("RunInstances", { ImageId: "img-eb30mz89" }))).toBe("MissingParameter")
    expect(code(await cvm("RunInstances", { Placement: { Zone: "ap-shanghai-2" }, ImageId: "img-eb30mz89" }))).toBe("InvalidZone.MismatchRegion")
    expect(code(await cvm("RunInstances", { Placement: { Zone: "ap-guangzhou-3" }, ImageId: "bad" }))).toBe("InvalidImageId.Malformed")
    expect(code(await cvm("RunInstances", { Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89", VirtualPrivateCloud: { VpcId: "vpc-00000000", SubnetId: "subnet-00000000" } }))).toBe(
      "InvalidParameterValue.VpcIdNotExist"
    )
  })

  it("regions are separate", async () => {
    await run(1)
    const sh = ok(await call(emu, { service: "cvm", version: "2017-03-12", region: "ap-shanghai", action: "DescribeInstances" }))
    expect(sh.TotalCount).toBe(0)
    expect(emu.state.instances(region)).toHaveLength(1)
  })
})

describe("VPC", () => {
  it("create, describe, delete VPCs and subnets with the cloud's rules", async () => {
    const v = ok(await vpc("CreateVpc", { VpcName: "main", CidrBlock: "10.0.0.0/16", Tags: [{ Key: "env", Value: "test" }] })).Vpc
    expect(v).toMatchObject({ VpcName: "main", CidrBlock: "10.0.0.0/16", IsDefault: false, TagSet: [{ Key: "env", Value: "test" }] })
    expect(v.VpcId).toMatch(/^vpc-[a-z0-9]{8}$/)
    const s = ok(await vpc("CreateSubnet", { VpcId: v.VpcId, SubnetName: "a", CidrBlock: "10.0.1.0/24", Zone: "ap-guangzhou-3" })).Subnet
    expect(s).toMatchObject({ VpcId: v.VpcId, CidrBlock: "10.0.1.0/24", Zone: "ap-guangzhou-3", TotalIpAddressCount: 256, AvailableIpAddressCount: 253 })
    expect(code(await vpc("CreateSubnet", { VpcId: v.VpcId, SubnetName: "b", CidrBlock: "10.0.1.128/25", Zone: "ap-guangzhou-3" }))).toBe("InvalidParameterValue.SubnetConflict")
    expect(code(await vpc("CreateSubnet", { VpcId: v.VpcId, SubnetName: "c", CidrBlock: "10.1.0.0/24", Zone: "ap-guangzhou-3" }))).toBe("InvalidParameterValue.SubnetRange")
    expect(code(await vpc("CreateVpc", { VpcName: "x", CidrBlock: "8.8.8.0/24" }))).toBe("InvalidParameterValue.Range")
    expect(code(await vpc("CreateVpc", { VpcName: "x", CidrBlock: "10.0.0.1/16" }))).toBe("InvalidParameterValue.Malformed")
    // DescribeVpcs takes Offset/Limit as strings in this API
    const page = ok(await vpc("DescribeVpcs", { Offset: "0", Limit: "10", Filters: [{ Name: "vpc-name", Values: ["main"] }] }))
    expect(page.TotalCount).toBe(1)
    expect(ok(await vpc("DescribeSubnets", { Filters: [{ Name: "vpc-id", Values: [v.VpcId] }] })).SubnetSet).toHaveLength(1)
    // instances in the subnet keep it; subnets keep the VPC
    const [id] = await run(1, { VirtualPrivateCloud: { VpcId: v.VpcId, SubnetId: s.SubnetId } })
    expect(ok(await vpc("DescribeSubnets", { SubnetIds: [s.SubnetId] })).SubnetSet[0].AvailableIpAddressCount).toBe(252)
    expect(code(await vpc("DeleteSubnet", { SubnetId: s.SubnetId }))).toBe("ResourceInUse")
    expect(code(await vpc("DeleteVpc", { VpcId: v.VpcId }))).toBe("ResourceInUse")
    clock.advance(10_000)
    ok(await cvm("TerminateInstances", { InstanceIds: [id] }))
    clock.advance(2_000)
    ok(await vpc("DeleteSubnet", { SubnetId: s.SubnetId }))
    ok(await vpc("DeleteVpc", { VpcId: v.VpcId }))
    expect(code(await vpc("DeleteVpc", { VpcId: v.VpcId }))).toBe("ResourceNotFound")
  })
})

describe("CBS", () => {
  it("create, attach (ATTACHING → ATTACHED), detach, terminate", async () => {
    const [id] = await run(1)
    clock.advance(10_000)
    const disks = ok(await cbs("CreateDisks", { Placement: { Zone: "ap-guangzhou-3" }, DiskChargeType: "POSTPAID_BYHOUR", DiskType: "CLOUD_SSD", DiskSize: 100, DiskCount: 2 })).DiskIdSet
    expect(disks).toHaveLength(2)
    const state = async () => (ok(await cbs("DescribeDisks", { DiskIds: disks })).DiskSet as Array<any>).map((d) => d.DiskState)
    expect(await state()).toEqual(["UNATTACHED", "UNATTACHED"])
    ok(await cbs("AttachDisks", { InstanceId: id, DiskIds: [disks[0]] }))
    expect(await state()).toEqual(["ATTACHING", "UNATTACHED"])
    expect(code(await cbs("AttachDisks", { InstanceId: id, DiskIds: [disks[0]] }))).toBe("ResourceUnavailable.Attached")
    clock.advance(1_000)
    expect(await state()).toEqual(["ATTACHED", "UNATTACHED"])
    expect(code(await cbs("TerminateDisks", { DiskIds: [disks[0]] }))).toBe("UnsupportedOperation")
    ok(await cbs("DetachDisks", { DiskIds: [disks[0]] }))
    clock.advance(1_000)
    const d0 = ok(await cbs("DescribeDisks", { DiskIds: [disks[0]] })).DiskSet[0]
    expect(d0).toMatchObject({ DiskState: "UNATTACHED", InstanceId: "", LastAttachInsId: id, Attached: false })
    ok(await cbs("TerminateDisks", { DiskIds: disks }))
    expect(ok(await cbs("DescribeDisks", { DiskIds: disks })).TotalCount).toBe(0)
    expect(code(await cbs("AttachDisks", { InstanceId: "ins-00000000", DiskIds: ["disk-00000000"] }))).toBe("InvalidDiskId.NotFound")
  })
})

describe("STS", () => {
  it("AssumeRole, GetFederationToken and AssumeRoleWithWebIdentity issue expiring keys", async () => {
    const a = ok(await call(emu, { service: "sts", version: "2018-08-13", region, action: "AssumeRole", params: { RoleArn: "qcs::cam::uin/100000000001:roleName/r", RoleSessionName: "s-1" } }))
    expect(a.ExpiredTime).toBe(Math.floor(clock.now() / 1000) + 7200)
    expect(a.Expiration).toBe(new Date(clock.now() + 7200_000).toISOString().replace(".000Z", "Z"))
    const f = ok(await call(emu, { service: "sts", version: "2018-08-13", region, action: "GetFederationToken", params: { Name: "fed", Policy: "{}" } }))
    expect(f.ExpiredTime).toBe(Math.floor(clock.now() / 1000) + 1800)
    expect(emu.state.temporaryCredentials().map((c) => c.secretId)).toEqual([a.Credentials.TmpSecretId, f.Credentials.TmpSecretId])
    expect(code(await call(emu, { service: "sts", version: "2018-08-13", region, action: "AssumeRole", params: { RoleArn: "nope", RoleSessionName: "s-1" } }))).toBe("InvalidParameter.ParamError")
    expect(code(await call(emu, { service: "sts", version: "2018-08-13", region, action: "AssumeRole", params: { RoleArn: "qcs::cam::uin/1:roleName/r", RoleSessionName: "s-1", DurationSeconds: 50000 } }))).toBe(
      "InvalidParameter.OverTimeError"
    )
  })
})

describe("stateful responses match the spec", () => {
  const spec = Emulator.Catalog.fromSpecDir(SPEC_DIR)
  const conforms = (service: string, version: string, action: string, response: unknown) => {
    const l = spec.lookup(service, version, action)
    if (l instanceof Promise || l._tag !== "Found") throw new Error(`no spec for ${service} ${action}`)
    expect(check(l.def.output(), response, action)).toBeUndefined()
  }

  it.skipIf(!HAS_SPECS)("every modelled action answers with the members, types and nullability of its spec", async () => {
    const ids = await run(2, { DataDisks: [{ DiskSize: 20 }], InternetAccessible: { InternetMaxBandwidthOut: 1 } })
    conforms("cvm", "2017-03-12", "DescribeInstances", ok(await cvm("DescribeInstances")))
    clock.advance(10_000)
    for (const a of ["StopInstances", "DescribeInstances"]) conforms("cvm", "2017-03-12", a, ok(await cvm(a, a === "DescribeInstances" ? {} : { InstanceIds: ids })))
    const v = ok(await vpc("CreateVpc", { VpcName: "n", CidrBlock: "192.168.0.0/16" }))
    conforms("vpc", "2017-03-12", "CreateVpc", v)
    conforms("vpc", "2017-03-12", "CreateSubnet", ok(await vpc("CreateSubnet", { VpcId: v.Vpc.VpcId, SubnetName: "s", CidrBlock: "192.168.0.0/24", Zone: "ap-guangzhou-3" })))
    conforms("vpc", "2017-03-12", "DescribeVpcs", ok(await vpc("DescribeVpcs")))
    conforms("vpc", "2017-03-12", "DescribeSubnets", ok(await vpc("DescribeSubnets")))
    conforms("cbs", "2017-03-12", "CreateDisks", ok(await cbs("CreateDisks", { Placement: { Zone: "ap-guangzhou-3" }, DiskChargeType: "POSTPAID_BYHOUR", DiskType: "CLOUD_PREMIUM", DiskSize: 10 })))
    conforms("cbs", "2017-03-12", "DescribeDisks", ok(await cbs("DescribeDisks")))
    for (const a of ["AssumeRole", "GetFederationToken"]) {
      const params = a === "AssumeRole" ? { RoleArn: "qcs::cam::uin/1:roleName/r", RoleSessionName: "s-1" } : { Name: "fed", Policy: "{}" }
      conforms("sts", "2018-08-13", a, ok(await call(emu, { service: "sts", version: "2018-08-13", region, action: a, params })))
    }
  })

  it("flattened names cannot reach the object prototype", async () => {
    const r = await call(emu, { service: "cvm", version: "2017-03-12", region, action: "DescribeInstances", method: "GET", params: { ["__proto__"]: { polluted: "yes" } } as any })
    expect(r.status).toBe(200)
    expect(({} as any).polluted).toBeUndefined()
  })
})
