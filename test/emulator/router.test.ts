/**
 * Routing between protocols: handlers are asked in order, by Host (decided once per Host header and
 * remembered) and by path prefix on any Host; a handler without `routing` is asked every time; what
 * no handler claims is API 3.0.
 */
import { describe, expect, it } from "@effect/vitest"
import type * as http from "node:http"
import type { ProtocolHandler } from "../../src/emulator/protocol.js"
import { makeRouter } from "../../src/emulator/router.js"

const request = (host: string, url: string) => ({ headers: { host }, url }) as unknown as http.IncomingMessage

const handler = (name: string, routing?: ProtocolHandler["routing"], matches: ProtocolHandler["matches"] = () => false): ProtocolHandler => ({
  name,
  matches,
  routing,
  handle: () => {}
})

describe("router", () => {
  it("asks the Host test once per Host header, then answers from memory", () => {
    const asked: Array<string> = []
    const legacy = handler("qcloud2", {
      host: (h) => {
        asked.push(h)
        return h.endsWith(".api.qcloud.com")
      }
    })
    const { protocolOf, hostnameOf } = makeRouter([legacy])
    for (let i = 0; i < 3; i++) {
      expect(protocolOf(request("cvm.api.qcloud.com:8080", "/v2/index.php"))?.name).toBe("qcloud2")
      expect(protocolOf(request("cvm.tencentcloudapi.com", "/"))).toBeUndefined()
    }
    expect(asked).toEqual(["cvm.api.qcloud.com", "cvm.tencentcloudapi.com"])
    expect(hostnameOf("CVM.TencentCloudAPI.com:4599")).toBe("cvm.tencentcloudapi.com")
  })

  it("claims paths on any Host, in the handlers' order, and leaves `/` to API 3.0", () => {
    const huawei = handler("huaweicloud", { host: (h) => h.endsWith(".myhuaweicloud.com"), paths: ["/openstack/latest/"] })
    const metadata = handler("metadata", { host: (h) => h === "metadata.tencentyun.com", paths: ["/latest/meta-data/"] })
    const { protocolOf } = makeRouter([huawei, metadata])
    expect(protocolOf(request("127.0.0.1:4599", "/"))).toBeUndefined()
    expect(protocolOf(request("127.0.0.1:4599", "/latest/meta-data/instance-id"))?.name).toBe("metadata")
    expect(protocolOf(request("127.0.0.1:4599", "/openstack/latest/securitykey"))?.name).toBe("huaweicloud")
    expect(protocolOf(request("metadata.tencentyun.com", "/anything"))?.name).toBe("metadata")
    // a Host claimed by an earlier handler wins over a later handler's path
    expect(protocolOf(request("ecs.cn-north-4.myhuaweicloud.com", "/latest/meta-data/x"))?.name).toBe("huaweicloud")
  })

  it("asks a handler without routing for every request", () => {
    let calls = 0
    const custom = handler("custom", undefined, (_h, req) => {
      calls++
      return req.url === "/custom"
    })
    const { protocolOf } = makeRouter([custom])
    expect(protocolOf(request("x", "/custom"))?.name).toBe("custom")
    expect(protocolOf(request("x", "/"))).toBeUndefined()
    expect(calls).toBe(2)
  })
})
