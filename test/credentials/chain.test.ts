/**
 * The default chain end to end: environment → profile file → CVM instance role → TKE OIDC, moving
 * on only from a source that is not configured — including a metadata server that is absent
 * (connection refused, or a black hole cut off by the short timeout) — and stopping with the
 * named error of a configured source that is broken (metadata answering garbage).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import { Http, jwt, metadataUrl, provideScoped, stsVia, withEnv } from "./helpers.js"

const ROLE = "qcs::cam::uin/100000000001:roleName/tke-app"

let dir: string
let tokenFile: string
let nowhere: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tc-chain-"))
  tokenFile = path.join(dir, "token")
  fs.writeFileSync(tokenFile, jwt({ sub: "pod" }))
  nowhere = path.join(dir, "no-such-file")
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const tke = { TKE_REGION: "ap-guangzhou", TKE_PROVIDER_ID: "cls-1", TKE_WEB_IDENTITY_TOKEN_FILE: "", TKE_ROLE_ARN: ROLE }
const tkeVars = () => ({ ...tke, TKE_WEB_IDENTITY_TOKEN_FILE: tokenFile })

/** A port where nothing listens. */
const closedPort = Effect.promise(
  () =>
    new Promise<number>((resolve) => {
      const s = net.createServer()
      s.listen(0, "127.0.0.1", () => {
        const port = (s.address() as net.AddressInfo).port
        s.close(() => resolve(port))
      })
    })
)

/** A server that accepts connections and never answers (a firewalled metadata address behaves alike). */
const blackHole = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ server: net.Server; sockets: Set<net.Socket>; port: number }>((resolve) => {
        const sockets = new Set<net.Socket>()
        const server = net.createServer((s) => {
          sockets.add(s)
          s.on("error", () => {})
        })
        server.listen(0, "127.0.0.1", () => resolve({ server, sockets, port: (server.address() as net.AddressInfo).port }))
      })
  ),
  ({ server, sockets }) =>
    Effect.promise(() => {
      for (const s of sockets) s.destroy()
      return new Promise<void>((r) => server.close(() => r()))
    })
)

const chain = (emu: Emulator.EmulatorHandle, cvmRole: Credentials.CvmRoleOptions) =>
  Credentials.make({ searchPaths: [nowhere], sts: stsVia(emu), cvmRole }).pipe(provideScoped(Http))

