/**
 * The examples run in CI: each `examples/<name>.ts` is run as a program (`node --import tsx`, as
 * `npm start` and the examples' headers do), must exit 0 and print the lines that show it did its
 * job. The quickstart is also run with a dead HTTP(S)_PROXY (it must not need the network, even
 * behind a proxy), and with `--live` against an emulator standing in for the cloud (the live path
 * honours TENCENTCLOUD_ENDPOINT), and without keys (a clear error, exit 1).
 *
 * The test bodies of `examples/emulator-in-a-test.ts` and `examples/testing-with-mocks.ts` also
 * run here as vitest tests, which is how a project would use them.
 */
import { it as effectIt } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/emulator/index.js"
import * as EmulatorInATest from "../examples/emulator-in-a-test.js"
import * as TestingWithMocks from "../examples/testing-with-mocks.js"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const RUN_TIMEOUT = 60_000
/**
 * At most two example processes run at a time: each starts tsx and loads effect (about a second of
 * CPU), and fifteen at once on a 2-core machine under a loaded test run took longer than the run
 * timeout. A run's own timeout starts when it gets its slot; the test's covers the queue too.
 */
const SLOTS = 2
const QUEUED_TIMEOUT = 8 * RUN_TIMEOUT
let free = SLOTS
const waiting: Array<() => void> = []
const acquire = (): Promise<void> =>
  new Promise((resolve) => {
    if (free > 0) {
      free--
      resolve()
    } else waiting.push(resolve)
  })
const release = (): void => {
  const next = waiting.shift()
  if (next !== undefined) next()
  else free++
}

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment of the machine without TENCENTCLOUD_* (a developer's real key must not leak in) and without proxies. */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("TENCENTCLOUD_") || /^(https?|all|no)_proxy$/i.test(k)) continue
    env[k] = v
  }
  return { ...env, ...extra }
}

/** Run `examples/<file>` with tsx, as `npx tsx examples/<file>` would. */
const runExample = async (file: string, args: ReadonlyArray<string> = [], env: NodeJS.ProcessEnv = cleanEnv()): Promise<Run> => {
  await acquire()
  try {
    return await runAlone(file, args, env)
  } finally {
    release()
  }
}

const runAlone = (file: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join("examples", file), ...args], { cwd: ROOT, env })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`examples/${file} did not finish within ${RUN_TIMEOUT} ms\n${stdout}\n${stderr}`))
    }, RUN_TIMEOUT - 5_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

/** Exit 0 and every expected line (substring or pattern) in stdout. */
const expectSuccess = (run: Run, expected: ReadonlyArray<string | RegExp>) => {
  if (run.code !== 0) throw new Error(`exit code ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`)
  for (const e of expected) {
    if (typeof e === "string") expect(run.stdout).toContain(e)
    else expect(run.stdout).toMatch(e)
  }
}

