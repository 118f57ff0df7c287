/**
 * End-to-end over real HTTP against the emulator: the Huawei client with each credential source,
 * region source, error class, retry and failover path, the HTTP listener and the access log,
 * upload and download. Clients use the real host names with the emulator's port; an undici
 * dispatcher resolves every name to 127.0.0.1 (the Host sent and signed stays the real one).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { Agent } from "undici"
import * as Emulator from "../../src/emulator/index.js"
import { AccessLog, Client, Credentials, Errors, HuaweiCloud, Regions } from "../../src/huaweicloud/index.js"
import * as Retry from "../../src/Retry.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import { loopbackLookup } from "./helpers.js"

const AK = Emulator.DEMO_CREDENTIALS.secretId
const SK = Emulator.DEMO_CREDENTIALS.secretKey
const REGION = "cn-north-4"

const httpLayer = Layer.scoped(
  HttpClient.HttpClient,
  Effect.acquireRelease(Effect.sync(() => new Agent({ connect: { lookup: loopbackLookup as never }, keepAliveTimeout: 1000 })), (a) => Effect.promise(() => a.close())).pipe(
    Effect.map(UndiciHttpClient.makeWithDispatcher)
  )
)

/** The emulator for one test, and the endpoints a client uses to reach it. */
const withEmulator = <A, E, R>(f: (emu: Emulator.EmulatorHandle, at: (service: string) => string) => Effect.Effect<A, E, R>) =>
  Effect.scoped(Effect.flatMap(Emulator.make({}), (emu) => f(emu, (service) => `http://${service}.${REGION}.myhuaweicloud.com:${emu.port}`)))

const clientLayer = (emu: Emulator.EmulatorHandle, credentials: Layer.Layer<Credentials.HuaweiCredentials, never, HttpClient.HttpClient>, options: Client.ClientOptions = {}) =>
  Client.layer({
    region: REGION,
    iamEndpoint: `http://iam.${REGION}.myhuaweicloud.com:${emu.port}`,
    regions: { "*": [Regions.make(REGION, `http://vpc.${REGION}.myhuaweicloud.com:${emu.port}`)], files: [Regions.make(REGION, `http://files.${REGION}.myhuaweicloud.com:${emu.port}`)], ecs: [Regions.make(REGION, `http://ecs.${REGION}.myhuaweicloud.com:${emu.port}`)] },
    ...options
  }).pipe(Layer.provideMerge(credentials), Layer.provideMerge(httpLayer))

const listVpcs = Client.request("vpc", "GET", "/v1/{project_id}/vpcs", { action: "ListVpcs" })
const createVpc = (name: string) => Client.request("vpc", "POST", "/v1/{project_id}/vpcs", { action: "CreateVpc", body: { vpc: { name, cidr: "10.0.0.0/16" } } })

const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer()
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port
      s.close(() => resolve(p))
    })
  })

