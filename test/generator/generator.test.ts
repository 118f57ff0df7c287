import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { emitModule, functionName } from "../../scripts/generator/emit.js"
import { buildModel } from "../../scripts/generator/model.js"
import { generateAll } from "../../scripts/generator/run.js"
import { type ActionInfo, TencentCloud } from "../../src/Client.js"
import { ApiError } from "../../src/Errors.js"
import * as Drift from "../../src/Drift.js"
import { autoscalingSpec, fixtureErrors, fixtureSpec } from "./fixture.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const outDir = path.join(root, "test/.generated")

// lay the fixtures out as a tccli services folder and generate them the way the CLI does
const specsDir = path.join(outDir, "specs")
const errorsDir = path.join(outDir, "errors")
const genDir = path.join(outDir, "out")
const writeJson = (file: string, value: unknown) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, JSON.stringify(value))
}
fs.rmSync(outDir, { recursive: true, force: true })
writeJson(path.join(specsDir, "hunyuan/v20200101/api.json"), fixtureSpec)
writeJson(path.join(errorsDir, "hunyuan/v20200101/errors.json"), fixtureErrors)
writeJson(path.join(specsDir, "autoscaling/v20180419/api.json"), autoscalingSpec)
const result = generateAll({ specs: specsDir, errors: errorsDir, out: genDir, importBase: "../../../../src/", overrides: {} })

const model = buildModel("hunyuan", "v20200101", fixtureSpec as any, fixtureErrors)
const struct = (name: string) => model.structs.find((s) => s.name === name)!
const field = (s: string, f: string) => struct(s).fields.find((x) => x.name === f)!
const action = (name: string) => model.actions.find((a) => a.name === name)!

describe("model", () => {
  it("derives direction from reachability, not usage", () => {
    expect(struct("Record").direction).toBe("both")
    expect(struct("Filter").direction).toBe("both") // reached from a request and, through Record, from a response
    expect(struct("Node").direction).toBe("out")
    expect(struct("BRIResponse").direction).toBe("out")
  })
  it("input side: optional unless required; output side: optional unless output_required; both: required on both", () => {
    expect(field("DeleteRequest", "Id").required).toBe(true)
    expect(field("DescribeThingsRequest", "Limit").required).toBe(false)
    expect(field("DescribeThingsResponse", "TotalCount").required).toBe(true)
    expect(field("DescribeThingsResponse", "RequestId").required).toBe(true)
    expect(field("ListTokensResponse", "Entries").required).toBe(false)
    expect(field("Record", "InstanceId").required).toBe(true)
    expect(field("Record", "InstanceID").required).toBe(false)
  })
  it("nullable only on the output side where value_allowed_null", () => {
    expect(field("DescribeThingsResponse", "Tree").nullable).toBe(true)
    expect(field("Record", "Size").nullable).toBe(true)
    expect(field("DescribeThingsResponse", "TotalCount").nullable).toBe(false)
  })
  it("keeps case-only duplicate members apart", () => {
    expect(struct("Record").fields.map((f) => f.name)).toEqual(expect.arrayContaining(["InstanceId", "InstanceID"]))
  })
  it("marks recursion, codes, flags and paging", () => {
    expect(struct("Node").recursive).toBe(true)
    expect(struct("Data").recursive).toBe(true)
    expect(action("DescribeThings").codes).toEqual(["ResourceNotFound.Thing"])
    expect(action("CreateThing").clientToken).toBe(true)
    expect(action("UploadFile").multipart).toBe(true)
    expect(action("ChatCompletions").sse).toBe(true)
    expect(action("Ping").optionalRequest).toBe(true)
    expect(action("Delete").optionalRequest).toBe(false)
    expect(action("Delete").status).toBe("deprecated")
    expect(action("ListTokens").status).toBe("online")
    expect(action("DescribeThings").paging).toEqual({ _tag: "Offset", items: "ThingSet", offset: "Offset", limit: "Limit", total: "TotalCount" })
    expect(action("ListPaged").paging).toEqual({ _tag: "Page", items: "Items", page: "PageNumber", size: "PageSize", total: "Total" })
    expect(action("ListTokens").paging).toEqual({ _tag: "Token", items: "Entries", token: "NextToken", nextToken: "NextToken" })
    expect(action("ListByCursor").paging).toEqual({ _tag: "Token", items: "Rows", token: "Cursor", nextToken: "NextCursor" })
    expect(action("Ping").paging).toBeUndefined()
  })
  it("an override disables or sets paging", () => {
    const m = buildModel("hunyuan", "v20200101", fixtureSpec as any, fixtureErrors, { DescribeThings: null })
    expect(m.actions.find((a) => a.name === "DescribeThings")!.paging).toBeUndefined()
  })
  it("uses the spec's serviceShortName: autoscaling is as", () => {
    expect(buildModel("autoscaling", "v20180419", autoscalingSpec as any, undefined).service).toBe("as")
  })
  it("renames reserved words", () => {
    expect(functionName("Delete")).toBe("delete_")
    expect(functionName("DescribeThings")).toBe("describeThings")
  })
})

