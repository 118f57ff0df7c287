/**
 * Credentials: where the secret key comes from.
 *
 * - the environment (`TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN`),
 *   read through Effect's `Config`, so a test supplies it with `ConfigProvider.fromMap` instead of
 *   touching `process.env`;
 * - a profile file (`~/.tencentcloud/credentials`, INI, one `[profile]` per key);
 * - a chain of sources, tried in order: a source that is not configured is skipped, one that is
 *   configured but broken stops the chain with an error naming the file and line;
 * - temporary keys from STS, cached and refreshed before they expire.
 *
 * Then the chain becomes the client's `Credentials` layer and a call goes to the emulator.
 *
 * Run: `npx tsx examples/credentials.ts`
 */
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Errors from "effect-tencentcloud/Errors"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Sts from "effect-tencentcloud/sts/v20180813"
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
  const client = (credentials: Layer.Layer<Credentials.Credentials>) =>
    Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint }).pipe(Layer.provide(credentials), Layer.provide(Http))
  yield* Cvm.describeInstances({ Limit: 1 }).pipe(
    Effect.provide(client(ChainCredentials)),
    Effect.withConfigProvider(env({})) // no environment: the profile file's key signs
  )
  yield* say(`   DescribeInstances signed with ${emu.requests.last()?.secretId}: accepted`)
  // Credentials.layerDefault is this chain with the standard locations (environment, then
  // ~/.tencentcloud/credentials, then /etc/tencentcloud/credentials); it reads them once.

  // 5. temporary keys from STS, cached -----------------------------------------------------------
  yield* say("\n5. Temporary keys from STS, cached until 5 minutes before they expire")
  const LongTermClient = client(Credentials.layerStatic(ENV_KEY))
  let stsCalls = 0
  const fromSts: Credentials.CredentialsService = {
    get: Sts.assumeRole({ RoleArn: "qcs::cam::uin/100000000001:roleName/app", RoleSessionName: "example", DurationSeconds: 1800 }).pipe(
      Effect.tap(() => Effect.sync(() => stsCalls++)),
      Effect.map((r) => ({
        secretId: r.Credentials.TmpSecretId,
        secretKey: Redacted.make(r.Credentials.TmpSecretKey),
        token: Redacted.make(r.Credentials.Token),
        expiresAt: Number(r.ExpiredTime) * 1000
      })),
      Effect.provide(LongTermClient),
      Effect.mapError((e) => new Errors.CredentialsError({ provider: "sts", message: `AssumeRole failed: ${e.message}`, cause: e }))
    )
  }
  const TemporaryCredentials = Layer.effect(Credentials.Credentials, Credentials.cached(fromSts, { refreshBefore: "5 minutes" }))
  yield* Effect.gen(function* () {
    for (let i = 0; i < 3; i++) yield* Cvm.describeInstances({ Limit: 1 })
  }).pipe(Effect.provide(client(TemporaryCredentials)))
  const signedWith = emu.requests.last()
  yield* say(`   3 calls, ${stsCalls} AssumeRole call; signed with ${signedWith?.secretId} + token (${signedWith?.headers["x-tc-token"]})`)
}).pipe(Effect.scoped)

runMain(import.meta, main)
