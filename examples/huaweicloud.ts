/**
 * Huawei Cloud on the same core: the Huawei SDK's minimal example — list the VPCs of a region with
 * the AK/SK from `HUAWEICLOUD_SDK_AK` / `HUAWEICLOUD_SDK_SK` — as an Effect program, against the
 * local emulator standing in for Huawei Cloud (its host names resolve to it; the Host sent and
 * signed is the real one, `vpc.cn-north-4.myhuaweicloud.com:<port>`). Without the variables, the
 * emulator's demo key is used.
 *
 * Run: `npx tsx examples/huaweicloud.ts`
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { ConfigProvider, Effect, Layer } from "effect"
import * as Emulator from "effect-tencentcloud/emulator"
import { Client, Credentials, Errors, Regions } from "effect-tencentcloud/huaweicloud"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import { Agent } from "undici"
import { runMain } from "./_main.js"

const REGION = "cn-north-4"
const say = (line = "") => Effect.sync(() => console.log(line))

/** An HTTP client whose name resolution sends everything to the local emulator. */
const ToEmulator = Layer.sync(HttpClient.HttpClient, () =>
  UndiciHttpClient.makeWithDispatcher(new Agent({ connect: { lookup: (_h, _o, cb) => cb(null, [{ address: "127.0.0.1", family: 4 }]) } })))

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const at = (service: string) => `http://${service}.${REGION}.myhuaweicloud.com:${emu.port}`

  const Live = Client.layer({ region: REGION, iamEndpoint: at("iam"), regions: { vpc: [Regions.make(REGION, at("vpc"))] } }).pipe(
    Layer.provide(Credentials.layerEnvironment()), // HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK (project id found through IAM)
    Layer.provide(ToEmulator)
  )

  const program = Effect.gen(function* () {
    yield* Client.request("vpc", "POST", "/v1/{project_id}/vpcs", { body: { vpc: { name: "vpc-demo", cidr: "192.168.0.0/16" } } })
    const listed = yield* Client.request("vpc", "GET", "/v1/{project_id}/vpcs", { query: { limit: 10 } })
    const vpcs = (listed.body as { vpcs: ReadonlyArray<{ id: string; name: string; cidr: string }> }).vpcs
    yield* say(`ListVpcs in ${REGION}: ${vpcs.length} VPC(s), X-Request-Id ${listed.requestId}`)
    for (const v of vpcs) yield* say(`  ${v.name}  ${v.cidr}  ${v.id}`)
    // a Huawei error code, handled by its code
    const missing = yield* Client.request("vpc", "GET", "/v1/{project_id}/vpcs/no-such-vpc").pipe(
      Effect.as("found"),
      Errors.catchCode("VPC.0202", (e) => Effect.succeed(`${e.errorCode} (HTTP ${e.status}): ${e.errorMsg}`))
    )
    yield* say(`ShowVpc no-such-vpc → ${missing}`)
  })

  // the key comes from the environment; without it, the emulator's demo key stands in
  const demo = ConfigProvider.fromMap(new Map([["HUAWEICLOUD_SDK_AK", Emulator.DEMO_CREDENTIALS.secretId], ["HUAWEICLOUD_SDK_SK", Emulator.DEMO_CREDENTIALS.secretKey]]))
  yield* Effect.provide(program, Live).pipe(Effect.withConfigProvider(ConfigProvider.fromEnv().pipe(ConfigProvider.orElse(() => demo))))
}).pipe(Effect.scoped)

runMain(import.meta, main)
