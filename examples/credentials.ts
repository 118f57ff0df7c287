/**
 * Credentials: where the secret key comes from.
 *
 * - the environment (`TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN`),
 *   read through Effect's `Config`, so a test supplies it with `ConfigProvider.fromMap` instead of
 *   touching `process.env`;
 * - a profile file (`~/.tencentcloud/credentials`, INI, one `[profile]` per key);
 * - a chain of sources, tried in order: a source that is not configured is skipped, one that is
 *   configured but broken stops the chain with an error naming the file and line;
 * - role credentials: STS AssumeRole, the CVM instance role (metadata server) and TKE OIDC (web
 *   identity), each cached and refreshed before it expires, all served by the emulator;
 * - the default chain moving past an absent metadata server.
 *
 * Then the chain becomes the client's `Credentials` layer and a call goes to the emulator.
 *
 * Run: `npx tsx examples/credentials.ts`
 */
import { ConfigProvider, Effect, Layer } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))

/** A fake environment: a `ConfigProvider` over a map, in place of `process.env`. */
const env = (vars: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(vars)))

/** Which key a provider produced (the key itself is `Redacted` and prints as `<redacted>`). */
const show = (c: Credentials.Credential) => `${c.secretId} (key ${String(c.secretKey)}${c.token ? ", with token" : ""})`

