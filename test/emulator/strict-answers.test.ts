/**
 * The emulator checks its own API 3.0 answers strictly (issue 9): a successful answer that does not
 * match the action's response schema is a bug of the emulator, answered as `InternalError` naming
 * every mismatch and reported, never sent; `strictAnswers: false` sends it as it is.
 *
 * The broken answers come from a real state handler (CVM `DescribeInstances`, which answers a
 * number `TotalCount` and an `InstanceSet`) checked against a schema that declares `TotalCount` a
 * string and no `InstanceSet`: through real HTTP, as a client would see them.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as Emulator from "../../src/emulator/index.js"
import { call, code, ok } from "./helpers.js"

const drifted = Emulator.Catalog.fromSchemas([
  {
    service: "cvm",
    version: "2017-03-12",
    actions: {
      DescribeInstances: {
        input: Schema.Struct({}),
        output: Schema.Struct({ TotalCount: Schema.String, Extra: Schema.optional(Schema.Number), RequestId: Schema.String })
      },
      Noop: { input: Schema.Struct({}), output: Schema.Struct({ RequestId: Schema.String }) }
    }
  }
])

const describeInstances = { service: "cvm", version: "2017-03-12", action: "DescribeInstances", region: "ap-guangzhou" } as const

describe("strict answers", () => {
  it("a state handler's answer that does not match its schema is an InternalError naming every mismatch, and is reported", async () => {
    const reported: Array<string> = []
    const emu = await Emulator.start({ catalog: drifted, onAnswerMismatch: (m) => reported.push(m) })
    try {
      const r = await call(emu, describeInstances)
      expect(r.status).toBe(200)
      expect(code(r)).toBe("InternalError")
      const message: string = r.json.Response.Error.Message
      expect(message).toContain("cvm 2017-03-12 DescribeInstances")
      expect(message).toContain("in 2 places")
      expect(message).toContain("TotalCount: expected a string, got the integer 0")
      expect(message).toContain("InstanceSet: expected nothing (the spec has no such member), got a list (0 items)")
      expect(message).toContain("bug of the emulator")
      expect(message).toContain("strictAnswers: false")
      expect(reported).toHaveLength(1)
      expect(reported[0]).toContain(message)
      expect(reported[0]).toContain(r.json.Response.RequestId)
      // recorded as what was answered
      expect(emu.requests.last()?.response.code).toBe("InternalError")
    } finally {
      await emu.close()
    }
  })

  it("a matching answer goes out unchanged (nothing reported)", async () => {
    const reported: Array<string> = []
    const emu = await Emulator.start({ catalog: drifted, onAnswerMismatch: (m) => reported.push(m) })
    try {
      const r = ok(await call(emu, { service: "cvm", version: "2017-03-12", action: "Noop", region: "ap-guangzhou" }))
      expect(Object.keys(r)).toEqual(["RequestId"])
      expect(reported).toEqual([])
    } finally {
      await emu.close()
    }
  })

  it("strictAnswers: false sends the answer as it is", async () => {
    const reported: Array<string> = []
    const emu = await Emulator.start({ catalog: drifted, strictAnswers: false, onAnswerMismatch: (m) => reported.push(m) })
    try {
      const r = ok(await call(emu, describeInstances))
      expect(r.TotalCount).toBe(0)
      expect(r.InstanceSet).toEqual([])
      expect(reported).toEqual([])
    } finally {
      await emu.close()
    }
  })

  it("the stateful answers of the generated catalog match their schemas (CVM, VPC, CBS, STS round trip)", async () => {
    const reported: Array<string> = []
    const emu = await Emulator.start({ onAnswerMismatch: (m) => reported.push(m), timings: { launch: 0 } })
    try {
      const region = "ap-guangzhou"
      const vpc = ok(await call(emu, { service: "vpc", version: "2017-03-12", action: "CreateVpc", region, params: { VpcName: "v", CidrBlock: "10.0.0.0/16" } }))
      const subnet = ok(
        await call(emu, {
          service: "vpc",
          version: "2017-03-12",
          action: "CreateSubnet",
          region,
          params: { VpcId: vpc.Vpc.VpcId, SubnetName: "s", CidrBlock: "10.0.1.0/24", Zone: "ap-guangzhou-3" }
        })
      )
      ok(await call(emu, { service: "vpc", version: "2017-03-12", action: "DescribeVpcs", region }))
      ok(await call(emu, { service: "vpc", version: "2017-03-12", action: "DescribeSubnets", region }))
      const run = ok(
        await call(emu, {
          service: "cvm",
          version: "2017-03-12",
          action: "RunInstances",
          region,
          params: {
            Placement: { Zone: "ap-guangzhou-3" },
            ImageId: "img-pmqg1cw7",
            InstanceType: "S5.MEDIUM2",
            VirtualPrivateCloud: { VpcId: vpc.Vpc.VpcId, SubnetId: subnet.Subnet.SubnetId },
            DataDisks: [{ DiskSize: 50, DiskType: "CLOUD_PREMIUM" }],
            InstanceCount: 2
          }
        })
      )
      expect(run.InstanceIdSet).toHaveLength(2)
      ok(await call(emu, { ...describeInstances, params: { InstanceIds: run.InstanceIdSet } }))
      ok(await call(emu, { service: "cbs", version: "2017-03-12", action: "DescribeDisks", region }))
      const disks = ok(
        await call(emu, { service: "cbs", version: "2017-03-12", action: "CreateDisks", region, params: { Placement: { Zone: "ap-guangzhou-3" }, DiskChargeType: "POSTPAID_BYHOUR", DiskType: "CLOUD_PREMIUM", DiskSize: 20 } })
      )
      expect(disks.DiskIdSet).toHaveLength(1)
      ok(await call(emu, { service: "cvm", version: "2017-03-12", action: "StopInstances", region, params: { InstanceIds: run.InstanceIdSet } }))
      ok(await call(emu, { service: "sts", version: "2018-08-13", action: "AssumeRole", region, params: { RoleArn: "qcs::cam::uin/1:roleName/r", RoleSessionName: "session" } }))
      ok(await call(emu, { service: "sts", version: "2018-08-13", action: "GetFederationToken", region, params: { Name: "federated", Policy: "{\"version\":\"2.0\",\"statement\":[]}" } }))
      expect(reported).toEqual([])
    } finally {
      await emu.close()
    }
  })
})
