/**
 * The Huawei Cloud generator reads the installed SDK packages' model metadata and is
 * deterministic: generating twice gives the same text, and the committed output is what it
 * generates now (run `npm run codegen:huaweicloud` after upgrading the packages).
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generateAll } from "../../scripts/huaweicloud/main.js"
import { readServiceVersion } from "../../scripts/huaweicloud/model.js"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

describe("scripts/huaweicloud", () => {
  it("is deterministic and matches the committed output", () => {
    const a = generateAll()
    const b = generateAll()
    expect([...a.entries()]).toEqual([...b.entries()])
    for (const [file, text] of a) expect(fs.readFileSync(path.join(ROOT, file), "utf8") === text, file).toBe(true)
  }, 120_000)

  it("observes locations, requiredness and types from the packages", () => {
    const sv = readServiceVersion("vpc", "v2")
    const list = sv.operations.find((o) => o.action === "ListVpcs")!
    expect([list.httpMethod, list.path]).toEqual(["GET", "/v1/{project_id}/vpcs"])
    expect(list.locations).toContainEqual(["limit", "query"])
    const show = sv.operations.find((o) => o.action === "ShowVpc")!
    expect(show.locations).toEqual([["vpc_id", "path"]])
    expect(sv.models.get("ShowVpcRequest")!.members[0].optional).toBe(false)
    expect(sv.models.get("Vpc")!.members.find((m) => m.wire === "routes")!.type).toEqual({ kind: "array", item: { kind: "ref", name: "Route" } })
    const ecs = readServiceVersion("ecs", "v2")
    expect(ecs.operations.find((o) => o.action === "CreateServers")!.locations).toEqual([["X-Client-Token", "header"], ["body", "body"]])
  }, 120_000)
})
