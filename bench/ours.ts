/**
 * This SDK through its full pipeline: static credentials, TC3 signing, the default retry policy,
 * the region breaker enabled, undici transport, and — when the generated CVM module exists —
 * the generated `describeInstances` with its schema encode/decode. Until it exists the generic
 * `Client.call` is measured; `path` says which.
 *
 * Loaded by the worker with a dynamic import, so the kit still runs (reporting why) when the SDK
 * does not build.
 */
import { ResponseDecodeError } from "../src/Errors.js"
import { StrictMode } from "../src/internal/drift.js"
import { decoderOf } from "../src/internal/operation.js"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Client from "../src/Client.js"
import * as CredentialsM from "../src/Credentials.js"
import * as Json from "../src/Json.js"
import * as Signer from "../src/Signer.js"
import * as UndiciHttpClient from "../src/node/UndiciHttpClient.js"

/** The generated module, when present (the import is marked external by the build when absent). */
const loadGenerated = async (): Promise<Record<string, any> | undefined> => {
  try {
    return (await import("../src/generated/cvm/v20170312.js" as string)) as Record<string, any>
  } catch {
    return undefined
  }
}

const credentialsLayer = (secretId: string, secretKey: string): Layer.Layer<CredentialsM.Credentials> => {
  const m = CredentialsM as Record<string, unknown>
  const credential = { secretId, secretKey: Redacted.make(secretKey) }
  // prefer the SDK's own static layer when it exists
  for (const name of ["layerStatic", "static", "layerFromValues"]) {
    const f = m[name]
    if (typeof f === "function") {
      try {
        const l = (f as (...a: Array<unknown>) => unknown)(credential)
        if (Layer.isLayer(l)) return l as Layer.Layer<CredentialsM.Credentials>
      } catch {
        // signature differs: fall through
      }
    }
  }
  return Layer.succeed(CredentialsM.Credentials, { get: Effect.succeed(credential) })
}

export type CallPath = "generated describeInstances" | "Client.call"

export interface OursClient {
  readonly path: CallPath
  readonly credentialsLayer: string
  readonly call: (params: Record<string, unknown>) => Promise<unknown>
  /** Run `concurrency` fibers calling in a loop until `deadline` (performance.now()); Effect-native driver. */
  readonly fiberLoop: (params: Record<string, unknown>, concurrency: number, deadline: number, onCall: (latencyMs: number) => void) => Promise<void>
  readonly close: () => Promise<void>
}

export const makeOursClient = async (origin: string, secretId: string, secretKey: string, region: string): Promise<OursClient> => {
  const generated = await loadGenerated()
  const describe = generated && typeof generated.describeInstances === "function" ? (generated.describeInstances as (r: unknown) => Effect.Effect<unknown, unknown, Client.TencentCloud>) : undefined
  const creds = credentialsLayer(secretId, secretKey)
  const live = Client.layer({ endpoint: origin, region, breaker: true }).pipe(
    Layer.provide(creds),
    Layer.provide(UndiciHttpClient.layer({ connections: 128 }))
  )
  const runtime = ManagedRuntime.make(live)
  await runtime.runPromise(Effect.void)
  const effectOf = describe
    ? (params: Record<string, unknown>) => describe(params)
    : (params: Record<string, unknown>) => Client.call("cvm", "2017-03-12", "DescribeInstances", params)
  const credentialsName = Object.keys(CredentialsM).find((k) => k === "layerStatic" || k === "static" || k === "layerFromValues") ?? "Layer.succeed(Credentials, ...)"
  return {
    path: describe ? "generated describeInstances" : "Client.call",
    credentialsLayer: credentialsName,
    call: (params) => runtime.runPromise(effectOf(params)),
    fiberLoop: (params, concurrency, deadline, onCall) => {
      // a plain recursive loop: Effect.repeat would add a Schedule step per call, which is the
      // driver's cost, not the SDK's
      const loop: Effect.Effect<void, unknown, Client.TencentCloud> = Effect.suspend(() => {
        const t = performance.now()
        return Effect.flatMap(effectOf(params), () => {
          onCall(performance.now() - t)
          return performance.now() < deadline ? loop : Effect.void
        })
      })
      return runtime.runPromise(Effect.forEach(Array.from({ length: concurrency }), () => loop, { concurrency: "unbounded", discard: true }))
    },
    close: () => runtime.dispose()
  }
}