describe("credentials", () => {
  it.live("basic AK/SK: project id discovered through IAM once, then cached", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        yield* createVpc("a")
        const r = yield* listVpcs
        expect((r.body as { vpcs: Array<{ name: string }> }).vpcs.map((v) => v.name)).toEqual(["a"])
        expect(r.requestId).toMatch(/^[0-9a-f]{32}$/)
        expect(emu.requests.list({ service: "iam" }).filter((x) => x.action === "KeystoneListProjects")).toHaveLength(1)
        const last = emu.requests.last()!
        expect(last.signatureMethod).toBe("SDK-HMAC-SHA256")
        expect(last.headers["x-project-id"]).toBe(yield* Effect.flatMap(HuaweiCloud, (c) => c.projectId()))
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK }))))))

  it.live("global AK/SK: domain id discovered and sent as X-Domain-Id", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        const r = yield* Client.request("iam", "GET", "/v3/projects", { global: true, query: { name: REGION } })
        expect((r.body as { projects: Array<unknown> }).projects).toHaveLength(1)
        expect(emu.requests.last()!.headers["x-domain-id"]).toMatch(/^[0-9a-f]{32}$/)
        expect(emu.requests.list({ service: "iam" }).some((x) => x.action === "KeystoneListAuthDomains")).toBe(true)
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerGlobal({ ak: AK, sk: SK }), { regions: { "*": [Regions.make(REGION, `http://iam.${REGION}.myhuaweicloud.com:${emu.port}`)] } })))))

  it.live("given project id: no discovery", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        const c = yield* HuaweiCloud
        const pid = yield* c.projectId()
        expect(pid).toBe("77b6a44cba5143ab91d13ab9a8ff44fd")
        const e = yield* Effect.flip(listVpcs)
        // the emulator knows its own projects only: a foreign project is refused
        expect(Errors.isClientRequest(e) && e.errorCode).toBe("APIGW.0302")
        expect(emu.requests.list({ service: "iam" })).toHaveLength(0)
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK, projectId: "77b6a44cba5143ab91d13ab9a8ff44fd" }))))))

  it.live("temporary keys from the ECS metadata service (with X-Security-Token)", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        yield* listVpcs
        const last = emu.requests.last()!
        expect(last.secretId).toMatch(/^TMP/)
        expect(last.headers["x-security-token"]).toBe("<redacted>")
        expect(emu.requests.list({ service: "metadata" }).map((x) => x.action)).toEqual(["CreateMetadataToken", "ShowSecurityKey"])
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerMetadata({ endpoint: `http://127.0.0.1:${emu.port}` }))))))

  it.live("federated: an id token file exchanged at IAM for temporary keys", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "hw-idp-")))
        const file = path.join(dir, "token")
        yield* Effect.promise(() => fs.writeFile(file, "eyJ.id.token\n"))
        const layer = clientLayer(emu, Credentials.layerFederated({ idpId: "my-idp", idTokenFile: file, iamEndpoint: `http://iam.${REGION}.myhuaweicloud.com:${emu.port}` }))
        yield* Effect.provide(listVpcs, layer)
        expect(emu.requests.list({ service: "iam" }).map((x) => x.action)).toEqual(["CreateTokenWithIdToken", "CreateTemporaryAccessKeyByToken", "KeystoneListProjects"])
        expect(emu.requests.last()!.secretId).toMatch(/^TMP/)
        yield* Effect.promise(() => fs.writeFile(file, "invalid"))
        const bad = yield* Effect.flip(Effect.provide(listVpcs, clientLayer(emu, Credentials.layerFederated({ idpId: "my-idp", idTokenFile: file, iamEndpoint: `http://iam.${REGION}.myhuaweicloud.com:${emu.port}` }))))
        expect(bad._tag).toBe("CredentialsError")
        expect(bad.message).toMatch(/refused the id token/)
      })))

  it.live("environment (HUAWEICLOUD_SDK_*), and a profile file, through the default chain", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        const env = ConfigProvider.fromMap(new Map([["HUAWEICLOUD_SDK_AK", AK], ["HUAWEICLOUD_SDK_SK", SK]]))
        yield* Effect.provide(listVpcs, clientLayer(emu, Credentials.layerDefaultWith({ metadata: false }))).pipe(Effect.withConfigProvider(env))
        expect(emu.requests.last()!.response.status).toBe(200)
        const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "hw-profile-")))
        const file = path.join(dir, "credentials")
        yield* Effect.promise(() => fs.writeFile(file, `[basic]\nak = ${AK}\nsk = ${SK}\n\n[global]\nak = nobody\nsk = nothing\n`))
        const fileEnv = ConfigProvider.fromMap(new Map([["HUAWEICLOUD_SDK_CREDENTIALS_FILE", file]]))
        yield* Effect.provide(listVpcs, clientLayer(emu, Credentials.layerDefaultWith({ metadata: false }))).pipe(Effect.withConfigProvider(fileEnv))
        expect(emu.requests.last()!.response.status).toBe(200)
        const none = yield* Effect.flip(Effect.provide(listVpcs, clientLayer(emu, Credentials.layerDefaultWith({ metadata: false, profile: { file: path.join(dir, "missing") } })))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
        expect(none.message).toMatch(/Failed to get credentials from provider chain/)
      })))

  it.live("a wrong SK is refused with APIGW.0301 (catchTag by Huawei's code)", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        const code = yield* listVpcs.pipe(Effect.as("ok"), Errors.catchCode("APIGW.0301", (e) => Effect.succeed(`${e.status} ${e.kind}`)))
        expect(code).toBe("401 ClientRequest")
        // catchTag by the code works at run time (its types need a literal code, as generated actions give)
        const tagged = yield* Effect.catchTag(listVpcs as unknown as Effect.Effect<unknown, { readonly _tag: "APIGW.0301" }, HuaweiCloud>, "APIGW.0301", () => Effect.succeed("caught"))
        expect(tagged).toBe("caught")
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: "wrong", projectId: "p" }))))))
})

