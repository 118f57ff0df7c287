/**
 * The generated typed services over real HTTP against the emulator: VPC v2 and v3, ECS v2 and IAM
 * v3 actions with path, query, header and body members; requests checked before sending.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Agent } from "undici"
import * as Emulator from "../../src/emulator/index.js"
import * as ecs from "../../src/huaweicloud/generated/ecs/v2.js"
import * as iam from "../../src/huaweicloud/generated/iam/v3.js"
import * as vpc from "../../src/huaweicloud/generated/vpc/v2.js"
import * as vpc3 from "../../src/huaweicloud/generated/vpc/v3.js"
import { Client, Credentials, Errors, Regions } from "../../src/huaweicloud/index.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import { loopbackLookup } from "./helpers.js"

const REGION = "cn-north-4"
const httpLayer = Layer.scoped(
  HttpClient.HttpClient,
  Effect.map(Effect.acquireRelease(Effect.sync(() => new Agent({ connect: { lookup: loopbackLookup as never } })), (a) => Effect.promise(() => a.close())), UndiciHttpClient.makeWithDispatcher)
)

const run = <A, E>(f: (emu: Emulator.EmulatorHandle) => Effect.Effect<A, E, Client.HuaweiCloud | Credentials.HuaweiCredentials | HttpClient.HttpClient>) =>
  Effect.scoped(
    Effect.flatMap(Emulator.make({}), (emu) => {
      const at = (s: string) => [Regions.make(REGION, `http://${s}.${REGION}.myhuaweicloud.com:${emu.port}`)]
      const layer = Client.layer({ region: REGION, iamEndpoint: `http://iam.${REGION}.myhuaweicloud.com:${emu.port}`, regions: { vpc: at("vpc"), ecs: at("ecs"), iam: at("iam") } }).pipe(
        Layer.provideMerge(Credentials.layerBasic({ ak: Emulator.DEMO_CREDENTIALS.secretId, sk: Emulator.DEMO_CREDENTIALS.secretKey })),
        Layer.provideMerge(httpLayer)
      )
      return Effect.provide(f(emu), layer)
    })
  )

describe("generated services against the emulator", () => {
  it.live("VPC v2: create a VPC and a subnet (body), list (query), show (path); VPC v3 lists them too", () =>
    run((emu) =>
      Effect.gen(function* () {
        const created = yield* vpc.createVpc({ body: { vpc: { name: "typed", cidr: "192.168.0.0/16" } } })
        const id = created.vpc!.id!
        yield* vpc.createSubnet({ body: { subnet: { name: "s1", cidr: "192.168.1.0/24", gateway_ip: "192.168.1.1", vpc_id: id } } })
        const listed = yield* vpc.listVpcs({ limit: 10 })
        expect(listed.vpcs!.map((v) => v.name)).toEqual(["typed"])
        expect(emu.requests.last()!.query).toBe("limit=10")
        const shown = yield* vpc.showVpc({ vpc_id: id })
        expect(shown.vpc!.cidr).toBe("192.168.0.0/16")
        const subnets = yield* vpc.listSubnets({ vpc_id: id })
        expect(subnets.subnets!.map((s) => s.gateway_ip)).toEqual(["192.168.1.1"])
        const v3 = yield* vpc3.listVpcs({ id: [id] })
        expect(v3.vpcs!.map((v) => v.id)).toEqual([id])
        const missing = yield* Effect.flip(vpc.showVpc({ vpc_id: "nope" }))
        expect(Errors.isClientRequest(missing) && missing._tag).toBe("VPC.0202")
      })))

  it.live("ECS v2: create servers (header + body), list (query), show (path); IAM v3 (global) lists projects", () =>
    run((emu) =>
      Effect.gen(function* () {
        const v = yield* vpc.createVpc({ body: { vpc: { name: "n", cidr: "10.0.0.0/16" } } })
        const s = yield* vpc.createSubnet({ body: { subnet: { name: "s", cidr: "10.0.1.0/24", gateway_ip: "10.0.1.1", vpc_id: v.vpc!.id! } } })
        const made = yield* ecs.createServers({
          "X-Client-Token": "token-1",
          body: { server: { name: "web", imageRef: "img", flavorRef: "s6.small.1", vpcid: v.vpc!.id!, nics: [{ subnet_id: s.subnet!.id! }], count: 2 } }
        })
        expect(made.serverIds).toHaveLength(2)
        expect(emu.requests.last()!.headers["x-client-token"]).toBe("token-1")
        const list = yield* ecs.listServersDetails({ limit: 1 })
        expect([list.count, list.servers!.length]).toEqual([2, 1])
        const one = yield* ecs.showServer({ server_id: made.serverIds![0] })
        expect(one.server!.name).toBe("web-0001")
        const projects = yield* iam.keystoneListProjects({ name: REGION })
        expect(projects.projects!.map((p) => p.name)).toEqual([REGION])
        expect(emu.requests.last()!.headers["x-domain-id"]).toBeDefined()
      })))

  it.live("bad input is refused before anything is sent", () =>
    run((emu) =>
      Effect.gen(function* () {
        const before = emu.requests.total()
        const e1 = yield* Effect.flip(vpc.listVpcs({ limit: "ten" } as never))
        expect(e1._tag).toBe("RequestValidationError")
        expect(e1.message).toContain("limit")
        const e2 = yield* Effect.flip(vpc.listVpcs({ limt: 1 } as never))
        expect(e2._tag).toBe("RequestValidationError")
        const e3 = yield* Effect.flip(vpc.showVpc({} as never))
        expect(e3._tag).toBe("RequestValidationError")
        expect(emu.requests.total()).toBe(before)
      })))
})