/** Our signer on a DescribeInstances request as the pipeline builds it. */
export const makeOursSign = (secretId: string, secretKey: string) => {
  const signer = Signer.make("TC3-HMAC-SHA256")
  const credential = { secretId, secretKey: Redacted.make(secretKey) }
  const headers = { "X-TC-TraceId": "2b5ee2f4-40f3-4e1c-a3d9-3d3b1f8d0a51", "X-TC-RequestClient": "effect-tencentcloud/0.1.0" }
  return (params: Record<string, unknown>, ts: number) =>
    signer.sign(
      { method: "POST", scheme: "https", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "DescribeInstances", region: "ap-guangzhou", params, headers },
      credential,
      ts,
      0
    )
}

export interface DecodeFns {
  readonly losslessParse: (text: string) => unknown
  /** Lossless parse + the generated action's decoding step (tolerant, the default), when the schema exists. */
  readonly fullDecode: ((text: string) => unknown) | undefined
  /** More decodes to time: strict mode, and an answer with drift in every instance (tolerant and strict). */
  readonly variants: Readonly<Record<string, (text: string) => unknown>>
  /** The drifted answer's text (every instance: CPU as text, one undeclared member). */
  readonly driftedText: string | undefined
  readonly schemaName: string | undefined
  readonly problem: string | undefined
}

/** The sample with drift in every instance: CPU sent as text, an undeclared member added. */
const drift = (sample: string): string => {
  const doc = Json.parse(sample) as { Response: { InstanceSet: Array<Record<string, unknown>> } }
  for (const i of doc.Response.InstanceSet) {
    i.CPU = String(i.CPU)
    i.AddedLater = { Since: "2027" }
  }
  return Json.stringify(doc)
}

export const makeDecode = async (sample: string): Promise<DecodeFns> => {
  const generated = await loadGenerated()
  const losslessParse = (text: string) => Json.parse(text)
  const none = { variants: {}, driftedText: undefined }
  if (!generated) return { losslessParse, fullDecode: undefined, ...none, schemaName: undefined, problem: "src/generated/cvm/v20170312 not generated yet" }
  for (const name of ["DescribeInstancesResponse", "DescribeInstancesResponseSchema"]) {
    const s = generated[name]
    if (s !== undefined && Schema.isSchema(s)) {
      // the decoding step generated actions run on every answer (src/internal/operation.ts)
      const decode = decoderOf(generated.$M, "DescribeInstances", s as Schema.Schema<any, any, never>)
      const run = (strict: boolean) => (text: string) => {
        const response = (Json.parse(text) as { Response: Record<string, unknown> }).Response
        const r = Effect.runSync(Effect.either(Effect.provideService(decode(response), StrictMode, strict)))
        return r._tag === "Right" ? r.right : r.left
      }
      const fullDecode = (text: string) => {
        const r = run(false)(text)
        if (r instanceof ResponseDecodeError) throw new Error(r.message)
        return r
      }
      try {
        fullDecode(sample)
      } catch (e) {
        return { losslessParse, fullDecode: undefined, ...none, schemaName: name, problem: `decoding the fixture failed: ${String(e).slice(0, 500)}` }
      }
      const variants = {
        "Json.parse + schema decode (strict)": run(true),
        "Json.parse + decode, drift in every instance (tolerant)": run(false),
        "Json.parse + decode, drift in every instance (strict, fails)": run(true)
      }
      return { losslessParse, fullDecode, variants, driftedText: drift(sample), schemaName: name, problem: undefined }
    }
  }
  return { losslessParse, fullDecode: undefined, ...none, schemaName: undefined, problem: "the generated module exports no DescribeInstancesResponse schema" }
}
