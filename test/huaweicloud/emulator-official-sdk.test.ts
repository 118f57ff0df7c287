/**
 * The official Huawei Node SDK (`@huaweicloud/huaweicloud-sdk-vpc`, devDependency) against the
 * emulator: it discovers its project id through the emulated IAM, creates and lists VPCs, gets
 * Huawei's error format for a missing VPC, and is refused for a wrong SK, a stale clock and a
 * request tampered with in transit. This checks the emulator's verification against an
 * independent signer, not against our own.
 *
 * Setup: the SDK is given the real host names with the emulator's port
 * (`http://vpc.cn-north-4.myhuaweicloud.com:PORT`, IAM on the same port) and an `http.Agent` whose
 * `lookup` resolves every name to 127.0.0.1 (axios's `httpAgent`, through the SDK's
 * `axiosRequestConfig` option). The SDK builds its IAM client without those options, so the same
 * agent is also installed as `http.globalAgent` for the duration of this file (restored after).
 * The SDK signs the Host it sends, port included.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import { createRequire } from "node:module"
import * as net from "node:net"
import * as Emulator from "../../src/emulator/index.js"
import { loopbackLookup } from "./helpers.js"

const require = createRequire(import.meta.url)
const core = require("@huaweicloud/huaweicloud-sdk-core") as any
const vpcSdk = require("@huaweicloud/huaweicloud-sdk-vpc/v2/public-api.js") as any

let emu: Emulator.RunningEmulator
let agent: http.Agent
const nodeHttp = require("node:http") as { globalAgent: http.Agent }
const savedGlobalAgent = nodeHttp.globalAgent
const clock = Emulator.manualClock(Date.now())

const client = (opts: { sk?: string; projectId?: string; port?: number } = {}) => {
  const port = opts.port ?? emu.port
  const cred = new core.BasicCredentials()
    .withAk(Emulator.DEMO_CREDENTIALS.secretId)
    .withSk(opts.sk ?? Emulator.DEMO_CREDENTIALS.secretKey)
    .withIamEndpoint(`http://iam.cn-north-4.myhuaweicloud.com:${port}`)
  if (opts.projectId !== undefined) cred.withProjectId(opts.projectId)
  return vpcSdk.VpcClient.newBuilder()
    .withCredential(cred)
    .withRegion(new core.Region("cn-north-4", `http://vpc.cn-north-4.myhuaweicloud.com:${port}`))
    .withOptions({ axiosRequestConfig: { httpAgent: agent } })
    .build()
}

const failure = async (p: Promise<unknown>): Promise<any> => {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error("expected a failure")
}

beforeAll(async () => {
  emu = await Emulator.start({ now: clock.now })
  agent = new http.Agent({ lookup: loopbackLookup })
  nodeHttp.globalAgent = agent
})
afterAll(async () => {
  nodeHttp.globalAgent = savedGlobalAgent
  agent.destroy()
  await emu.close()
})

describe("the official @huaweicloud/huaweicloud-sdk-vpc against the emulator", () => {
  it("discovers the project through IAM, creates and lists VPCs", async () => {
    const c = client()
    const created = await c.createVpc(new vpcSdk.CreateVpcRequest().withBody(new vpcSdk.CreateVpcRequestBody().withVpc(new vpcSdk.CreateVpcOption().withName("sdk-vpc").withCidr("10.1.0.0/16"))))
    expect(created.httpStatusCode).toBe(200)
    expect(created.vpc.name).toBe("sdk-vpc")
    const listed = await c.listVpcs(new vpcSdk.ListVpcsRequest().withLimit(10))
    expect(listed.vpcs.map((v: any) => v.id)).toContain(created.vpc.id)
    const iam = emu.requests.list({ service: "iam" })
    expect(iam.some((r) => r.action === "KeystoneListProjects" && r.response.status === 200)).toBe(true)
    const last = emu.requests.last()!
    expect(last.signatureMethod).toBe("SDK-HMAC-SHA256")
    expect(last.host).toBe(`vpc.cn-north-4.myhuaweicloud.com:${emu.port}`)
    expect(last.headers["authorization"]).toBe("<redacted>")
  })

  it("gets Huawei's error document with X-Request-Id for a missing VPC", async () => {
    const e = await failure(client().showVpc(new vpcSdk.ShowVpcRequest().withVpcId("00000000-0000-0000-0000-000000000000")))
    expect(e.httpStatusCode).toBe(404)
    expect(e.errorCode).toBe("VPC.0202")
    expect(typeof e.requestId).toBe("string")
    expect(e.requestId.length).toBeGreaterThan(0)
  })

  it("is refused with a wrong SK (APIGW.0301, 401)", async () => {
    const e = await failure(client({ sk: "wrong-secret-key-wrong-secret-key-12345", projectId: "0".repeat(32) }).listVpcs(new vpcSdk.ListVpcsRequest()))
    expect(e.httpStatusCode).toBe(401)
    expect(e.errorCode).toBe("APIGW.0301")
    expect(e.errorMsg).toMatch(/signature/)
  })

  it("is refused when its clock is stale (X-Sdk-Date 20 minutes off)", async () => {
    clock.advance(20 * 60 * 1000)
    try {
      const e = await failure(client().listVpcs(new vpcSdk.ListVpcsRequest()))
      expect(e.httpStatusCode).toBe(401)
      expect(e.errorMsg).toMatch(/expired/)
    } finally {
      clock.advance(-20 * 60 * 1000)
    }
  })

  it("is refused when the request is changed in transit", async () => {
    // a proxy that rewrites `limit=1` to `limit=9` in the request line
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(emu.port, "127.0.0.1")
      let first = true
      inbound.on("data", (chunk: Buffer) => {
        if (first) {
          first = false
          outbound.write(Buffer.from(chunk.toString("latin1").replace("limit=1", "limit=9"), "latin1"))
        } else outbound.write(chunk)
      })
      outbound.pipe(inbound)
      inbound.on("error", () => outbound.destroy())
      outbound.on("error", () => inbound.destroy())
    })
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r))
    const port = (proxy.address() as net.AddressInfo).port
    try {
      const ok = await client().listVpcs(new vpcSdk.ListVpcsRequest().withLimit(2))
      expect(ok.httpStatusCode).toBe(200)
      const e = await failure(client({ port }).listVpcs(new vpcSdk.ListVpcsRequest().withLimit(1)))
      expect(e.httpStatusCode).toBe(401)
      expect(e.errorCode).toBe("APIGW.0301")
    } finally {
      proxy.close()
    }
  })
})
