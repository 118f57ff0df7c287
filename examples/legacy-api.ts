/**
 * The legacy API 2.0 client (`effect-tencentcloud/legacy`): the qcloudapi SDK's own example — `sec`
 * `CaptchaQuery` with `userIp`, `businessId`, `captchaType`, `script` — as an Effect program against
 * the local emulator. The SDK's setters become what Effect users expect: the client's options in a
 * Layer, and per call a `Credentials` layer (the secret), `Client.withRegion` and
 * `Client.withMethod`. `generateUrl` signs a URL without sending it; fetching it works once.
 *
 * Run: `npx tsx examples/legacy-api.ts`
 */
import { Effect, Layer } from "effect"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import { Legacy } from "effect-tencentcloud/legacy"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as http from "node:http"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))

/** A second key pair, as `service.setSecretId(...)` / `setSecretKey(...)` would switch to. */
const OTHER = { secretId: "AKIDotherEXAMPLEotherEXAMPLE0002", secretKey: "other-secret-key-EXAMPLE" }

/** GET a URL at the emulator, keeping the URL's Host (what `curl --resolve` does). */
const fetchAt = (emu: Emulator.EmulatorHandle, url: string) =>
  Effect.async<string, Error>((resume) => {
    const u = new URL(url)
    http
      .get({ host: "127.0.0.1", port: emu.port, path: u.pathname + u.search, headers: { Host: u.host } }, (res) => {
        let body = ""
        res.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => resume(Effect.succeed(body)))
      })
      .on("error", (e) => resume(Effect.fail(e)))
  })

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  emu.addCredential(OTHER)

  // QcloudApi("sec", { Region, secretId, secretKey, method: "GET", SignatureMethod: "HmacSHA256" })
  const Live = Legacy.layer({ region: "ap-guangzhou", method: "GET", signatureMethod: "HmacSHA256", connectTo: emu.endpoint }).pipe(
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(UndiciHttpClient.layer({ proxy: false })) // the emulator is on loopback: no proxy
  )
  const params = { userIp: "127.0.0.1", businessId: 1, captchaType: 1, script: 0 }

  yield* Effect.gen(function* () {
    // 1. generateUrl: a signed URL, nothing sent
    const url = yield* Legacy.generateUrl("sec", "CaptchaQuery", params)
    yield* say("1. Legacy.generateUrl(\"sec\", \"CaptchaQuery\", params)")
    yield* say(`   ${url}`)
    yield* say(`   requests sent so far: ${emu.requests.total()}`)
    const fetched = JSON.parse(yield* fetchAt(emu, url))
    yield* say(`   fetched: code ${fetched.code}, codeDesc ${fetched.codeDesc}`)
    const again = JSON.parse(yield* fetchAt(emu, url))
    yield* say(`   fetched again: ${again.codeDesc} (a signed URL is good for one request)`)

    // 2. call: GET with the client's settings
    const first = yield* Legacy.call("sec", "CaptchaQuery", params)
    yield* say(`\n2. Legacy.call GET: ${first.codeDesc}, url ${first.url}`)

    // 3. the setters, per call: another secret, region and method
    const second = yield* Legacy.call("sec", "CaptchaQuery", params).pipe(
      Client.withRegion("ap-shanghai"),
      Client.withMethod("POST"),
      Effect.provide(Credentials.layerStatic(OTHER))
    )
    yield* say(`3. Legacy.call POST with another secret and region: ${second.codeDesc}`)
    for (const r of emu.requests.list({ service: "sec" })) {
      yield* say(`   emulator saw ${r.method} ${r.host}${r.path} ${r.signatureMethod} ${r.secretId} ${r.region} → ${r.response.code ?? "Success"}`)
    }

    // 4. any module, any action: CVM DescribeInstances with a nested parameter
    const cvm = yield* Legacy.call("cvm", "DescribeInstances", { instanceIds: [], limit: 2, offset: 0 })
    yield* say(`\n4. cvm DescribeInstances: totalCount ${cvm.totalCount}, first ${(cvm.instanceSet as Array<{ unInstanceId: string }>)[0]?.unInstanceId}`)

    // 5. typed errors: _tag is the answer's codeDesc
    const unknown = yield* Legacy.call("cvm", "DescribeEverything").pipe(
      Effect.catchTag("InvalidAction", (e) => Effect.succeed(`${e._tag} (code ${String(e.numericCode)}, category ${e.category})`))
    )
    yield* say(`5. an unknown action → ${unknown}`)

    // 6. refused before anything is sent
    const cyclic: Record<string, unknown> = { name: "loop" }
    cyclic.self = cyclic
    const refused = yield* Legacy.call("cvm", "DescribeInstances", cyclic).pipe(
      Effect.catchTag("RequestValidationError", (e) => Effect.succeed(`${e._tag} on ${e.field}`))
    )
    yield* say(`6. a parameter that cannot be flattened → ${refused}`)

    // 7. the pure signer: same inputs, same URL (for tests and tooling)
    const pure = Legacy.signUrl({ module: "cvm", action: "DescribeInstances", params: { InstanceIds: ["ins-09dx96dg"] }, region: "ap-guangzhou", signatureMethod: "HmacSHA256", secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA", secretKey: "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA", timestamp: 1465185768, nonce: 11886 })
    yield* say(`7. Legacy.signUrl (the documentation's example): Signature ${pure._tag === "Right" ? new URL(pure.right).searchParams.get("Signature") : pure.left.message}`)
  }).pipe(Effect.provide(Live))
}).pipe(Effect.scoped)

runMain(import.meta, main)
