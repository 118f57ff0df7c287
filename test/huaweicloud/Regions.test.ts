/**
 * Region sources: the regions.yaml format (block and inline lists, `endpoints` before `endpoint`,
 * errors with the line), the environment variable's name and list, and the resolution order.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as Regions from "../../src/huaweicloud/Regions.js"

describe("regions.yaml", () => {
  it("parses services (any case), block and inline lists, endpoints before endpoint", () => {
    const text = [
      "# regions",
      "ecs:",
      "  - id: 'cn-north-9'",
      "    endpoints:",
      "      - 'https://ecs.cn-north-9.myhuaweicloud.com'",
      "      - \"https://ecs.cn-north-9.example.com\"  # backup",
      "    endpoint: https://third.example.com",
      "  - id: cn-north-4",
      "    endpoint: 'https://ecs.cn-north-4.myhuaweicloud.com'",
      "VPC:",
      "  - id: ap-southeast-1",
      "    endpoints: [https://a.example.com, 'https://b.example.com:8443']"
    ].join("\n")
    const parsed = Either.getOrThrow(Regions.parseRegionsFile(text, "regions.yaml"))
    expect(parsed.get("ECS")).toEqual([
      { id: "cn-north-9", endpoints: ["https://ecs.cn-north-9.myhuaweicloud.com", "https://ecs.cn-north-9.example.com", "https://third.example.com"] },
      { id: "cn-north-4", endpoints: ["https://ecs.cn-north-4.myhuaweicloud.com"] }
    ])
    expect(parsed.get("VPC")).toEqual([{ id: "ap-southeast-1", endpoints: ["https://a.example.com", "https://b.example.com:8443"] }])
  })
  it("a malformed file fails with its line", () => {
    const bad = Regions.parseRegionsFile("ECS:\n  - id: cn-north-4\n    endpont: https://x\n", "r.yaml")
    expect(Either.isLeft(bad) && bad.left.message).toMatch(/r\.yaml:3.*unknown key "endpont"/)
    const noEndpoint = Regions.parseRegionsFile("ECS:\n  - id: cn-north-4\n", "r.yaml")
    expect(Either.isLeft(noEndpoint) && noEndpoint.left.message).toMatch(/no endpoint/)
    const badUrl = Regions.parseRegionsFile("ECS:\n  - id: x-y-1\n    endpoint: https://h/path\n", "r.yaml")
    expect(Either.isLeft(badUrl)).toBe(true)
  })
})

describe("resolution", () => {
  it("the variable name", () => {
    expect(Regions.environmentVariable("ecs", "cn-north-9")).toBe("HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_9")
  })
  it.effect("code, then environment (a list), then the regions file, then the public pattern", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "hw-r-")))
      const file = path.join(dir, "regions.yaml")
      yield* Effect.promise(() => fs.writeFile(file, "VPC:\n  - id: cn-east-3\n    endpoint: https://from-file.example.com\n"))
      Regions.clearFileCache()
      const env = ConfigProvider.fromMap(new Map([["HUAWEICLOUD_SDK_REGION_VPC_CN_NORTH_4", "https://e1.example.com, https://e2.example.com"], ["HUAWEICLOUD_SDK_REGIONS_FILE", file]]))
      const resolve = (id: string, o: Regions.ResolveOptions = {}) => Regions.resolve("vpc", id, o).pipe(Effect.withConfigProvider(env))
      expect(yield* resolve("cn-north-4", { regions: { vpc: [Regions.make("cn-north-4", "https://code.example.com")] } })).toEqual({ id: "cn-north-4", endpoints: ["https://code.example.com"], source: "code" })
      expect(yield* resolve("cn-north-4")).toEqual({ id: "cn-north-4", endpoints: ["https://e1.example.com", "https://e2.example.com"], source: "environment" })
      expect(yield* resolve("cn-east-3")).toEqual({ id: "cn-east-3", endpoints: ["https://from-file.example.com"], source: "profile" })
      expect(yield* resolve("ap-southeast-1")).toEqual({ id: "ap-southeast-1", endpoints: ["https://vpc.ap-southeast-1.myhuaweicloud.com"], source: "default" })
      const bad = yield* Effect.flip(resolve("Not A Region"))
      expect(bad.message).toMatch(/not a Huawei Cloud region id/)
    }))
})
