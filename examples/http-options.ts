/**
 * HTTP options: timeouts, the transport (undici with proxy, CA, keep-alive, connect timeout; or
 * fetch), per-call headers, and the debugging hook that shows each raw exchange.
 *
 * The emulator adds latency on demand, so the timeout is real: the request is aborted and the
 * call fails with a `TimeoutError` (or is retried, for an action that is safe to repeat). The
 * injected latency (30 s) is far beyond the timeouts (1 s, 3 s), and the retried attempt has no
 * latency at all, so the outcome does not depend on how busy the machine is. Each request is
 * found in the emulator's log by the trace id it was sent with, never as "the last one".
 *
 * Run: `npx tsx examples/http-options.ts`
 */
import { Effect, Layer, Logger, LogLevel } from "effect"
import * as net from "node:net"
import * as tls from "node:tls"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Emulator from "effect-tencentcloud/emulator"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Http from "effect-tencentcloud/Http"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as Retry from "effect-tencentcloud/Retry"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))
const DemoKey = Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)
/** undici, without proxy: the emulator is on loopback (HTTP(S)_PROXY would otherwise apply) */
const Undici = UndiciHttpClient.layer({ proxy: false })

/** A port nothing listens on. */
const closedPort = Effect.promise(
  () =>
    new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as net.AddressInfo).port
        s.close(() => resolve(port))
      })
    })
)

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()

  // 1. timeouts ----------------------------------------------------------------------------------
  yield* say("1. Timeouts (the emulator delays DescribeZones by 30 s)")
  const Live = Client.layer({ region: "ap-guangzhou", connectTo: emu.endpoint, timeout: "10 seconds" }).pipe(
    Layer.provide(DemoKey),
    Layer.provide(Undici)
  )
  yield* Effect.gen(function* () {
    const slow = emu.faults.add({ action: "DescribeZones", fault: { kind: "latency", ms: 30_000 } })
    const t0 = Date.now()
    const timedOut = yield* Cvm.describeZones({}).pipe(
      Client.withTimeout("1 second"), // per call; the client's `timeout` option is the default
      Retry.withRetryPolicy(Retry.none),
      Effect.flip
    )
    yield* say(`   withTimeout("1 second"), no retries → ${timedOut._tag} after ${Date.now() - t0} ms`)
    yield* say(`   ${timedOut.message.split(";")[0]}`)
    emu.faults.remove(slow)

    // DescribeZones is read-only, so the default policy retries a timeout; at Debug level the
    // client logs one line per attempt, captured here by a logger of our own
    emu.faults.add({ action: "DescribeZones", times: 1, fault: { kind: "latency", ms: 30_000 } })
    const lines: Array<string> = []
    const capture = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ message }) => lines.push(Array.isArray(message) ? message.join(" ") : String(message)))
    )
    const zones = yield* Cvm.describeZones({}).pipe(
      Client.withTimeout("3 seconds"), // the retry answers at once: 3 s is a margin no load takes away
      Effect.provide(capture),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
    yield* say(`   the same with the default retry policy → ${Number(zones.TotalCount)} zones; the debug log:`)
    for (const line of lines) yield* say(`     ${line.split(";")[0].replace(/ \(trace id.*$/, "")}`)
  }).pipe(Effect.provide(Live))

  // 2. connection failures -----------------------------------------------------------------------
  yield* say("\n2. Nothing listening: a NetworkError with its reason")
  const port = yield* closedPort
  const refused = yield* Cvm.describeZones({}).pipe(
    Retry.withRetryPolicy(Retry.none),
    Effect.provide(
      Client.layer({ region: "ap-guangzhou", connectTo: `http://127.0.0.1:${port}` }).pipe(
        Layer.provide(DemoKey),
        Layer.provide(UndiciHttpClient.layer({ proxy: false, connectTimeout: "2 seconds" }))
      )
    ),
    Effect.flip
  )
  yield* say(`   ${refused._tag}${refused._tag === "NetworkError" ? ` (reason ${refused.reason})` : ""}: ${refused.message.split(";")[0]}`)

  // 3. the undici transport's options ------------------------------------------------------------
  yield* say("\n3. Transport options (built here, not sent anywhere)")
  // a proxy, an extra trusted CA (your company's; one of Node's bundled roots stands in here),
  // keep-alive, connect timeout and pool size
  const Corporate = UndiciHttpClient.layer({
    proxy: "http://proxy.internal.example:3128",
    ca: [tls.rootCertificates[0]],
    keepAlive: "10 seconds",
    connectTimeout: "5 seconds",
    connections: 32
  })
  yield* Effect.scoped(Layer.build(Corporate)) // builds the dispatcher, then closes it
  const kinds = [
    ["proxy: \"http://proxy:3128\"", { proxy: "http://proxy.internal.example:3128" }],
    ["proxy: \"env\" (HTTPS_PROXY, NO_PROXY, ...)", { proxy: "env" }],
    ["proxy: false", { proxy: false }]
  ] as const
  for (const [label, options] of kinds) {
    const d = UndiciHttpClient.makeDispatcher(options)
    yield* say(`   ${label.padEnd(42)} → undici ${d.constructor.name}`)
    yield* Effect.promise(() => d.close())
  }
  yield* say(`   (insecure: true skips TLS verification and logs a warning: for a local test proxy only)`)

  // 4. fetch instead of undici -------------------------------------------------------------------
  yield* say("\n4. The fetch transport (any runtime)")
  // fetch cannot set the Host header, so instead of `connectTo` address the emulator directly;
  // TC3 signs the host it is given and names the service in its credential scope
  const OnFetch = Client.layer({ region: "ap-guangzhou", endpoint: emu.address, scheme: "http" }).pipe(
    Layer.provide(DemoKey),
    Layer.provide(Http.layerFetch)
  )
  // the record of this very request: found by the trace id it carries
  const fetchTrace = "example-fetch-" + Date.now()
  const viaFetch = yield* Cvm.describeZones({}).pipe(Client.withHeaders({ "X-TC-TraceId": fetchTrace }), Effect.provide(OnFetch))
  const fetched = emu.requests.list().find((r) => r.headers["x-tc-traceid"] === fetchTrace)
  yield* say(`   Http.layerFetch, endpoint ${emu.address} → ${Number(viaFetch.TotalCount)} zones (Host: ${fetched?.host})`)

  // 5. headers, language and the debugging hook --------------------------------------------------
  yield* say("\n5. Per-call headers and language; the httpListener hook")
  const seen: Array<Client.HttpExchange> = []
  const Debug = Client.layer({
    region: "ap-guangzhou",
    connectTo: emu.endpoint,
    headers: { "X-App": "inventory" }, // on every request
    httpListener: (exchange) => Effect.sync(() => seen.push(exchange))
  }).pipe(Layer.provide(DemoKey), Layer.provide(Undici))
  const debugTrace = "example-debug-" + Date.now()
  yield* Cvm.describeZones({}).pipe(
    Client.withHeaders({ "X-Request-Origin": "example", "X-TC-TraceId": debugTrace }),
    Client.withLanguage("en-US"),
    Effect.provide(Debug)
  )
  const last = emu.requests.list().find((r) => r.headers["x-tc-traceid"] === debugTrace)
  yield* say(`   the emulator received x-app=${last?.headers["x-app"]}, x-request-origin=${last?.headers["x-request-origin"]}, x-tc-language=${last?.headers["x-tc-language"]}`)
  const ex = seen[0]
  yield* say(`   httpListener saw: ${ex.request.method} ${ex.request.url} → ${ex.response?.status}`)
  yield* say(`     Authorization: ${ex.request.headers["Authorization"]}   X-TC-Action: ${ex.request.headers["X-TC-Action"]}`)
  yield* say(`     body: ${ex.response?.body?.slice(0, 60)}...`)
}).pipe(Effect.scoped)

runMain(import.meta, main)
