#!/usr/bin/env node
/**
 * Command line of the emulator, installed with the package as `tencentcloud-emulator`:
 *
 * ```
 * npx tencentcloud-emulator --port 4599 --secret-id AKID... --secret-key ...
 * npx tencentcloud-emulator --fault "action=DescribeInstances,kind=error,code=RequestLimitExceeded,times=2"
 * ```
 *
 * In this repository: `npm run emulator -- [options]`.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as Emulator from "./Emulator.js"
import * as Faults from "./faults.js"
import type { RecordedRequest } from "./recorder.js"

const HELP = `tencentcloud-emulator: a local Tencent Cloud (API 3.0) for development and tests,
from the effect-tencentcloud package. Listens on loopback; no account, no network.

Usage: npx tencentcloud-emulator [options]
   or: tencentcloud-emulator [options]   (installed with effect-tencentcloud; in an npm script, just the name)

Point effect-tencentcloud at it with Client.layer({ connectTo: "http://127.0.0.1:4599" }) and the
demo key printed at start (Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)); any SDK that lets
you set the endpoint works too. Guide: node_modules/effect-tencentcloud/docs/emulator.md

Options:

  --port <n>               port to listen on (default 4599; 0 = any free port)
  --host <addr>            address to bind (default 127.0.0.1)
  --secret-id <id>         accepted SecretId; pair each with --secret-key (repeatable).
  --secret-key <key>       Without any pair, the documented demo key is used.
  --root-domain <domain>   Host root for <service>[.<region>].<root> (repeatable;
                           default tencentcloudapi.com and localhost)
  --default-service <svc>  service assumed when the request does not name one
  --spec-dir <dir>         also serve actions from a tccli-format spec folder
  --seed <n>               seed of generated data and probabilistic faults (default 0)
  --transition-ms <n>      duration of every state transition (default 1000; 500 for disks)
  --fault <rule>           a fault rule, e.g. "action=Describe*,kind=error,code=RequestLimitExceeded,times=2"
                           keys: service action region host probability times kind
                           kinds: latency(ms) error(code,message) http(status,body) reset resetMidBody
                                  truncate slowBody(ms) contentType(contentType)   (repeatable)
  --faults <file.json>     fault rules from a JSON file (array of rules)
  --record <n>             request log capacity (default 1000)
  --record-bytes <n>       request log bound in bytes (default 33554432); large params are kept truncated
  --no-strict-answers      send answers that do not match their response schema (default: such an
                           answer, a bug of the emulator, is an InternalError naming every mismatch)
  --quiet                  no access log
  --help                   this text
`

interface Args {
  port: number
  host: string
  ids: Array<string>
  keys: Array<string>
  roots: Array<string>
  defaultService?: string
  specDir?: string
  seed: number
  transitionMs?: number
  faults: Array<Faults.FaultRule>
  record: number
  recordBytes?: number
  quiet: boolean
  strictAnswers: boolean
}

const die = (msg: string): never => {
  process.stderr.write(`emulator: ${msg}\n(see --help)\n`)
  process.exit(2)
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const a: Args = { port: 4599, host: "127.0.0.1", ids: [], keys: [], roots: [], seed: 0, faults: [], record: 1000, quiet: false, strictAnswers: true }
  const int = (flag: string, v: string | undefined): number => {
    if (v === undefined || !/^\d+$/.test(v)) return die(`${flag} needs a non-negative integer, got ${JSON.stringify(v)}`)
    return Number(v)
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const eq = flag.indexOf("=")
    const [name, inline] = flag.startsWith("--") && eq > 0 ? [flag.slice(0, eq), flag.slice(eq + 1)] : [flag, undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) die(`${name} needs a value`)
      return v
    }
    switch (name) {
      case "--help":
      case "-h":
        process.stdout.write(HELP)
        process.exit(0)
        break
      case "--port":
        a.port = int(name, value())
        break
      case "--host":
        a.host = value()
        break
      case "--secret-id":
        a.ids.push(value())
        break
      case "--secret-key":
        a.keys.push(value())
        break
      case "--root-domain":
        a.roots.push(value())
        break
      case "--default-service":
        a.defaultService = value()
        break
      case "--spec-dir":
        a.specDir = value()
        break
      case "--seed":
        a.seed = int(name, value())
        break
      case "--transition-ms":
        a.transitionMs = int(name, value())
        break
      case "--record":
        a.record = int(name, value())
        break
      case "--record-bytes":
        a.recordBytes = int(name, value())
        break
      case "--no-strict-answers":
        a.strictAnswers = false
        break
      case "--quiet":
        a.quiet = true
        break
      case "--fault": {
        const r = Faults.parseFlag(value())
        if (typeof r === "string") die(`--fault: ${r}`)
        a.faults.push(r as Faults.FaultRule)
        break
      }
      case "--faults": {
        const file = value()
        let text = ""
        try {
          text = fs.readFileSync(file, "utf8")
        } catch (e) {
          die(`--faults: cannot read ${file}: ${(e as Error).message}`)
        }
        const r = Faults.parseJson(text)
        if (typeof r === "string") die(`--faults ${file}: ${r}`)
        a.faults.push(...(r as ReadonlyArray<Faults.FaultRule>))
        break
      }
      default:
        die(`unknown option ${flag}`)
    }
  }
  if (a.ids.length !== a.keys.length) die(`give each --secret-id a --secret-key (${a.ids.length} ids, ${a.keys.length} keys)`)
  return a
}

const logLine = (r: RecordedRequest): string => {
  const target = r.service !== undefined ? `${r.service}${r.version ? "@" + r.version : ""}.${r.action ?? "?"}` : r.host
  const outcome = r.response.status === 0 ? "connection reset" : r.response.code !== undefined ? r.response.code : r.response.status === 200 ? "OK" : `HTTP ${r.response.status}`
  const fault = r.fault !== undefined ? ` [fault: ${r.fault}]` : ""
  return `${new Date(r.time).toISOString()} ${r.method} ${target} ${r.region ?? "-"} ${r.signatureMethod ?? "-"} -> ${outcome}${fault}\n`
}

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  const credentials = args.ids.length === 0 ? [Emulator.DEMO_CREDENTIALS] : args.ids.map((secretId, i) => ({ secretId, secretKey: args.keys[i] }))
  const t = args.transitionMs
  const emu = await Emulator.start({
    port: args.port,
    hostname: args.host,
    credentials,
    rootDomains: args.roots.length > 0 ? args.roots : undefined,
    defaultService: args.defaultService,
    specDir: args.specDir,
    seed: args.seed,
    timings: t === undefined ? undefined : { launch: t, start: t, stop: t, reboot: t, terminate: t, attach: t, detach: t },
    faults: args.faults,
    recordLimit: args.record,
    recordMaxBytes: args.recordBytes,
    strictAnswers: args.strictAnswers,
    onRequest: args.quiet ? undefined : (r) => process.stdout.write(logLine(r))
  }).catch((e: Error) => die(`cannot listen on ${args.host}:${args.port}: ${e.message}`))
  const demo = args.ids.length === 0
  const out = [
    `Tencent Cloud emulator listening on ${emu.endpoint}`,
    ``,
    demo ? `Demo credentials (not real keys; from the official signature documentation):` : `Accepted SecretIds:`,
    ...credentials.map((c) => (demo ? `  SecretId:  ${c.secretId}\n  SecretKey: ${c.secretKey}` : `  ${c.secretId}`)),
    ``,
    `Address a service by its Host (${emu.rootDomains.map((r) => `<service>[.<region>].${r}`).join(", ")})`,
    `or by the header X-TC-Service: <service>; TC3 requests may also rely on their credential scope.`,
    `  curl-like: connect to ${emu.address} with "Host: ${emu.hostFor("cvm")}"`,
    `  effect-tencentcloud: { connectTo: "${emu.endpoint}" } with the undici transport`,
    `  official Node SDK: endpoint "cvm.tencentcloudapi.com", protocol "http://", and an http.Agent`,
    `                     connecting to ${emu.address} (see effect-tencentcloud/docs/emulator.md)`,
    args.faults.length > 0 ? `\nFault rules: ${args.faults.length}` : "",
    `Stateful: cvm (instances), vpc (VPCs, subnets), cbs (disks), sts (temporary keys). Ctrl-C to stop.`,
    ``
  ]
  process.stdout.write(out.join("\n") + "\n")
  const stop = () => {
    emu.close().then(() => process.exit(0))
    setTimeout(() => process.exit(0), 2000).unref()
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}

main()
