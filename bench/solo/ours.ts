// This SDK alone: cold start, memory or a profile (see harness.ts). The program is what a user writes
// (static imports, the generated action, a ManagedRuntime), configured as in the paired slices
// (bench/ours.ts: static credentials, region breaker, undici with 128 connections), without the
// bench's other harness code, so a bundle of it is what a user would ship.
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import { describeInstances } from "../../src/generated/cvm/v20170312.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import { port, runSolo } from "./harness.js"

const live = Client.layer({ endpoint: `http://127.0.0.1:${port()}`, region: "ap-guangzhou", breaker: true }).pipe(
  Layer.provide(Credentials.layerStatic({ secretId: "AKIDEXAMPLE", secretKey: Redacted.make("secretEXAMPLE") })),
  Layer.provide(UndiciHttpClient.layer({ connections: 128 }))
)
const runtime = ManagedRuntime.make(live)
await runSolo((params) => runtime.runPromise(describeInstances(params)))