describe("the default chain (e2e)", () => {
  it.scoped("the environment comes first: nothing else is asked", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* chain(emu, { baseUrl: metadataUrl(emu) })
      const c = yield* get.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: "AKIDenv", TENCENTCLOUD_SECRET_KEY: "k", ...tkeVars() }))
      expect(c.secretId).toBe("AKIDenv")
      expect(emu.requests.total()).toBe(0)
    }))

  it.scoped("the profile file comes before the CVM role", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const file = path.join(dir, "credentials")
      fs.writeFileSync(file, "[default]\nsecret_id = AKIDprofile\nsecret_key = k\n")
      const { get } = yield* Credentials.make({ searchPaths: [file], cvmRole: { baseUrl: metadataUrl(emu) } }).pipe(provideScoped(Http))
      expect((yield* get.pipe(withEnv({}))).secretId).toBe("AKIDprofile")
      expect(emu.requests.total()).toBe(0)
    }))

  it.scoped("on CVM: the instance role, before TKE OIDC; the choice is kept", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { get } = yield* chain(emu, { baseUrl: metadataUrl(emu) })
      const c = yield* get.pipe(withEnv(tkeVars()))
      expect(emu.state.temporaryCredentials().find((t) => t.secretId === c.secretId)?.action).toBe("MetadataRoleCredentials")
      expect(emu.requests.list({ service: "sts" })).toHaveLength(0)
      // the environment appearing later does not switch sources
      expect((yield* get.pipe(withEnv({ TENCENTCLOUD_SECRET_ID: "AKIDlate", TENCENTCLOUD_SECRET_KEY: "k" }))).secretId).toBe(c.secretId)
    }))

  it.scoped("no metadata server (connection refused): the chain moves on to TKE OIDC at once", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const port = yield* closedPort
      const { get } = yield* chain(emu, { baseUrl: `http://127.0.0.1:${port}/latest/meta-data/` })
      const c = yield* get.pipe(withEnv(tkeVars()))
      expect(emu.state.temporaryCredentials().find((t) => t.secretId === c.secretId)?.action).toBe("AssumeRoleWithWebIdentity")
    }))

  it.live("a metadata server that never answers is given up after the timeout (300 ms here), then TKE OIDC", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const hole = yield* blackHole
      const { get } = yield* chain(emu, { baseUrl: `http://127.0.0.1:${hole.port}/latest/meta-data/`, timeout: "300 millis" })
      const started = Date.now()
      const c = yield* get.pipe(withEnv(tkeVars()))
      const elapsed = Date.now() - started
      expect(emu.state.temporaryCredentials().find((t) => t.secretId === c.secretId)?.action).toBe("AssumeRoleWithWebIdentity")
      expect(hole.sockets.size).toBeGreaterThan(0) // it was asked
      // the timeout bounds the wait (300 ms); 10 s leaves room for a loaded machine
      expect(elapsed).toBeLessThan(10_000)
      expect(elapsed).toBeGreaterThanOrEqual(290)
    }).pipe(Effect.scoped))

  it.scoped("metadata answering garbage stops the chain with the CVM role's named error", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "metadata", action: "RoleCredentials", fault: { kind: "http", status: 200, body: "<html>not json</html>" } })
      const { get } = yield* chain(emu, { baseUrl: metadataUrl(emu) })
      const e = yield* Effect.flip(get.pipe(withEnv(tkeVars())))
      expect(e.provider).toBe("cvm-role")
      expect(e.message).toMatch(/is not a JSON object/)
      expect(emu.requests.list({ service: "sts" })).toHaveLength(0) // TKE OIDC was not tried
    }))

  it.scoped("nothing anywhere: one not-configured error listing every source in order", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const port = yield* closedPort
      const { get } = yield* chain(emu, { baseUrl: `http://127.0.0.1:${port}/latest/meta-data/` })
      const e = yield* Effect.flip(get.pipe(withEnv({})))
      expect(e.provider).toBe("chain")
      expect(e.notConfigured).toBe(true)
      const order = ["environment:", "profile file:", "CVM instance role:", "TKE OIDC:"].map((s) => e.message.indexOf(s))
      expect(order.every((i) => i >= 0)).toBe(true)
      expect([...order].sort((a, b) => a - b)).toEqual(order)
      expect(e.message).toMatch(/ECONNREFUSED/)
    }))

  it.scoped("a broken TKE configuration stops the chain with its error", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const port = yield* closedPort
      const { get } = yield* chain(emu, { baseUrl: `http://127.0.0.1:${port}/latest/meta-data/` })
      const e = yield* Effect.flip(get.pipe(withEnv({ TKE_REGION: "ap-guangzhou" })))
      expect(e.provider).toBe("tke-oidc")
      expect(e.message).toMatch(/TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN are not set but TKE_REGION is/)
    }))

  it.scoped("layerConfig: a key from Config values, optionally assuming a role", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { Config, Layer } = yield* Effect.promise(() => import("effect"))
      const layer = Credentials.layerConfig(
        {
          secretId: Config.string("APP_ID"),
          secretKey: Config.redacted("APP_KEY"),
          roleArn: Config.string("APP_ROLE").pipe(Config.withDefault(undefined))
        },
        { sts: stsVia(emu) }
      )
      const service = yield* Credentials.Credentials.pipe(provideScoped(Layer.provide(layer, Http)))
      const missing = yield* Effect.flip(service.get.pipe(withEnv({ APP_ID: "AKIDx" })))
      expect(missing.provider).toBe("config")
      expect(missing.message).toContain("APP_KEY")
      const key = yield* service.get.pipe(withEnv({ APP_ID: Emulator.DEMO_CREDENTIALS.secretId, APP_KEY: Emulator.DEMO_CREDENTIALS.secretKey }))
      expect(key.secretId).toBe(Emulator.DEMO_CREDENTIALS.secretId)
      const roleService = yield* Credentials.Credentials.pipe(provideScoped(Layer.provide(layer, Http)))
      const role = yield* roleService.get.pipe(
        withEnv({ APP_ID: Emulator.DEMO_CREDENTIALS.secretId, APP_KEY: Emulator.DEMO_CREDENTIALS.secretKey, APP_ROLE: "qcs::cam::uin/1:roleName/r" })
      )
      expect(role.token).toBeDefined()
      expect(emu.requests.list({ service: "sts", action: "AssumeRole" })).toHaveLength(1)
    }))
})