describe("regions", () => {
  it.live("environment variable and regions.yaml give the endpoints", () =>
    withEmulator((emu, at) =>
      Effect.gen(function* () {
        const env = ConfigProvider.fromMap(new Map([["HUAWEICLOUD_SDK_REGION_VPC_CN_NORTH_4", at("vpc")]]))
        yield* listVpcs.pipe(Effect.withConfigProvider(env))
        expect(emu.requests.last()!.host).toBe(`vpc.${REGION}.myhuaweicloud.com:${emu.port}`)
        const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "hw-regions-")))
        const file = path.join(dir, "regions.yaml")
        yield* Effect.promise(() => fs.writeFile(file, `VPC:\n  - id: '${REGION}'\n    endpoint: '${at("vpc")}'\n`))
        yield* listVpcs.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["HUAWEICLOUD_SDK_REGIONS_FILE", file]]))))
        expect(emu.requests.last()!.response.status).toBe(200)
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK }), { regions: {} })))))

  it.live("failover: a dead first endpoint is skipped at once, and later calls stay on the live one", () =>
    withEmulator((emu, at) =>
      Effect.gen(function* () {
        const dead = yield* Effect.promise(closedPort)
        const layer = clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK }), {
          regions: { vpc: [Regions.make(REGION, `http://vpc.${REGION}.myhuaweicloud.com:${dead}`, at("vpc"))] }
        })
        yield* Effect.gen(function* () {
          const before = Date.now()
          yield* listVpcs
          expect(Date.now() - before).toBeLessThan(2000) // no retries spent on the dead host
          yield* listVpcs
          expect(emu.requests.list({ service: "vpc" })).toHaveLength(2)
        }).pipe(Effect.provide(layer))
        const allDead = clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK }), {
          regions: { vpc: [Regions.make(REGION, `http://vpc.${REGION}.myhuaweicloud.com:${dead}`, `http://vpc.${REGION}.myhuaweicloud.com:${yield* Effect.promise(closedPort)}`)] },
          retryPolicy: Retry.none
        })
        const e = yield* Effect.flip(Effect.provide(listVpcs, allDead))
        expect(Errors.kindOf(e)).toBe("HostUnreachable")
        expect(Errors.isConnection(e)).toBe(true)
      })))
})

describe("errors and retries", () => {
  const layer = (emu: Emulator.EmulatorHandle, options: Client.ClientOptions = {}) => clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK }), options)

  it.live("4xx: ClientRequest with error_code, error_msg and X-Request-Id; 5xx: ServerResponse", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        const nf = yield* Effect.flip(Client.request("vpc", "GET", "/v1/{project_id}/vpcs/nope"))
        expect(Errors.isClientRequest(nf)).toBe(true)
        if (!Errors.isServiceResponseError(nf)) throw nf
        expect([nf._tag, nf.status, nf.requestId === emu.requests.last()!.response.requestId]).toEqual(["VPC.0202", 404, true])
        emu.faults.add({ service: "vpc", fault: { kind: "http", status: 500 }, times: 1 })
        const five = yield* Effect.flip(listVpcs.pipe(Client.withRetryPolicy(Retry.none)))
        expect(Errors.isServerResponse(five) && [five.code, five.category]).toEqual(["500", "internal"])
        emu.faults.add({ service: "vpc", fault: { kind: "http", status: 302 }, times: 1 })
        const redirect = yield* Effect.flip(listVpcs)
        expect(Errors.kindOf(redirect)).toBe("RetryOutage")
        expect(Errors.isRequestTimeout(redirect)).toBe(true)
      }).pipe(Effect.provide(layer(emu)))))

  it.live("throttling (429) is retried by the default policy; a server error on a read is retried when safe", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        emu.faults.add({ service: "vpc", action: "ListVpcs", fault: { kind: "error", code: "APIGW.0308" }, times: 2 })
        yield* listVpcs.pipe(Client.withRetryPolicy(Retry.make({ throttlingBase: "1 millis", base: "1 millis" })))
        expect(emu.requests.list({ service: "vpc" }).map((r) => r.response.status)).toEqual([429, 429, 200])
        emu.faults.add({ service: "vpc", action: "ListVpcs", fault: { kind: "http", status: 503 }, times: 1 })
        yield* listVpcs.pipe(Client.withRetryPolicy(Retry.make({ base: "1 millis" })))
      }).pipe(Effect.provide(layer(emu)))))

  it.live("the SDK's invoker retry: condition, maximum and backoff; bounds checked", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        expect(Either.isLeft(Client.retry({ maxRetries: 11 }))).toBe(true)
        const policy = Either.getOrThrow(Client.retry({ maxRetries: 3, condition: (e) => Errors.isServerResponse(e) && e.status === 502, backoff: Retry.backoff.equalJitter }))
        emu.faults.add({ service: "vpc", fault: { kind: "http", status: 502 } })
        const e = yield* Effect.flip(listVpcs.pipe(Client.withRetryPolicy(policy)))
        expect(Errors.isServerResponse(e)).toBe(true)
        expect(emu.requests.list({ service: "vpc" })).toHaveLength(4)
        emu.faults.clear()
        emu.faults.add({ service: "vpc", fault: { kind: "http", status: 429 }, times: 1 })
        yield* Effect.flip(listVpcs.pipe(Client.withRetryPolicy(policy)))
        expect(emu.requests.list({ service: "vpc" })).toHaveLength(5) // condition false: one call
      }).pipe(Effect.provide(layer(emu)))))

  it.live("a call that outlasts its timeout fails with a TimeoutError (CallTimeout)", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        emu.faults.add({ service: "vpc", fault: { kind: "latency", ms: 400 }, times: 1 })
        const e = yield* Effect.flip(listVpcs.pipe(Client.withTimeout("100 millis"), Client.withRetryPolicy(Retry.none)))
        expect(Errors.kindOf(e)).toBe("CallTimeout")
      }).pipe(Effect.provide(layer(emu)))))

  it.live("custom headers per call are signed and sent; reserved ones are refused before sending", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        yield* listVpcs.pipe(Client.withHeaders({ "X-Language": "en-us" }))
        expect(emu.requests.last()!.headers["x-language"]).toBe("en-us")
        const total = emu.requests.total()
        const e = yield* Effect.flip(listVpcs.pipe(Client.withHeaders({ Authorization: "x" })))
        expect(e._tag).toBe("RequestValidationError")
        expect(emu.requests.total()).toBe(total)
      }).pipe(Effect.provide(layer(emu)))))
})

