/**
 * The official Node SDK (`tencentcloud-sdk-nodejs-common` CommonClient and the generated
 * `tencentcloud-sdk-nodejs-cvm` Client, devDependencies) against the emulator: its TC3 POST, TC3
 * GET and v1 HmacSHA256/HmacSHA1 requests are accepted, and a request tampered with in transit is
 * rejected with AuthFailure.SignatureFailure. This checks the emulator's verification against an
 * independent signer, not against our own.
 *
 * Setup: the SDK is given its real endpoint (`cvm.tencentcloudapi.com`) over `http://`, and an
 * `http.Agent` that connects every request to the emulator. The SDK then sends `Host:
 * cvm.tencentcloudapi.com` (no port) and signs exactly that, and takes the service `cvm` from the
 * endpoint's first label: under these inputs its signature is correct by the cloud's rules, so no
 * loosening of the emulator's checks is needed. (Pointing it at `127.0.0.1:<port>` instead would
 * make it sign the service `127` and the host without the port: both wrong by the cloud's rules,
 * and the emulator rejects them as the cloud would.)
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import { createRequire } from "node:module"
import * as net from "node:net"
import type { CommonClient as CommonClientT } from "tencentcloud-sdk-nodejs-common"
import * as Emulator from "../../src/emulator/index.js"
import { SPEC_DIR } from "./helpers.js"

const require = createRequire(import.meta.url)
const { CommonClient } = require("tencentcloud-sdk-nodejs-common") as { CommonClient: typeof CommonClientT }
const cvmSdk = require("tencentcloud-sdk-nodejs-cvm") as { cvm: { v20170312: { Client: new (config: unknown) => any } } }

let emu: Emulator.RunningEmulator
let tamperProxy: net.Server
let tamperPort = 0
let tampered = 0

/** An agent that connects every request to a loopback port, whatever host the URL names. */
const agentTo = (port: () => number) => {
  class LoopbackAgent extends http.Agent {
    override createConnection(): net.Socket {
      return net.createConnection({ host: "127.0.0.1", port: port() })
    }
  }
  return new LoopbackAgent({ keepAlive: false })
}

beforeAll(async () => {
  // the official SDK reads Date.now(), so the emulator uses the real clock here
  emu = await Emulator.start({ specDir: SPEC_DIR })
  // a TCP proxy that changes `"Limit":5` into `"Limit":6` (same length) on the way to the emulator
  tamperProxy = net.createServer((client) => {
    const upstream = net.createConnection({ host: "127.0.0.1", port: emu.port })
    client.on("data", (b: Buffer) => {
      const text = b.toString("latin1")
      const changed = text.replace('"Limit":5', '"Limit":6').replace("Limit=5", "Limit=6")
      if (changed !== text) tampered++
      upstream.write(Buffer.from(changed, "latin1"))
    })
    upstream.pipe(client)
    client.on("error", () => upstream.destroy())
    upstream.on("error", () => client.destroy())
    client.on("end", () => upstream.end())
  })
  await new Promise<void>((r) => tamperProxy.listen(0, "127.0.0.1", r))
  tamperPort = (tamperProxy.address() as net.AddressInfo).port
})
afterAll(async () => {
  await emu.close()
  await new Promise((r) => tamperProxy.close(r))
})

const credential = { secretId: Emulator.DEMO_CREDENTIALS.secretId, secretKey: Emulator.DEMO_CREDENTIALS.secretKey }

const client = (opts: { signMethod?: string; reqMethod?: "GET" | "POST"; viaTamper?: boolean; service?: string; version?: string }) =>
  new CommonClient(`${opts.service ?? "cvm"}.tencentcloudapi.com`, opts.version ?? "2017-03-12", {
    credential,
    region: "ap-guangzhou",
    profile: {
      signMethod: (opts.signMethod ?? "TC3-HMAC-SHA256") as any,
      httpProfile: {
        protocol: "http://",
        reqMethod: opts.reqMethod ?? "POST",
        agent: agentTo(() => (opts.viaTamper ? tamperPort : emu.port))
      }
    }
  })

