/**
 * The generic call: any action by name, for actions newer than the generated code or services
 * you call rarely. `Client.call(service, version, action, params)` signs, sends, retries and
 * checks the envelope like a generated action, and succeeds with the `Response` object as plain
 * data (integers beyond 2^53 as `bigint`). What it does not do is validate: parameters go as
 * given (the server checks them) and the answer is not decoded, unless you decode it with a
 * schema yourself.
 *
 * Run: `npx tsx examples/generic-call.ts`
 */
import { Effect, Layer, Schema } from "effect"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Errors from "effect-tencentcloud/Errors"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Json from "effect-tencentcloud/Json"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))

/** Catch one API error code of a generic call (its error type is `ApiError<string>`, any code). */
const catchCode = (code: string) =>
  <A, R>(self: Effect.Effect<A, Client.CallError, R>) =>
    Effect.catchIf(self, (e): e is Errors.ApiError<string> => Errors.isApiError(e) && e.code === code, (e) =>
      Effect.succeed(`${e.code}: ${e.serverMessage}`)
    )

/** The first bigint in a value, with its path. */
const findBigint = (v: unknown, path = ""): readonly [string, bigint] | undefined => {
  if (typeof v === "bigint") return [path, v]
  if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      const found = findBigint(x, path === "" ? k : `${path}.${k}`)
      if (found) return found
    }
  }
  return undefined
}

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const Live = Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint }).pipe(
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(UndiciHttpClient.layer({ proxy: false })) // the emulator is on loopback: no proxy
  )

  yield* Effect.gen(function* () {
    // 1. a call by name: the answer is the Response object, as data
    const zones = yield* Client.call("cvm", "2017-03-12", "DescribeZones", {})
    yield* say(`1. Client.call("cvm", "2017-03-12", "DescribeZones", {})`)
    yield* say(`   → ${Object.keys(zones).join(", ")}; TotalCount ${zones.TotalCount}`)

    // 2. per-call region, language, headers work as for generated actions
    const shanghai = yield* Client.call("vpc", "2017-03-12", "DescribeVpcs", { Limit: "5" }).pipe(Client.withRegion("ap-shanghai"))
    yield* say(`\n2. DescribeVpcs in ap-shanghai (Client.withRegion): ${shanghai.TotalCount} VPCs; the emulator saw region ${emu.requests.last()?.region}`)

    // 3. integers beyond 2^53 arrive exactly, as bigint
    // (the emulator's generated data puts some beyond 2^53; the real cloud does so for some ids)
    const role = yield* Client.call("cam", "2019-01-16", "GetRole", { RoleName: "x" })
    const big = findBigint(role)
    yield* say(`\n3. cam GetRole: ${big ? `${big[0]} = ${big[1]} (a ${typeof big[1]}: plus one is ${big[1] + 1n}; as a number it would be ${Number(big[1]) + 1})` : "no integer beyond 2^53 this time"}`)
    yield* say(`   Json.stringify writes it back exactly: ${Json.stringify({ [big?.[0] ?? "none"]: big?.[1] ?? null })}`)

    // 4. no client-side validation: the server's answer names the problem
    const unknown = yield* Client.call("cvm", "2017-03-12", "DescribeInstances", { limit: 1 }).pipe(Effect.as("ok"), catchCode("UnknownParameter"))
    yield* say(`\n4. { limit: 1 } is sent as is and the server answers\n   ${unknown}`)
    // ... where the generated action refuses it before sending anything
    const refused = yield* Cvm.describeInstances({ limit: 1 } as unknown as Cvm.DescribeInstancesRequest).pipe(Effect.flip)
    yield* say(`   the generated describeInstances does not send it: ${refused._tag}: ${refused.message.split(";")[0]}`)

    // 5. actions and versions that do not exist
    const noAction = yield* Client.call("cvm", "2017-03-12", "DescribeTheFuture", {}).pipe(Effect.as("ok"), catchCode("InvalidAction"))
    const noVersion = yield* Client.call("cvm", "2015-01-01", "DescribeZones", {}).pipe(Effect.as("ok"), catchCode("NoSuchVersion"))
    yield* say(`\n5. ${noAction}\n   ${noVersion}`)

    // 6. typed after all: decode the plain answer with the generated schema
    const typed = yield* Schema.decodeUnknown(Cvm.DescribeZonesResponse)(zones)
    yield* say(`\n6. Schema.decodeUnknown(Cvm.DescribeZonesResponse): ${(typed.ZoneSet ?? []).map((z) => z.Zone).join(", ")}`)
  }).pipe(Effect.provide(Live))
}).pipe(Effect.scoped)

runMain(import.meta, main)