describe("listener, access log, files", () => {
  it.live("the HTTP listener sees raw exchanges with secrets redacted; the access log gets one line per call", () =>
    withEmulator((emu) => {
      const seen: Array<Client.HttpExchange> = []
      const lines: Array<string> = []
      return Effect.gen(function* () {
        yield* createVpc("logged")
        yield* Effect.flip(Client.request("vpc", "GET", "/v1/{project_id}/vpcs/nope"))
        expect(seen).toHaveLength(3) // IAM discovery + 2 calls
        const auth = seen[1].request.headers["Authorization"] ?? seen[1].request.headers["authorization"]
        expect(auth).not.toContain("Signature=")
        expect(JSON.stringify(seen)).not.toContain(SK)
        expect(lines).toHaveLength(2)
        expect(lines[0]).toMatch(/"POST http:\/\/vpc.cn-north-4.myhuaweicloud.com:\d+\/v1\/[0-9a-f]{32}\/vpcs" 200 \d+ 0:00:00\.\d{6} [0-9a-f]{32}$/)
        expect(lines[1]).toMatch(/" 404 0 .* [0-9a-f]{32}$/)
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK }), {
        httpListener: (x) => Effect.sync(() => void seen.push(x)),
        accessLog: AccessLog.toStream({ write: (s: string) => lines.push(s.trimEnd()) })
      })))
    }))

  it.live("multipart/form-data upload, then the download as a Stream", () =>
    withEmulator((emu) =>
      Effect.gen(function* () {
        const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256)
        const up = yield* Client.request("files", "POST", "/v1/{project_id}/files", {
          form: [{ name: "name", value: "blob.bin" }, { name: "public", value: true }, { name: "file", filename: "blob.bin", data }]
        })
        expect(up.body).toEqual({ name: "blob.bin", size: data.length, fields: { name: "blob.bin", public: "true" } })
        expect(emu.requests.last()!.headers["x-sdk-content-sha256"]).toBe("UNSIGNED-PAYLOAD")
        const chunks = yield* Stream.runCollect(Client.download("files", "GET", "/v1/{project_id}/files/blob.bin"))
        const got = Buffer.concat([...chunks])
        expect(got.equals(Buffer.from(data))).toBe(true)
        const missing = yield* Effect.flip(Stream.runDrain(Client.download("files", "GET", "/v1/{project_id}/files/none")))
        expect(Errors.isClientRequest(missing) && missing.code).toBe("FILES.0404")
      }).pipe(Effect.provide(clientLayer(emu, Credentials.layerBasic({ ak: AK, sk: SK }))))))
})