const cases = [
  { name: "TC3-HMAC-SHA256 POST", signMethod: "TC3-HMAC-SHA256", reqMethod: "POST" },
  { name: "TC3-HMAC-SHA256 GET", signMethod: "TC3-HMAC-SHA256", reqMethod: "GET" },
  { name: "HmacSHA256 GET", signMethod: "HmacSHA256", reqMethod: "GET" },
  { name: "HmacSHA256 POST", signMethod: "HmacSHA256", reqMethod: "POST" },
  { name: "HmacSHA1 GET", signMethod: "HmacSHA1", reqMethod: "GET" },
  { name: "HmacSHA1 POST", signMethod: "HmacSHA1", reqMethod: "POST" }
] as const

describe("the official Node SDK against the emulator", () => {
  for (const c of cases) {
    it(`${c.name} is accepted`, async () => {
      const res = await client(c).request("DescribeInstances", { Limit: 5, Filters: [{ Name: "zone", Values: ["ap-guangzhou-3", "it's a (test)*~"] }] })
      expect(res.TotalCount).toBe(0)
      expect(typeof res.RequestId).toBe("string")
      const rec = emu.requests.last()!
      expect(rec.signatureMethod).toBe(c.signMethod)
      expect(rec.host).toBe("cvm.tencentcloudapi.com")
      expect(rec.response.code).toBeUndefined()
    })

    it(`${c.name} tampered in transit is rejected with AuthFailure.SignatureFailure`, async () => {
      const before = tampered
      const err = await client({ ...c, viaTamper: true })
        .request("DescribeInstances", { Limit: 5 })
        .then(() => undefined, (e: { code?: string }) => e)
      expect(err?.code).toBe("AuthFailure.SignatureFailure")
      expect(tampered).toBe(before + 1)
    })
  }

  it("the generated cvm Client runs, lists and stops instances (state, typed fields)", async () => {
    const cvm = new cvmSdk.cvm.v20170312.Client({
      credential,
      region: "ap-guangzhou",
      profile: { httpProfile: { protocol: "http://", agent: agentTo(() => emu.port) } }
    })
    const run = await cvm.RunInstances({ Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89", InstanceType: "S5.MEDIUM4", InstanceCount: 2 })
    expect(run.InstanceIdSet).toHaveLength(2)
    const d = await cvm.DescribeInstances({ InstanceIds: run.InstanceIdSet })
    expect(d.TotalCount).toBe(2)
    expect(d.InstanceSet[0]).toMatchObject({ InstanceType: "S5.MEDIUM4", CPU: 2, Memory: 4, Placement: { Zone: "ap-guangzhou-3" } })
    const e = await cvm.StartInstances({ InstanceIds: run.InstanceIdSet }).then(() => undefined, (x: { code?: string }) => x)
    expect(e?.code).toMatch(/^UnsupportedOperation\.InstanceState(Pending|Running)$/)
  })

  it("AssumeRoleWithWebIdentity unsigned (skipSign) is accepted", async () => {
    const sts = client({ service: "sts", version: "2018-08-13" })
    const r = await sts.request(
      "AssumeRoleWithWebIdentity",
      { ProviderId: "OIDC", WebIdentityToken: "eyJhbGciOi.x.y", RoleArn: "qcs::cam::uin/100000000001:roleName/oidc", RoleSessionName: "tencentcloud-node-sdk-1" },
      { skipSign: true } as any
    )
    expect(r.Credentials.TmpSecretId).toMatch(/^AKID/)
    expect(emu.requests.last()!.signatureMethod).toBe("SKIP")
  })

  it("an official-SDK error arrives with the cloud's code and RequestId", async () => {
    const err = await client({}).request("DescribeNothing", {}).then(() => undefined, (e: { code?: string; requestId?: string }) => e)
    expect(err?.code).toBe("InvalidAction")
    expect(err?.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })
})
