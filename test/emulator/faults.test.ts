/**
 * Fault injection: every fault kind as a client sees it on the wire, matching by service/action and
 * by Host (one region down, its backup up), "next N" and seeded probability, and rules from flags
 * and JSON.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import * as Emulator from "../../src/emulator/index.js"
import { call, code, ok, SPEC_DIR } from "./helpers.js"

let emu: Emulator.RunningEmulator
beforeAll(async () => {
  emu = await Emulator.start({ specDir: SPEC_DIR })
})
afterAll(() => emu.close())
beforeEach(() => emu.faults.clear())

const cvm = { service: "cvm", version: "2017-03-12", region: "ap-guangzhou", action: "DescribeInstances" } as const
const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: NodeJS.ErrnoException) => e)

describe("fault kinds", () => {
  it("error: RequestLimitExceeded and InternalError in the envelope with HTTP 200", async () => {
    emu.faults.add({ action: "DescribeInstances", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
    emu.faults.add({ action: "DescribeZones", times: 1, fault: { kind: "error", code: "InternalError" } })
    const r = await call(emu, cvm)
    expect(r.status).toBe(200)
    expect(code(r)).toBe("RequestLimitExceeded")
    expect(r.json.Response.RequestId).toBeTypeOf("string")
    expect(code(await call(emu, { ...cvm, action: "DescribeZones" }))).toBe("InternalError")
    ok(await call(emu, cvm)) // times: 1 → retired
    expect(emu.faults.list()).toEqual([])
  })

  for (const status of [500, 502, 503]) {
    it(`http ${status} with an HTML body`, async () => {
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "http", status } })
      const r = await call(emu, cvm)
      expect(r.status).toBe(status)
      expect(r.headers["content-type"]).toBe("text/html")
      expect(r.text).toContain(`<title>${status}`)
      expect(emu.requests.last()?.response.status).toBe(status)
    })
  }

  it("reset before the answer: the connection is reset and the request is not processed", async () => {
    emu.faults.add({ action: "RunInstances", times: 1, fault: { kind: "reset" } })
    const before = emu.state.instances("ap-guangzhou").length
    const e = await errorOf(call(emu, { ...cvm, action: "RunInstances", params: { Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-abcdefgh" } }))
    expect(e?.code).toBe("ECONNRESET")
    expect(emu.state.instances("ap-guangzhou").length).toBe(before)
    expect(emu.requests.last()?.response.status).toBe(0)
  })

  it("reset in the middle of the body: the request was processed, the answer cut", async () => {
    emu.faults.add({ action: "RunInstances", times: 1, fault: { kind: "resetMidBody" } })
    const before = emu.state.instances("ap-guangzhou").length
    const e = await errorOf(call(emu, { ...cvm, action: "RunInstances", params: { Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-abcdefgh" } }))
    expect(e?.code ?? e?.message).toMatch(/ECONNRESET|aborted/)
    expect(emu.state.instances("ap-guangzhou").length).toBe(before + 1)
  })

  it("truncated JSON with a matching Content-Length", async () => {
    emu.faults.add({ times: 1, fault: { kind: "truncate" } })
    const r = await call(emu, cvm)
    expect(r.status).toBe(200)
    expect(r.json).toBeUndefined()
    expect(r.text.startsWith('{"Response":')).toBe(true)
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.text))
  })

  it("slow body: the body arrives over the given time", async () => {
    emu.faults.add({ times: 1, fault: { kind: "slowBody", ms: 150 } })
    const t0 = Date.now()
    ok(await call(emu, cvm))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(120)
  })

  it("wrong content type: a correct body labelled text/html", async () => {
    emu.faults.add({ times: 1, fault: { kind: "contentType" } })
    const r = await call(emu, cvm)
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8")
    ok(r)
  })

  it("latency adds up and the request then proceeds", async () => {
    emu.faults.add({ times: 1, fault: { kind: "latency", ms: 60 } })
    emu.faults.add({ service: "cvm", times: 1, fault: { kind: "latency", ms: 60 } })
    const t0 = Date.now()
    ok(await call(emu, cvm))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110)
    expect(emu.requests.last()?.faults).toHaveLength(2)
  })
})

describe("matching", () => {
  it("by Host: one region's endpoint is down while its backup works", async () => {
    emu.faults.add({ host: "*.ap-guangzhou.tencentcloudapi.com", fault: { kind: "http", status: 503 } })
    const primary = await call(emu, { ...cvm, host: "cvm.ap-guangzhou.tencentcloudapi.com" })
    expect(primary.status).toBe(503)
    ok(await call(emu, { ...cvm, host: "cvm.ap-shanghai.tencentcloudapi.com", region: "ap-shanghai" }))
    // the rule stays (no `times`) until removed
    expect((await call(emu, { ...cvm, host: "cvm.ap-guangzhou.tencentcloudapi.com" })).status).toBe(503)
    emu.faults.remove(emu.faults.list()[0].id)
    ok(await call(emu, { ...cvm, host: "cvm.ap-guangzhou.tencentcloudapi.com" }))
  })

  it("by action glob and service; others are untouched", async () => {
    emu.faults.add({ service: "cvm", action: "Describe*", fault: { kind: "error", code: "InternalError" } })
    expect(code(await call(emu, cvm))).toBe("InternalError")
    ok(await call(emu, { service: "vpc", version: "2017-03-12", region: "ap-guangzhou", action: "DescribeVpcs" }))
    expect(code(await call(emu, { ...cvm, action: "RunInstances" }))).not.toBe("InternalError")
  })

  it("the next N", async () => {
    emu.faults.add({ action: "DescribeInstances", times: 3, fault: { kind: "error", code: "RequestLimitExceeded" } })
    const codes: Array<string | undefined> = []
    for (let i = 0; i < 5; i++) codes.push(code(await call(emu, cvm)))
    expect(codes).toEqual(["RequestLimitExceeded", "RequestLimitExceeded", "RequestLimitExceeded", undefined, undefined])
  })

  it("by probability, seeded: the same seed gives the same pattern", async () => {
    const pattern = async (seed: number) => {
      const e = await Emulator.start({ seed, specDir: SPEC_DIR, faults: [{ probability: 0.5, fault: { kind: "error", code: "RequestLimitExceeded" } }] })
      try {
        const out: Array<boolean> = []
        for (let i = 0; i < 24; i++) out.push(code(await call(e, cvm)) === "RequestLimitExceeded")
        return out
      } finally {
        await e.close()
      }
    }
    const a = await pattern(7)
    expect(await pattern(7)).toEqual(a)
    const hits = a.filter(Boolean).length
    expect(hits).toBeGreaterThan(4)
    expect(hits).toBeLessThan(20)
  })
})

describe("rules from flags and JSON", () => {
  it("parses flag rules", () => {
    expect(Emulator.Faults.parseFlag("service=cvm,action=Describe*,kind=error,code=RequestLimitExceeded,times=2")).toEqual({
      service: "cvm",
      action: "Describe*",
      region: undefined,
      host: undefined,
      probability: undefined,
      times: 2,
      fault: { kind: "error", code: "RequestLimitExceeded", message: undefined }
    })
    expect(Emulator.Faults.parseFlag("host=cvm.ap-guangzhou.*,kind=http,status=502")).toMatchObject({ host: "cvm.ap-guangzhou.*", fault: { kind: "http", status: 502 } })
    expect(Emulator.Faults.parseFlag("kind=latency,ms=100,probability=0.25")).toMatchObject({ probability: 0.25, fault: { kind: "latency", ms: 100 } })
    expect(Emulator.Faults.parseFlag("kind=explode")).toMatch(/unknown fault kind/)
    expect(Emulator.Faults.parseFlag("kind=http,status=99")).toMatch(/status/)
    expect(Emulator.Faults.parseFlag("kind=latency,ms=1,probability=2")).toMatch(/probability/)
  })

  it("parses JSON rules, nested or flat", () => {
    const rules = Emulator.Faults.parseJson(
      JSON.stringify([{ action: "RunInstances", times: 1, fault: { kind: "reset" } }, { service: "cbs", kind: "slowBody", ms: 500 }])
    )
    expect(rules).toEqual([
      { action: "RunInstances", times: 1, fault: { kind: "reset" } },
      { service: "cbs", action: undefined, region: undefined, host: undefined, probability: undefined, times: undefined, fault: { kind: "slowBody", ms: 500 } }
    ])
    expect(Emulator.Faults.parseJson("{")).toMatch(/not valid JSON/)
    expect(Emulator.Faults.parseJson('[{"kind":"nope"}]')).toMatch(/rule 0/)
  })

  it("an invalid programmatic rule is refused with a message", () => {
    expect(() => emu.faults.add({ fault: { kind: "http", status: 42 } })).toThrow(/status/)
  })
})