describe("emitted module", () => {
  const text = fs.readFileSync(path.join(genDir, "hunyuan/v20200101.ts"), "utf8")

  it("is deterministic", () => {
    expect(emitModule(model, { importBase: "../../../../src/" })).toBe(text)
    const again = generateAll({ specs: specsDir, errors: errorsDir, out: genDir, importBase: "../../../../src/", overrides: {}, check: true })
    expect(again.changed).toEqual([])
    expect(result.versions).toBe(2)
  })

  it("refers to globals and Effect only through $-aliases, so models named Record/Option/Data/Error work", () => {
    expect(text).toContain("export interface Record {")
    expect(text).toContain("export interface Option {")
    expect(text).toContain("export interface Error {")
    expect(text).not.toMatch(/import \* as (Effect|Schema|Option) /)
    expect(text).toContain("type $Uint8Array = globalThis.Uint8Array")
  })

  it("marks deprecated and offline actions and disabled members", () => {
    expect(text).toMatch(/@deprecated the action is deprecated[\s\S]*export const delete_/)
    expect(text).toMatch(/@deprecated the action is offline[\s\S]*export const oldAction/)
    expect(text).toMatch(/@deprecated hidden or deprecated in the API \*\/\n {2}readonly Legacy\?/)
  })

  it("type-checks under strict TypeScript", () => {
    const tsconfig = path.join(outDir, "tsconfig.json")
    writeJson(tsconfig, {
      extends: "../../tsconfig.base.json",
      compilerOptions: { noEmit: true, rootDir: "../.." },
      include: ["out/**/*.ts", "../generator/types-check.ts"]
    })
    const tsc = path.join(root, "node_modules/typescript/bin/tsc")
    let output = ""
    try {
      execFileSync(process.execPath, [tsc, "-p", tsconfig], { cwd: root, encoding: "utf8" })
    } catch (e: any) {
      output = String(e.stdout) + String(e.stderr)
    }
    expect(output).toBe("")
  }, 120_000)
})

// the fixture modules are imported dynamically (they are generated by this test), so their
// functions are typed here by hand
const E = (x: unknown) => x as Effect.Effect<any, any, TencentCloud>
const S = (x: unknown) => x as Stream.Stream<any, any, TencentCloud>

// a mock client that records what generated actions send
const recorder = (answer: (info: ActionInfo, params: Record<string, unknown>) => Record<string, unknown>) => {
  const calls: Array<{ info: ActionInfo; params: Record<string, unknown> }> = []
  const layer = Layer.succeed(TencentCloud, {
    call: (info, params) => {
      calls.push({ info, params: params as Record<string, unknown> })
      return Effect.succeed({ RequestId: "rid-1", ...answer(info, params as Record<string, unknown>) })
    },
    stream: (info) => Stream.make({ data: `{"from":"${info.action}"}` })
  })
  return { calls, layer }
}