const examples: ReadonlyArray<readonly [file: string, expected: ReadonlyArray<string | RegExp>]> = [
  [
    "quickstart.ts",
    [
      "1. Create a VPC and a subnet",
      /VPC +vpc-\w+ +10\.0\.0\.0\/16/,
      /page 1: ins-\w+ \w+ 10\.0\.1\.\d+, ins-\w+ \w+ 10\.0\.1\.\d+ +\(TotalCount 3\)/,
      /page 2: ins-\w+/,
      "failed with InvalidInstanceId.NotFound",
      "attempt 1: RequestLimitExceeded",
      "attempt 3: ok, 3 instances",
      "breaker: closed → open (consecutive-failures)",
      "attempt 4 → cvm.ap-guangzhou.tencentcloudapi.com (backup): ok",
      "breaker: half-open → closed (recovered)",
      "next call → cvm.ap-shanghai.tencentcloudapi.com: ok",
      "metadata: role emulator-cvm-role → temporary key AKID",
      "3 instances (3 RUNNING)",
      /retries +2 after throttling/,
      /done: 3 parts, CRC-64 \d+ checked against the file/
    ]
  ],
  [
    "credentials.ts",
    [
      "environment → AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE (key <redacted>)",
      "[ci]      → AKIDciEXAMPLE",
      "(the environment comes first)",
      "(skipped to the profile file)",
      "nothing configured → no credentials found",
      "stops at line 3",
      "signed with AKIDprofileEXAMPLEprofileEXAMPLE0001: accepted",
      /3 calls, 1 AssumeRole call; signed with AKID\w+ \+ token \(<redacted>\)/,
      "→ role emulator-cvm-role",
      "the exchange was signed SKIP",
      "no metadata server → TKE OIDC: AKID"
    ]
  ],
  [
    "http-options.ts",
    [
      /no retries → TimeoutError after \d+ ms/,
      "attempt 1 via cvm.tencentcloudapi.com: no answer",
      "attempt 2 via cvm.tencentcloudapi.com: ok",
      "NetworkError (reason Connect)",
      "→ undici ProxyAgent",
      "→ undici EnvHttpProxyAgent",
      /Http\.layerFetch, endpoint 127\.0\.0\.1:\d+ → \d+ zones/,
      "x-app=inventory, x-request-origin=example, x-tc-language=en-US",
      "Authorization: <redacted>"
    ]
  ],
  [
    "retries-and-breaker.ts",
    [
      "throttled twice:            RequestLimitExceeded → RequestLimitExceeded → HTTP 200",
      "(1 ClientToken for both attempts)",
      "the region has 2 instances, not 4",
      "fails with NetworkError: not safe to repeat",
      "finds 1 VPC named",
      "never retried by default",
      "InternalError → HTTP 200",
      "HTTP 503 → HTTP 503 → HTTP 503 → HTTP 200",
      "call 4 → cvm.ap-guangzhou.tencentcloudapi.com: ok",
      "breaker closed → open (failure-rate)",
      "breaker half-open → open (half-open-failure)",
      "breaker half-open → closed (recovered)"
    ]
  ],
  [
    "generic-call.ts",
    [
      "TotalCount, ZoneSet, RequestId",
      "the emulator saw region ap-shanghai",
      "UnknownParameter: The parameter `limit` is not recognized",
      "does not send it: RequestValidationError",
      "InvalidAction:",
      "NoSuchVersion:",
      /Schema\.decodeUnknown\(Cvm\.DescribeZonesResponse\): ap-/
    ]
  ],
  [
    "pagination.ts",
    [
      "(request Offset 4, TotalCount 5)",
      "   3 requests",
      "describeInstancesItems({ Limit: 2 }) → 5 instances",
      "3 items from 2 requests",
      "starting at Offset 4 → 1 item, 1 request",
      "ap-guangzhou-3: 3, ap-guangzhou-6: 2",
      "still 5 items, 4 requests",
      /describeDisksItems\(\{ Limit: 3 \}\) → 5 disks/,
      /NextToken paging\) → subnet-\w+ [\d./]+, subnet-/
    ]
  ],
  [
    "legacy-api.ts",
    [
      /https:\/\/csec\.api\.qcloud\.com\/v2\/index\.php\?Action=CaptchaQuery&.*&SignatureMethod=HmacSHA256&.*&Signature=/,
      "requests sent so far: 0",
      "fetched: code 0, codeDesc Success",
      "fetched again: AuthFailure.NonceReplay",
      "emulator saw POST csec.api.qcloud.com/v2/index.php HmacSHA256 AKIDotherEXAMPLEotherEXAMPLE0002 ap-shanghai → Success",
      /cvm DescribeInstances: totalCount \d+, first ins-\w+/,
      "an unknown action → InvalidAction (code 4000, category client)",
      "RequestValidationError on params.self",
      "Signature 0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s="
    ]
  ],
  [
    "cos.ts",
    [
      /put 报告\/2024 年度 a\+b\.txt: ETag "\w+", CRC-64 \d+/,
      "get: \"你好, COS\" (11 bytes",
      "listed 5 keys under logs/ in pages of 2",
      "head nope.txt → NoSuchKey for nope.txt (HTTP 404",
      "presigned GET fetched by plain HTTP → HTTP 200: 你好, COS",
      "unsigned GET → HTTP 403",
      "delete non-empty /album/ → FolderNotEmptyError",
      "upload: 12.0 MB in 3 part(s) of 4 MB",
      /uploaded in 3 parts, CRC-64 \d+ verified/,
      "downloaded 12582912 bytes in 2 ranges, CRC-64 matches"
    ]
  ],
  ["testing-with-mocks.ts", ["✓ a mock that does not match the API fails with ResponseDecodeError", "TotalCount: expected an integer", "✓ the same with Testing.mockService", "7 passed"]],
  ["emulator-in-a-test.ts", ["✓ instances boot on the TestClock", "4 passed"]],
  [
    "drift-and-partial-mocks.ts",
    [
      "1. tolerant: TotalCount 2 (number), zones ap-guangzhou-3/100003, ap-guangzhou-4/100004",
      "drift ZoneSet[1].ZoneName: expected a string, got nothing (missing) (missing)",
      "3. strict: ResponseDecodeError, 5 mismatches: TotalCount, ZoneSet[0].ZoneId, ZoneSet[1].ZoneName, ZoneSet[1].ZoneState, ZoneSet[1].AddedLater",
      "4. from Drift.layerPubSub: 5 records",
      "was sent as {\"Limit\":10,\"Offset\":0}",
      "3 problems: InstanceIds",
      "6. partial mock: ins-mock RUNNING; filled: CPU 0",
      "a mock's wrong member: ResponseDecodeError at InstanceSet[0].CPU"
    ]
  ],
  ["tracing.ts", ["after 2 throttled attempts", /list zones +app\.step=inventory/, /tencentcloud\.cvm\.DescribeZones .*tencentcloud\.attempt=3/]],
  [
    "huaweicloud.ts",
    [
      /ListVpcs in cn-north-4: 1 VPC\(s\), X-Request-Id [0-9a-f]{32}/,
      /vpc-demo +192\.168\.0\.0\/16/,
      "ShowVpc no-such-vpc → VPC.0202 (HTTP 404)"
    ]
  ]
]

