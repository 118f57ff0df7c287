import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Endpoint from "../src/Endpoint.js"

const ok = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got ${String(e.left)}`)
  return e.right
}
const err = <A, E extends { field: string; message: string }>(e: Either.Either<A, E>): E => {
  if (Either.isRight(e)) throw new Error("expected Left")
  return e.left
}

describe("Endpoint.resolve", () => {
  it("defaults to <service>.tencentcloudapi.com", () => {
    expect(ok(Endpoint.resolve({ service: "cvm", region: "ap-guangzhou" }))).toEqual({ scheme: "https", host: "cvm.tencentcloudapi.com" })
  })
  it("uses <service>.<region>.<root> on request", () => {
    expect(ok(Endpoint.resolve({ service: "cvm", region: "ap-shanghai", regionalEndpoint: true })).host).toBe("cvm.ap-shanghai.tencentcloudapi.com")
  })
  it("uses a custom root domain", () => {
    expect(ok(Endpoint.resolve({ service: "as", rootDomain: "internal.tencentcloudapi.com" })).host).toBe("as.internal.tencentcloudapi.com")
  })
  it("uses a custom endpoint as given, keeping a non-default port", () => {
    expect(ok(Endpoint.resolve({ service: "cvm", endpoint: "127.0.0.1:4599", scheme: "http" }))).toEqual({ scheme: "http", host: "127.0.0.1:4599" })
    expect(ok(Endpoint.resolve({ service: "cvm", endpoint: "https://cvm.internal:443/" }))).toEqual({ scheme: "https", host: "cvm.internal" })
    expect(ok(Endpoint.resolve({ service: "cvm", endpoint: "http://localhost:8080" }))).toEqual({ scheme: "http", host: "localhost:8080" })
  })
  it("rejects invalid endpoints, naming the option and the fix", () => {
    for (const bad of ["", " cvm.tencentcloudapi.com", "ftp://x", "https://x/path", "a b", "host:99999", "user@host", "-bad-.com"]) {
      if (bad === "") continue
      const e = err(Endpoint.resolve({ service: "cvm", endpoint: bad }))
      expect(e.field).toBe("endpoint")
      expect(e.message).toMatch(/endpoint/)
      expect(e.message).toMatch(/Nothing was sent/)
    }
  })
  it("rejects an invalid root domain", () => {
    expect(err(Endpoint.resolve({ service: "cvm", rootDomain: "https://x.com" })).field).toBe("rootDomain")
  })
})

describe("validators", () => {
  it("accepts real region ids and rejects others", () => {
    for (const r of ["ap-guangzhou", "na-siliconvalley", "ap-shanghai-fsi", "eu-frankfurt", "ap-hongkong"]) ok(Endpoint.validateRegion(r))
    for (const r of ["AP-GUANGZHOU", "guangzhou", "ap_guangzhou", "ap-guangzhou ", "", "ap-"]) {
      const e = err(Endpoint.validateRegion(r))
      expect(e.field).toBe("region")
      expect(e.message).toContain("ap-guangzhou")
    }
  })
  it("accepts only zh-CN and en-US", () => {
    ok(Endpoint.validateLanguage("zh-CN"))
    ok(Endpoint.validateLanguage("en-US"))
    expect(err(Endpoint.validateLanguage("fr-FR")).message).toContain("zh-CN")
  })
  it("accepts only GET and POST", () => {
    expect(ok(Endpoint.validateMethod("get"))).toBe("GET")
    expect(err(Endpoint.validateMethod("PUT")).field).toBe("method")
  })
})

describe("service, version and action names (issue 14 item 4: checked before a URL is built)", () => {
  it("accepts the names real actions use", () => {
    for (const s of ["cvm", "vpc", "tke", "cls", "ssl", "dnspod", "hunyuan", "tcr", "gme", "tcb", "a", "x-y", "3ds"]) expect(ok(Endpoint.validateService(s))).toBe(s)
    for (const v of ["2017-03-12", "2018-12-05", "2024-02-29", "2019-01-31"]) expect(ok(Endpoint.validateVersion(v))).toBe(v)
    for (const a of ["DescribeInstances", "RunInstances", "ChatCompletions", "A", "Describe2"]) expect(ok(Endpoint.validateAction(a))).toBe(a)
    expect(Either.isRight(Endpoint.validateCall("cvm", "2017-03-12", "DescribeZones"))).toBe(true)
  })
  it("refuses a service that would change the host (the reported redirect), empty names and other junk", () => {
    for (const s of ["x@127.0.0.1:4599/", "", "cvm.evil.com", "cvm:80", "cvm/", "CVM", "-cvm", "cvm-", " cvm", "cvm\n", "a".repeat(64), "cvm?x=1", "cvm#", "ｃｖｍ"]) {
      const e = err(Endpoint.validateService(s))
      expect(e.field).toBe("service")
      expect(e.message).toMatch(/Nothing was sent/)
    }
  })
  it("refuses versions that are not YYYY-MM-DD", () => {
    for (const v of ["", "2017-3-12", "2017-13-01", "2017-00-10", "2017-03-32", "17-03-12", "2017-03-12 ", "2017/03/12", "2017-03-12\r\nX: y", "latest"]) {
      expect(err(Endpoint.validateVersion(v)).field).toBe("version")
    }
  })
  it("refuses actions with anything but letters and digits (CR/LF, spaces, dots, slashes, empty, too long)", () => {
    for (const a of ["", "Describe Instances", "Describe\r\nX-Injected: 1", "Describe.Instances", "../x", "Describe_Instances", "DescribeInstances\u0000", "Ä", "A".repeat(129)]) {
      expect(err(Endpoint.validateAction(a)).field).toBe("action")
    }
    expect(err(Endpoint.validateCall("cvm", "2017-03-12", "bad action")).field).toBe("action")
    expect(err(Endpoint.validateCall("bad service", "nope", "bad action")).field).toBe("service")
  })
  it("shows at most 64 characters of a bad name", () => {
    expect(err(Endpoint.validateAction("x".repeat(10_000) + "!")).message.length).toBeLessThan(400)
  })
})