describe("generated actions at runtime", () => {
  const load = () => import(path.join(genDir, "hunyuan/v20200101.ts")) as Promise<any>

  it.effect("validate requests before sending, naming the field", () =>
    Effect.gen(function* () {
      const mod = yield* Effect.promise(load)
      const { calls, layer } = recorder(() => ({ Result: { Score: 1 } }))
      const bad = yield* Effect.flip(E(mod.createThing({ Thing: { InstanceId: 5 } })).pipe(Effect.provide(layer)))
      expect(bad._tag).toBe("RequestValidationError")
      expect(bad.field).toBe("Thing.InstanceId")
      const unknown = yield* Effect.flip(E(mod.createThing({ Thing: { InstanceId: "a" }, Thng: 1 })).pipe(Effect.provide(layer)))
      expect(unknown.field).toBe("Thng")
      expect(unknown.message).toContain("not a member")
      const missing = yield* Effect.flip(E(mod.delete_({})).pipe(Effect.provide(layer)))
      expect(missing.field).toBe("Id")
      // an action without members still refuses members it does not declare
      const extra = yield* Effect.flip(E(mod.ping({ Foo: 1 })).pipe(Effect.provide(layer)))
      expect(extra.field).toBe("Foo")
      expect(calls.length).toBe(0)
    }))

  it.effect("send valid requests with their info: codes, ClientToken, multipart, service", () =>
    Effect.gen(function* () {
      const mod = yield* Effect.promise(load)
      const as = yield* Effect.promise(() => import(path.join(genDir, "autoscaling/v20180419.ts")) as Promise<any>)
      const { calls, layer } = recorder((info) => (info.action === "CreateThing" ? { Result: { Score: 1 } } : {}))
      const out = yield* E(mod.createThing({ Thing: { InstanceId: "a", InstanceID: "B", Size: 446192236330927912n } })).pipe(Effect.provide(layer))
      expect(out.Result.Score).toBe(1)
      expect(calls[0].params).toEqual({ Thing: { InstanceId: "a", InstanceID: "B", Size: 446192236330927912n } })
      expect(calls[0].info.clientToken).toBe(true)
      expect([...calls[0].info.codes!]).toEqual(["FailedOperation.Busy"])
      yield* E(mod.uploadFile({ File: new Uint8Array([1, 2]) })).pipe(Effect.provide(layer))
      expect(calls[1].info.transport).toBe("multipart")
      yield* E(mod.ping()).pipe(Effect.provide(layer))
      expect(calls[2].params).toEqual({})
      yield* E(as.describeAutoScalingGroups()).pipe(Effect.provide(layer))
      expect(calls[3].info.service).toBe("as")
      expect(as.$M).toEqual({ service: "as", version: "2018-04-19" })
    }))

  it.effect("decode answers: unknown extra fields kept, recursion followed, drift reported with the RequestId", () =>
    Effect.gen(function* () {
      const mod = yield* Effect.promise(load)
      const good = recorder(() => ({
        TotalCount: 1,
        ThingSet: [{ InstanceId: "a", Extra: "new field" }],
        Tree: { Name: "root", Children: [{ Name: "leaf", Children: [] }] }
      }))
      const out = yield* E(mod.describeThings()).pipe(Effect.provide(good.layer))
      expect(out.ThingSet[0].Extra).toBe("new field")
      expect(out.Tree.Children[0].Name).toBe("leaf")
      // tolerant by default: the answer is returned, the value that does not fit is set aside
      const drift = recorder(() => ({ TotalCount: "one", ThingSet: [] }))
      const tolerant = yield* E(mod.describeThings()).pipe(Effect.provide(drift.layer))
      expect(tolerant.TotalCount).toBeUndefined()
      expect(tolerant.ThingSet).toEqual([])
      // strict: fails with the RequestId
      const e = yield* Effect.flip(Drift.withStrict(E(mod.describeThings())).pipe(Effect.provide(drift.layer)))
      expect(e._tag).toBe("ResponseDecodeError")
      expect(e.requestId).toBe("rid-1")
      expect(e.issue).toContain("TotalCount")
    }))

  it("schemas follow mutual recursion and case-only members", () => {
    return import(path.join(genDir, "hunyuan/v20200101.ts")).then((mod: any) => {
      const decode = Schema.decodeUnknownEither(mod.Option)
      expect(Either.isRight(decode({ Key: "k", Data: { Value: 1, Error: { Code: "c", Back: { Value: 2n } } } }))).toBe(true)
      expect(Either.isLeft(decode({ Key: "k", Data: { Value: "x" } }))).toBe(true)
      const rec = Schema.decodeUnknownEither(mod.Record)
      expect(Either.isRight(rec({ InstanceId: "a", InstanceID: "b", Size: null }))).toBe(true)
      expect(Either.isLeft(rec({ InstanceID: "b" }))).toBe(true)
    })
  })

  it.effect("paging streams follow Offset/Limit, PageNumber/PageSize and NextToken", () =>
    Effect.gen(function* () {
      const mod = yield* Effect.promise(load)
      const things = Array.from({ length: 5 }, (_, i) => ({ InstanceId: `t-${i}` }))
      const { calls, layer } = recorder((info, p) => {
        if (info.action === "DescribeThings") {
          const o = Number(p.Offset ?? 0)
          const l = Number(p.Limit ?? 2)
          return { TotalCount: 5, ThingSet: things.slice(o, o + l) }
        }
        if (info.action === "ListPaged") {
          const n = Number(p.PageNumber ?? 1)
          return { Total: 3, Items: ["a", "b", "c"].slice((n - 1) * 2, n * 2) }
        }
        const t = (p.NextToken as string | undefined) ?? ""
        return t === "" ? { NextToken: "t1", Entries: [{ Key: "x" }] } : t === "t1" ? { NextToken: "t2", Entries: [{ Key: "y" }] } : { NextToken: null, Entries: [{ Key: "z" }] }
      })
      const items = yield* Stream.runCollect(S(mod.describeThingsItems({ Limit: 2 }))).pipe(Effect.provide(layer))
      expect(Chunk.toArray(items).map((t: any) => t.InstanceId)).toEqual(["t-0", "t-1", "t-2", "t-3", "t-4"])
      expect(calls.map((c) => c.params.Offset)).toEqual([undefined, 2, 4])
      const pages = yield* Stream.runCollect(S(mod.listPagedPages({ PageSize: 2 }))).pipe(Effect.provide(layer))
      expect(Chunk.size(pages)).toBe(2)
      const entries = yield* Stream.runCollect(S(mod.listTokensItems())).pipe(Effect.provide(layer))
      expect(Chunk.toArray(entries).map((e: any) => e.Key)).toEqual(["x", "y", "z"])
    }))

  it.effect("streaming actions return a Stream of events", () =>
    Effect.gen(function* () {
      const mod = yield* Effect.promise(load)
      const { layer } = recorder(() => ({}))
      const events = yield* Stream.runCollect(S(mod.chatCompletionsStream({ Stream: true }))).pipe(Effect.provide(layer))
      expect(Chunk.toArray(events)[0].data).toBe('{"from":"ChatCompletions"}')
    }))

  it("ApiError from a generated action keeps its code as tag", () => {
    const e = new ApiError({ code: "ResourceNotFound.Thing", serverMessage: "x", requestId: "r", service: "fixture", version: "2020-01-01", action: "DescribeThings" })
    expect(e._tag).toBe("ResourceNotFound.Thing")
  })
})

describe("the committed output", () => {
  const specs = path.resolve(root, "../shared/tencentcloud-api")
  const errors = path.resolve(root, "../shared/tencentcloud-errors")
  const present = fs.existsSync(specs)
  if (!present) console.log(`skipping the up-to-date check of src/generated: no specs at ${specs}`)
  it.skipIf(!present)("is up to date with ../shared (run npm run codegen)", () => {
    const r = generateAll({ specs, errors, out: path.join(root, "src/generated"), docs: path.join(root, "docs/service-list.md"), check: true })
    expect(r.changed).toEqual([])
    expect(r.versions).toBe(296)
    expect(r.actions).toBe(15210)
  }, 60_000)
})