describe.concurrent("examples run as programs", () => {
  for (const [file, expected] of examples) {
    it(`examples/${file}`, async () => expectSuccess(await runExample(file), expected), QUEUED_TIMEOUT)
  }

  it("the quickstart needs no network, even with HTTP(S)_PROXY pointing nowhere", async () => {
    const dead = "http://127.0.0.1:9"
    const run = await runExample("quickstart.ts", [], cleanEnv({ HTTP_PROXY: dead, HTTPS_PROXY: dead, http_proxy: dead, https_proxy: dead }))
    expectSuccess(run, ["Summary"])
  }, QUEUED_TIMEOUT)

  it("quickstart --live without a key fails with a clear message", async () => {
    const run = await runExample("quickstart.ts", ["--live"])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("--live needs a key: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY")
  }, QUEUED_TIMEOUT)
})

describe("quickstart --live, against an emulator standing in for the cloud", () => {
  let emu: Emulator.RunningEmulator
  beforeAll(async () => {
    emu = await Emulator.start()
  })
  afterAll(() => emu?.close())

  it("runs the read-only calls with the key from the environment", async () => {
    const run = await runExample(
      "quickstart.ts",
      ["--live"],
      cleanEnv({
        TENCENTCLOUD_SECRET_ID: Emulator.DEMO_CREDENTIALS.secretId,
        TENCENTCLOUD_SECRET_KEY: Emulator.DEMO_CREDENTIALS.secretKey,
        TENCENTCLOUD_REGION: "ap-shanghai",
        TENCENTCLOUD_ENDPOINT: emu.endpoint
      })
    )
    expectSuccess(run, ["live: read-only calls to Tencent Cloud in ap-shanghai", /DescribeRegions: \d+ regions/, /DescribeZones: \d+ zones in ap-shanghai/, /DescribeInstances \(Limit 5\): 0 instances/])
    const actions = emu.requests.list().map((r) => `${r.action} ${r.region} ${r.response.code ?? "ok"}`)
    expect(actions).toEqual(["DescribeRegions ap-shanghai ok", "DescribeZones ap-shanghai ok", "DescribeInstances ap-shanghai ok"])
    expect((emu.requests.list({ action: "DescribeInstances" })[0].params as { Limit: number }).Limit).toBe(5)
  }, RUN_TIMEOUT)
})

describe("examples/emulator-in-a-test.ts under vitest", () => {
  for (const t of EmulatorInATest.tests) {
    ;(t.clock === "test" ? effectIt.scoped : effectIt.scopedLive)(t.name, () => t.body)
  }
})

describe("examples/testing-with-mocks.ts under vitest", () => {
  for (const [name, test] of Object.entries(TestingWithMocks.tests)) {
    effectIt.effect(name, () => Effect.asVoid(test))
  }
})
