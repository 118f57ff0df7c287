/**
 * Huawei error documents read as the SDK reads them, the categories retries and the breaker use,
 * and the SDK's exception classes for every failure.
 */
import { describe, expect, it } from "@effect/vitest"
import { classify, NetworkError, TimeoutError } from "../../src/Errors.js"
import * as Errors from "../../src/huaweicloud/Errors.js"

const site = { service: "vpc", version: "v2", action: "ShowVpc", region: "cn-north-4" }

describe("error documents", () => {
  it("error_code/error_msg, errorCode/errorMsg, code/message, nested, or the status", () => {
    expect(Errors.parseErrorBody(400, '{"error_code":"VPC.0101","error_msg":"bad","encoded_authorization_message":"enc"}')).toMatchObject({ errorCode: "VPC.0101", errorMsg: "bad", encodedAuthorizationMessage: "enc" })
    expect(Errors.parseErrorBody(400, '{"errorCode":"X.1","errorMsg":"m"}')).toMatchObject({ errorCode: "X.1", errorMsg: "m" })
    expect(Errors.parseErrorBody(404, '{"code":"VPC.0202","message":"nf"}')).toMatchObject({ errorCode: "VPC.0202", errorMsg: "nf" })
    expect(Errors.parseErrorBody(404, '{"error":{"code":"Ecs.0114","message":"gone"}}')).toMatchObject({ errorCode: "Ecs.0114", errorMsg: "gone" })
    expect(Errors.parseErrorBody(502, "<html>bad gateway</html>")).toMatchObject({ errorCode: "502", errorMsg: "<html>bad gateway</html>" })
  })
  it("the error: _tag is the code, kind by status, request id from X-Request-Id", () => {
    const e = Errors.fromAnswer(404, '{"error_code":"VPC.0202","error_msg":"nf","request_id":"body-id"}', "hdr-id", site)
    expect([e._tag, e.kind, e.requestId, e.category]).toEqual(["VPC.0202", "ClientRequest", "hdr-id", "client"])
    expect(e.message).toContain("VPC.0202: nf (HTTP 404")
    expect(Errors.fromAnswer(404, '{"error_code":"A","error_msg":"b","request_id":"body-id"}', undefined, site).requestId).toBe("body-id")
    expect(Errors.fromAnswer(503, "", "r", site).kind).toBe("ServerResponse")
  })
  it("categories drive the shared classification", () => {
    expect(classify(Errors.fromAnswer(429, "{}", "r", site))).toMatchObject({ retry: "always", region: true })
    expect(classify(Errors.fromAnswer(400, '{"error_code":"APIGW.0308","error_msg":"x"}', "r", site))).toMatchObject({ retry: "always" })
    expect(classify(Errors.fromAnswer(503, "{}", "r", site))).toMatchObject({ retry: "ifSafe", region: true })
    expect(classify(Errors.fromAnswer(500, "{}", "r", site))).toMatchObject({ retry: "never", region: false })
    expect(classify(Errors.fromAnswer(403, "{}", "r", site))).toMatchObject({ retry: "never", region: true })
  })
  it("the SDK's exception classes", () => {
    const net = (reason: NetworkError["reason"]) => new NetworkError({ ...site, reason, traceId: "t", message: "m" })
    expect(Errors.kindOf(net("DNS"))).toBe("HostUnreachable")
    expect(Errors.kindOf(net("Connect"))).toBe("HostUnreachable")
    expect(Errors.kindOf(net("TLS"))).toBe("SslHandShake")
    expect(Errors.kindOf(net("Reset"))).toBe("Connection")
    expect(Errors.isConnection(net("Reset"))).toBe(true)
    expect(Errors.kindOf(new TimeoutError({ ...site, timeoutMillis: 1, traceId: "t", message: "m" }))).toBe("CallTimeout")
    expect(Errors.isRequestTimeout(new Errors.RetryOutageError({ ...site, status: 302, location: undefined, requestId: "", message: "m" }))).toBe(true)
    expect(Errors.kindOf(new Error("x"))).toBe("Other")
  })
})
