/**
 * Request validation and generated responses, driven by action definitions from two sources:
 * `effect/Schema` ASTs (the generated modules' contract: optional members, NullOr, lists,
 * recursion through suspend, int64 as Union(number, bigint) with a wire annotation) and tccli
 * `api.json` specs. Generated data is deterministic, spec-shaped, pages consistently and decodes
 * with the action's own response schema.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Emulator from "../../src/emulator/index.js"
import { ANY, fromAst } from "../../src/emulator/shape.js"
import { unflatten, validate } from "../../src/emulator/validate.js"
import { call, code, HAS_SPECS, ok, SPEC_DIR, specCatalog } from "./helpers.js"

// the generator marks int64/uint64/datetime with an annotation; any symbol carrying the format works
const Wire = Symbol.for("effect-tencentcloud/test/wire")
const Int64 = Schema.Union(Schema.Number, Schema.BigIntFromSelf).annotations({ [Wire]: "int64" })
const UInt64 = Schema.Union(Schema.Number, Schema.BigIntFromSelf).annotations({ [Wire]: "uint64" })
const Datetime = Schema.String.annotations({ [Wire]: "datetime" })

interface Node {
  readonly Name: string
  readonly Children?: ReadonlyArray<Node> | undefined
}
const Node: Schema.Schema<Node> = Schema.Struct({
  Name: Schema.String,
  Children: Schema.optional(Schema.Array(Schema.suspend((): Schema.Schema<Node> => Node)))
}).annotations({ identifier: "Node" })

const Filter = Schema.Struct({ Name: Schema.String, Values: Schema.Array(Schema.String) }).annotations({ identifier: "Filter" })
const Item = Schema.Struct({
  ItemId: UInt64,
  Name: Schema.String,
  Note: Schema.NullOr(Schema.String),
  Size: Schema.optional(Int64),
  CreatedTime: Datetime,
  Ratio: Schema.Number,
  Enabled: Schema.Boolean,
  Tree: Schema.optional(Node)
}).annotations({ identifier: "Item" })

const ListItemsRequest = Schema.Struct({
  Filters: Schema.optional(Schema.Array(Filter)),
  Offset: Schema.optional(UInt64),
  Limit: Schema.optional(UInt64),
  Verbose: Schema.optional(Schema.Boolean),
  Tree: Schema.optional(Node)
})
const ListItemsResponse = Schema.Struct({ TotalCount: UInt64, ItemSet: Schema.Array(Item), RequestId: Schema.String })
const GetItemRequest = Schema.Struct({ ItemId: UInt64, Scale: Schema.optional(Schema.Number) })
const GetItemResponse = Schema.Struct({ Item: Item, Big: Int64, RequestId: Schema.String })

const fixtures = Emulator.Catalog.fromSchemas([
  {
    service: "demo",
    version: "2024-01-01",
    actions: {
      ListItems: { input: ListItemsRequest, output: ListItemsResponse },
      GetItem: { input: GetItemRequest, output: GetItemResponse },
      OldThing: { input: Schema.Struct({}), output: Schema.Struct({ RequestId: Schema.String }), status: "offline" }
    }
  },
  { service: "demo", version: "2025-01-01", actions: {} }
])

let emu: Emulator.RunningEmulator
beforeAll(async () => {
  emu = await Emulator.start({ catalog: Emulator.Catalog.combine(fixtures, specCatalog()), seed: 3 })
})
afterAll(() => emu.close())

const demo = (action: string, params: Record<string, unknown>, method: "GET" | "POST" = "POST", signMethod?: "HmacSHA256") =>
  call(emu, { service: "demo", version: "2024-01-01", action, params, method, signMethod })

describe("shapes from effect/Schema ASTs", () => {
  it("walks optional, nullable, lists, recursion and int64 annotations", () => {
    const s = fromAst(GetItemResponse.ast)
    if (s._tag !== "Struct") throw new Error("not a struct")
    const item = s.byName.get("Item")!.shape
    if (item._tag !== "Struct") throw new Error("not a struct")
    expect(item.name).toBe("Item")
    expect(item.byName.get("ItemId")).toMatchObject({ optional: false, nullable: false, shape: { _tag: "Int", unsigned: true } })
    expect(item.byName.get("Note")).toMatchObject({ optional: false, nullable: true, shape: { _tag: "String" } })
    expect(item.byName.get("Size")).toMatchObject({ optional: true, shape: { _tag: "Int", unsigned: false } })
    expect(item.byName.get("CreatedTime")?.shape).toEqual({ _tag: "String", format: "datetime" })
    const tree = item.byName.get("Tree")!.shape
    if (tree._tag !== "Struct") throw new Error("not a struct")
    const children = tree.byName.get("Children")!.shape
    expect(children._tag === "Array" && children.item).toBe(tree) // cyclic
  })

  it("terminates on recursion through thunks that build a fresh struct on every call", () => {
    interface Rec {
      readonly Name: string
      readonly Next?: Rec | undefined
    }
    const Rec: Schema.Schema<Rec> = Schema.suspend(() => Schema.Struct({ Name: Schema.String, Next: Schema.optional(Rec) }))
    const s = fromAst(Rec.ast)
    if (s._tag !== "Struct") throw new Error("not a struct")
    expect(s.byName.get("Next")?.shape).toBe(s)
  })
})

describe("request validation", () => {
  it("MissingParameter, UnknownParameter (with a hint), InvalidParameter, InvalidParameterValue", async () => {
    const missing = await demo("GetItem", {})
    expect(code(missing)).toBe("MissingParameter")
    expect(missing.json.Response.Error.Message).toBe("The request is missing a required parameter `ItemId`.")
    const unknown = await demo("GetItem", { ItemId: 1, itemid: 2 })
    expect(code(unknown)).toBe("UnknownParameter")
    expect(unknown.json.Response.Error.Message).toContain("Did you mean `ItemId`?")
    const type = await demo("GetItem", { ItemId: "7" })
    expect(code(type)).toBe("InvalidParameter")
    expect(type.json.Response.Error.Message).toContain("`ItemId` must be an unsigned integer (uint64)")
    expect(code(await demo("GetItem", { ItemId: -1 }))).toBe("InvalidParameterValue")
    expect(code(await demo("GetItem", { ItemId: 1.5 }))).toBe("InvalidParameterValue")
    const nested = await demo("ListItems", { Filters: [{ Name: "a", Values: ["x"] }, { Values: [] }] })
    expect(nested.json.Response.Error).toEqual({ Code: "MissingParameter", Message: "The request is missing a required parameter `Filters.1.Name`." })
    const deep = await demo("ListItems", { Tree: { Name: "a", Children: [{ Name: "b", Children: [{ Nme: "c" }] }] } })
    expect(deep.json.Response.Error.Code).toBe("UnknownParameter")
    expect(deep.json.Response.Error.Message).toContain("`Tree.Children.0.Children.0.Nme`")
  })

  it("GET and v1 parameters are rebuilt and typed from the flattened form", async () => {
    ok(await demo("ListItems", { Filters: [{ Name: "a", Values: ["x", "y"] }], Offset: 0, Limit: 2, Verbose: true }, "GET"))
    expect(emu.requests.last()?.params).toEqual({ Filters: [{ Name: "a", Values: ["x", "y"] }], Offset: 0, Limit: 2, Verbose: true })
    ok(await demo("GetItem", { ItemId: 18446744073709551615n }, "POST", "HmacSHA256"))
    expect(emu.requests.last()?.params).toEqual({ ItemId: 18446744073709551615n })
    expect(code(await demo("GetItem", { ItemId: "abc" }, "GET"))).toBe("InvalidParameter")
    expect(code(await demo("ListItems", { Limt: 1 }, "GET"))).toBe("UnknownParameter")
  })

  it("the pure functions agree: unflatten then validate", () => {
    const shape = fromAst(ListItemsRequest.ast)
    const r = unflatten(shape, [["Filters.0.Name", "n"], ["Filters.0.Values.1", "b"], ["Filters.0.Values.0", "a"], ["Limit", "5"]])
    expect(r).toEqual({ value: { Filters: [{ Name: "n", Values: ["a", "b"] }], Limit: 5 } })
    expect("invalid" in unflatten(shape, [["Limit.x", "5"]])).toBe(true)
    expect(validate(shape, { Filters: "x" })?.code).toBe("InvalidParameter")
    // without a spec, names still cannot reach prototypes or resize lists
    expect(unflatten(ANY, [["A.0", "x"], ["A.1.B", "y"]])).toEqual({ value: { A: ["x", { B: "y" }] } })
    expect("invalid" in unflatten(ANY, [["__proto__.polluted", "1"]])).toBe(true)
    expect("invalid" in unflatten(ANY, [["A.0", "x"], ["A.length", "99999999"]])).toBe(true)
    expect(({} as any).polluted).toBeUndefined()
  })

  it("versions and offline actions", async () => {
    expect(code(await call(emu, { service: "demo", version: "2025-01-01", action: "GetItem", params: { ItemId: 1 } }))).toBe("InvalidAction")
    expect(code(await call(emu, { service: "demo", version: "2023-01-01", action: "GetItem", params: { ItemId: 1 } }))).toBe("NoSuchVersion")
    expect(code(await demo("OldThing", {}))).toBe("ActionOffline")
  })

  it.skipIf(!HAS_SPECS)("validates real specs too (cvm from api.json)", async () => {
    const r = await call(emu, { service: "cvm", version: "2017-03-12", region: "ap-guangzhou", action: "DescribeInstances", params: { Filters: [{ Name: "zone" }] } })
    expect(r.json.Response.Error).toEqual({ Code: "MissingParameter", Message: "The request is missing a required parameter `Filters.0.Values`." })
    const r2 = await call(emu, { service: "cvm", version: "2017-03-12", region: "ap-guangzhou", action: "DescribeInstances", params: { Limit: "5" } })
    expect(code(r2)).toBe("InvalidParameter")
  })
})

describe("generated responses", () => {
  it("are deterministic per action and request, and decode with the response schema", async () => {
    const a = ok(await demo("GetItem", { ItemId: 1 }))
    const b = ok(await demo("GetItem", { ItemId: 1 }))
    const c = ok(await demo("GetItem", { ItemId: 2 }))
    delete a.RequestId, delete b.RequestId, delete c.RequestId
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    for (let i = 0; i < 40; i++) {
      const r = ok(await demo("GetItem", { ItemId: i }))
      expect(Either.isRight(Schema.decodeUnknownEither(GetItemResponse)(r))).toBe(true)
    }
  })

  it("include nulls where allowed, omit some optional members, and exceed 2^53 in some int64 fields (written exactly)", async () => {
    let nulls = 0
    let omitted = 0
    let big = 0
    for (let i = 0; i < 60; i++) {
      const r = await demo("GetItem", { ItemId: i })
      const resp = ok(r)
      if (resp.Item.Note === null) nulls++
      if (!("Size" in resp.Item)) omitted++
      for (const v of [resp.Big, resp.Item.ItemId, resp.Item.Size]) {
        if (typeof v === "bigint") {
          big++
          expect(r.text).toContain(String(v)) // bare integer literal, not rounded
        }
      }
    }
    expect(nulls).toBeGreaterThan(0)
    expect(omitted).toBeGreaterThan(0)
    expect(big).toBeGreaterThan(0)
  })

  it("page consistently by Offset/Limit against a fixed TotalCount", async () => {
    const first = ok(await demo("ListItems", { Limit: 3 }))
    const total = first.TotalCount as number
    const seen: Array<unknown> = []
    for (let off = 0; off < total; off += 3) {
      const page = ok(await demo("ListItems", { Offset: off, Limit: 3 }))
      expect(page.TotalCount).toBe(total)
      seen.push(...page.ItemSet)
    }
    expect(seen).toHaveLength(total)
    const all = ok(await demo("ListItems", { Offset: 0, Limit: 100 }))
    expect(all.ItemSet).toEqual(seen)
    expect(ok(await demo("ListItems", { Offset: total, Limit: 3 })).ItemSet).toEqual([])
  })

  it.skipIf(!HAS_SPECS)("serve real spec actions with spec-shaped data (cdb, first 60 actions)", async () => {
    const fs = await import("node:fs")
    const spec = JSON.parse(fs.readFileSync(`${SPEC_DIR}/cdb/v20170320/api.json`, "utf8")) as { actions: Record<string, unknown> }
    const names = Object.keys(spec.actions).slice(0, 60)
    for (const action of names) {
      const r = await call(emu, { service: "cdb", version: "2017-03-20", region: "ap-guangzhou", action, params: {} })
      expect(r.status).toBe(200)
      const c = code(r)
      // with no parameters: success, or a MissingParameter for a required member
      expect(c === undefined || c === "MissingParameter" || c === "ActionOffline").toBe(true)
    }
  })
})

describe("the generated registry contract", () => {
  it("loads a service version's module on first use (async), then answers synchronously", async () => {
    let loads = 0
    const registry = {
      fake: {
        "2020-01-01": async () => {
          loads++
          await new Promise((r) => setTimeout(r, 10))
          return {
            _actions: {
              GetThing: {
                info: { service: "fake", version: "2020-01-01", action: "GetThing" },
                input: () => Schema.Struct({ Id: Schema.String }),
                output: () => Schema.Struct({ Thing: Schema.Struct({ Id: Schema.String, Size: UInt64 }), RequestId: Schema.String }),
                status: "online"
              }
            }
          }
        }
      }
    }
    const catalog = Emulator.Catalog.fromRegistry(registry)
    const e = await Emulator.start({ catalog })
    try {
      const [a, b] = await Promise.all([
        call(e, { service: "fake", version: "2020-01-01", action: "GetThing", params: { Id: "x" } }),
        call(e, { service: "fake", version: "2020-01-01", action: "GetThing", params: {} })
      ])
      expect(ok(a).Thing.Id).toBeTypeOf("string")
      expect(code(b)).toBe("MissingParameter")
      expect(loads).toBe(1)
      const sync = catalog.lookup("fake", "2020-01-01", "GetThing")
      expect(sync instanceof Promise).toBe(false)
      expect(code(await call(e, { service: "fake", version: "2021-01-01", action: "GetThing" }))).toBe("NoSuchVersion")
      expect(code(await call(e, { service: "fake", version: "2020-01-01", action: "Nope" }))).toBe("InvalidAction")
    } finally {
      await e.close()
    }
  })

  it("the default catalog (this package's generated registry) is usable whether or not it exists yet", async () => {
    const l = await Emulator.Catalog.generated().lookup("cvm", "2017-03-12", "DescribeInstances")
    expect(["Found", "NoSuchService"]).toContain(l._tag)
  })
})