/** Two keys the emulator will accept: its demo key, and a second one we put in a profile file. */
const ENV_KEY = Emulator.DEMO_CREDENTIALS
const PROFILE_KEY = { secretId: "AKIDprofileEXAMPLEprofileEXAMPLE0001", secretKey: "profileSecretKeyEXAMPLEprofile001" }

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make({ credentials: [ENV_KEY, PROFILE_KEY] })
  const dir = yield* Effect.acquireRelease(
    Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "tc-credentials-"))),
    (d) => Effect.promise(() => fs.rm(d, { recursive: true, force: true }))
  )

  // 1. the environment ---------------------------------------------------------------------------
  yield* say("1. From the environment")
  const fromEnv = yield* Credentials.fromEnvironment.pipe(
    Effect.withConfigProvider(env({ TENCENTCLOUD_SECRET_ID: ENV_KEY.secretId, TENCENTCLOUD_SECRET_KEY: ENV_KEY.secretKey }))
  )
  yield* say(`   environment → ${show(fromEnv)}`)
  const half = yield* Effect.flip(
    Credentials.fromEnvironment.pipe(Effect.withConfigProvider(env({ TENCENTCLOUD_SECRET_ID: ENV_KEY.secretId })))
  )
  yield* say(`   only the id set → ${half._tag}: ${half.message}`)

  // 2. a profile file ----------------------------------------------------------------------------
  yield* say("\n2. From a profile file")
  const file = path.join(dir, "credentials")
  yield* Effect.promise(() =>
    fs.writeFile(
      file,
      [
        "# ~/.tencentcloud/credentials",
        "[default]",
        `secret_id = ${PROFILE_KEY.secretId}`,
        `secret_key = ${PROFILE_KEY.secretKey}`,
        "",
        "[ci]",
        "secret_id = AKIDciEXAMPLEciEXAMPLEciEXAMPLE0002",
        "secret_key = ciSecretKeyEXAMPLEciEXAMPLE00002",
        ""
      ].join("\n"),
      { mode: 0o600 }
    )
  )
  yield* say(`   [default] → ${show(yield* Credentials.fromProfile({ file }))}`)
  yield* say(`   [ci]      → ${show(yield* Credentials.fromProfile({ file, profile: "ci" }))}`)
  // the file and profile can also come from TENCENTCLOUD_CREDENTIALS_FILE / TENCENTCLOUD_PROFILE
  const viaEnv = yield* Credentials.fromProfile().pipe(
    Effect.withConfigProvider(env({ TENCENTCLOUD_CREDENTIALS_FILE: file, TENCENTCLOUD_PROFILE: "ci" }))
  )
  yield* say(`   TENCENTCLOUD_PROFILE=ci → ${viaEnv.secretId}`)

  // 3. a chain -----------------------------------------------------------------------------------
  yield* say("\n3. A chain: environment, then the profile file")
  const chain = Credentials.chain(Credentials.fromEnvironment, Credentials.fromProfile({ file }))
  const both = yield* chain.pipe(
    Effect.withConfigProvider(env({ TENCENTCLOUD_SECRET_ID: ENV_KEY.secretId, TENCENTCLOUD_SECRET_KEY: ENV_KEY.secretKey }))
  )
  yield* say(`   both configured    → ${both.secretId}   (the environment comes first)`)
  const profileOnly = yield* chain.pipe(Effect.withConfigProvider(env({})))
  yield* say(`   no environment     → ${profileOnly.secretId}   (skipped to the profile file)`)
  const nothing = yield* Effect.flip(
    Credentials.chain(Credentials.fromEnvironment, Credentials.fromProfile()).pipe(Effect.withConfigProvider(env({ HOME: dir })))
  )
  yield* say(`   nothing configured → ${nothing.message.split(". Set")[0].replace(dir, "<tmp>")}`)
  // a source that is configured but broken stops the chain: no silent fallback to another key
  const broken = path.join(dir, "broken")
  yield* Effect.promise(() => fs.writeFile(broken, "[default]\nsecret_id = AKIDxxxx\nsecret_key Gu5t9x\n"))
  const stopped = yield* Effect.flip(
    Credentials.chain(Credentials.fromProfile({ file: broken }), Credentials.fromEnvironment).pipe(
      Effect.withConfigProvider(env({ TENCENTCLOUD_SECRET_ID: ENV_KEY.secretId, TENCENTCLOUD_SECRET_KEY: ENV_KEY.secretKey }))
    )
  )
  yield* say(`   broken profile     → stops at line ${stopped.line}: ${stopped.message.replace(dir, "<tmp>")}`)

  // 4. the chain as the client's layer, against the emulator -------------------------------------
  yield* say("\n4. The chain as the client's Credentials layer")
  const Http = UndiciHttpClient.layer({ proxy: false }) // the emulator is on loopback: never via HTTP(S)_PROXY
  const ChainCredentials = Layer.succeed(Credentials.Credentials, { get: chain })
  const client = <E>(credentials: Layer.Layer<Credentials.Credentials, E>) =>
    Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint }).pipe(Layer.provide(credentials), Layer.provide(Http))
  yield* Cvm.describeInstances({ Limit: 1 }).pipe(
    Effect.provide(client(ChainCredentials)),
    Effect.withConfigProvider(env({})) // no environment: the profile file's key signs
  )
  yield* say(`   DescribeInstances signed with ${emu.requests.last()?.secretId}: accepted`)
  // Credentials.layerDefault is this chain with the standard locations (environment, then
  // ~/.tencentcloud/credentials, then /etc/tencentcloud/credentials), then the role sources (6-8).

  // 5. STS AssumeRole, cached -------------------------------------------------------------------
  yield* say("\n5. Role credentials: STS AssumeRole with a long-term key, cached until shortly before they expire")
  // STS calls go to the emulator (Host sts.tencentcloudapi.com kept); in production leave `sts` out
  const sts = { client: { connectTo: emu.endpoint } }
  const RoleCredentials = Credentials.layerAssumeRole({ roleArn: "qcs::cam::uin/100000000001:roleName/app", roleSessionName: "example", durationSeconds: 1800, ...sts }).pipe(
    Layer.provide(Credentials.layerStatic(ENV_KEY)), // the key that may assume the role
    Layer.provide(Http)
  )
  yield* Effect.gen(function* () {
    for (let i = 0; i < 3; i++) yield* Cvm.describeInstances({ Limit: 1 })
  }).pipe(Effect.provide(client(RoleCredentials)))
  const stsCalls = emu.requests.list({ service: "sts", action: "AssumeRole" }).length
  const signedWith = emu.requests.last()
  yield* say(`   3 calls, ${stsCalls} AssumeRole call; signed with ${signedWith?.secretId} + token (${signedWith?.headers["x-tc-token"]})`)

  // 6. the CVM instance role ---------------------------------------------------------------------
  yield* say("\n6. The CVM instance role, from the metadata server (the emulator serves one)")
  const instanceRole = yield* Credentials.fromCvmRole({ baseUrl: `${emu.endpoint}/latest/meta-data/` }).pipe(Effect.provide(Http))
  const [list, role] = emu.requests.list({ service: "metadata" })
  yield* say(`   GET ${list?.path} → role ${role?.path.split("/").pop()}`)
  yield* say(`   its temporary key ${show(instanceRole)}, expires ${new Date(instanceRole.expiresAt!).toISOString()}`)

  // 7. TKE OIDC ----------------------------------------------------------------------------------
  yield* say("\n7. TKE OIDC: a web identity token file, exchanged unsigned with AssumeRoleWithWebIdentity")
  const tokenFile = path.join(dir, "web-identity-token")
  yield* Effect.promise(() => fs.writeFile(tokenFile, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2lnbmF0dXJl")) // the cluster writes and rotates it
  const tke = env({
    TKE_REGION: "ap-guangzhou",
    TKE_PROVIDER_ID: "cls-example",
    TKE_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    TKE_ROLE_ARN: "qcs::cam::uin/100000000001:roleName/tke-app"
  })
  const fromTke = yield* Credentials.fromTkeOidc(sts).pipe(Effect.provide(Http), Effect.withConfigProvider(tke))
  const exchange = emu.requests.list({ service: "sts", action: "AssumeRoleWithWebIdentity" })[0]
  yield* say(`   TKE_* variables → ${show(fromTke)}; the exchange was signed ${exchange?.signatureMethod} (no key needed)`)

  // 8. the default chain off CVM -----------------------------------------------------------------
  yield* say("\n8. The default chain: environment → profile file → CVM role → TKE OIDC")
  const closed = "http://127.0.0.1:9/latest/meta-data/" // no metadata server here (as off CVM)
  const fromChain = yield* Effect.flatMap(Credentials.make({ searchPaths: [], cvmRole: { baseUrl: closed }, sts }), (c) => c.get).pipe(
    Effect.provide(Http),
    Effect.withConfigProvider(tke)
  )
  yield* say(`   no environment, no file, no metadata server → TKE OIDC: ${fromChain.secretId} (with token)`)
}).pipe(Effect.scoped)

runMain(import.meta, main)
