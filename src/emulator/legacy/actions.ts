/**
 * What the emulator's API 2.0 modules answer: CVM `DescribeInstances` from the emulator's CVM
 * state (or, for a region without instances, a few generated from the seed), `sec`
 * `CaptchaQuery` (the qcloudapi SDK's example), and a generic success for every other
 * well-formed action. `cvm` and `sec` know their action names; an unknown one is `InvalidAction`.
 *
 * @internal
 */
import type { EmulatorContext } from "../protocol.js"
import { alnum, hash32, Rng } from "../generate.js"

/** A failure an action answers: the envelope's `codeDesc` and message. */
export interface ActionFailure {
  readonly codeDesc: string
  readonly message: string
}

/** Flat received parameters by name (common ones included). */
export type Received = ReadonlyMap<string, string>

type Action = (p: Received, region: string | undefined, ctx: EmulatorContext) => Record<string, unknown> | ActionFailure

/** Short region names of the API 2.0 era and the regions they are. */
const SHORT_REGIONS: Readonly<Record<string, string>> = {
  gz: "ap-guangzhou",
  sh: "ap-shanghai",
  bj: "ap-beijing",
  cd: "ap-chengdu",
  cq: "ap-chongqing",
  hk: "ap-hongkong",
  sg: "ap-singapore",
  ca: "na-toronto",
  siliconvalley: "na-siliconvalley",
  shjr: "ap-shanghai-fsi",
  szjr: "ap-shenzhen-fsi"
}

/** API 2.0 numeric instance status by API 3.0 state. */
const STATUS: Readonly<Record<string, number>> = {
  LAUNCH_FAILED: 1,
  RUNNING: 2,
  PENDING: 3,
  STOPPED: 4,
  SHUTDOWN: 5,
  TERMINATING: 6,
  REBOOTING: 7,
  STARTING: 8,
  STOPPING: 9
}

const dateTime = (iso: unknown): string => (typeof iso === "string" && iso.length >= 19 ? iso.slice(0, 19).replace("T", " ") : "")

/** `name.0`, `name.1`, ... (also `name_0`: the server reads both) in index order. */
const list = (p: Received, name: string): Array<string> => {
  const out: Array<[number, string]> = []
  for (const [k, v] of p) {
    const m = /^(.+)[._](\d+)$/.exec(k)
    if (m !== null && m[1] === name) out.push([Number(m[2]), v])
  }
  return out.sort((a, b) => a[0] - b[0]).map((x) => x[1])
}

const int = (p: Received, name: string, dflt: number, max: number): number | ActionFailure => {
  const v = p.get(name)
  if (v === undefined || v === "") return dflt
  if (!/^\d{1,9}$/.test(v) || Number(v) > max) return { codeDesc: "InvalidParameter", message: `The parameter \`${name}\` must be an integer between 0 and ${max}; got ${JSON.stringify(v)}.` }
  return Number(v)
}

const isFailure = (u: unknown): u is ActionFailure => typeof u === "object" && u !== null && "codeDesc" in u

/** Instances of a region in the API 2.0 shape: from state, else generated from the seed. */
const instancesOf = (ctx: EmulatorContext, region: string): Array<Record<string, unknown>> => {
  const fromState = ctx.state.view.instances(region)
  if (fromState.length > 0) {
    return fromState.map((i) => ({
      instanceId: i.InstanceId,
      unInstanceId: i.InstanceId,
      instanceName: i.InstanceName,
      zoneName: i.Placement.Zone,
      zoneId: hash32(i.Placement.Zone) % 900000 + 100000,
      projectId: i.Placement.ProjectId,
      status: STATUS[i.InstanceState] ?? 1,
      cpu: i.CPU,
      mem: i.Memory,
      lanIp: i.PrivateIpAddresses[0] ?? "",
      wanIpSet: i.PublicIpAddresses ?? [],
      os: i.OsName,
      unImageId: i.ImageId,
      createTime: dateTime(i.CreatedTime),
      deadlineTime: dateTime(i.ExpiredTime)
    }))
  }
  const rng = new Rng(hash32(`legacy-cvm:${region}`, ctx.seed))
  const n = 2 + rng.int(0, 1)
  const out: Array<Record<string, unknown>> = []
  for (let k = 0; k < n; k++) {
    const id = `ins-${alnum(rng, 8)}`
    out.push({
      instanceId: id,
      unInstanceId: id,
      instanceName: `legacy-${k + 1}`,
      zoneName: `${region}-${1 + rng.int(0, 2)}`,
      zoneId: 100000 + rng.int(1, 899999),
      projectId: 0,
      status: 2,
      cpu: 1 << rng.int(0, 3),
      mem: 2 << rng.int(0, 3),
      lanIp: `10.0.${rng.int(0, 255)}.${rng.int(2, 254)}`,
      wanIpSet: [`203.0.113.${rng.int(1, 254)}`],
      os: "TencentOS Server 3.1 (TK4)",
      unImageId: `img-${alnum(rng, 8)}`,
      createTime: "2025-01-01 00:00:00",
      deadlineTime: ""
    })
  }
  return out
}

const describeInstances: Action = (p, region, ctx) => {
  if (region === undefined || region === "") return { codeDesc: "MissingParameter", message: "The request is missing the required parameter `Region`." }
  const offset = int(p, "offset", 0, 1_000_000)
  if (isFailure(offset)) return offset
  const limit = int(p, "limit", 20, 100)
  if (isFailure(limit)) return limit
  const ids = list(p, "instanceIds")
  let all = instancesOf(ctx, SHORT_REGIONS[region] ?? region)
  if (ids.length > 0) all = all.filter((i) => ids.includes(String(i.unInstanceId)))
  return { totalCount: all.length, instanceSet: all.slice(offset, offset + limit) }
}

const captchaQuery: Action = (p) => {
  for (const name of ["userIp", "businessId", "captchaType"]) {
    if ((p.get(name) ?? "") === "") return { codeDesc: "MissingParameter", message: `The request is missing the required parameter \`${name}\`.` }
  }
  const captchaType = p.get("captchaType")!
  if (!/^\d+$/.test(captchaType)) return { codeDesc: "InvalidParameter", message: `The parameter \`captchaType\` must be an integer; got ${JSON.stringify(captchaType)}.` }
  const script = p.get("script") ?? "0"
  const rng = new Rng(hash32(`${p.get("userIp")}:${p.get("businessId")}:${captchaType}`, 7))
  const ticket = alnum(rng, 24)
  return script === "1"
    ? { url: `https://captcha.emulator.invalid/cap_union_js?aid=${p.get("businessId")}&ticket=${ticket}`, jsUrl: true }
    : { url: `https://captcha.emulator.invalid/cap_union_show?aid=${p.get("businessId")}&captype=${captchaType}&ticket=${ticket}` }
}

const ok: Action = () => ({})

/** The modules whose actions are known, each action with its answer (`ok`: the generic success). */
const MODULES: Readonly<Record<string, Readonly<Record<string, Action>>>> = {
  cvm: {
    DescribeInstances: describeInstances,
    DescribeInstancesStatus: ok,
    RunInstances: ok,
    StartInstances: ok,
    StopInstances: ok,
    RestartInstances: ok,
    TerminateInstances: ok,
    ResetInstances: ok,
    ModifyInstanceAttributes: ok,
    DescribeImages: ok,
    DescribeZones: ok,
    DescribeRegions: ok,
    DescribeKeyPairs: ok,
    InquiryInstancePrice: ok
  },
  sec: {
    CaptchaQuery: captchaQuery,
    CaptchaCheck: ok,
    CaptchaIframeQuery: ok,
    CaptchaIframeCheck: ok,
    CaptchaMCheck: ok,
    CaptchaSigQuery: ok
  }
}

const ACTION = /^[A-Z][A-Za-z0-9]{0,127}$/

/** The answer members of one action, or why it fails. */
export const run = (module: string, action: string, p: Received, region: string | undefined, ctx: EmulatorContext): Record<string, unknown> | ActionFailure => {
  const known = MODULES[module]
  const handler = known === undefined ? (ACTION.test(action) ? ok : undefined) : known[action]
  if (handler === undefined) {
    return { codeDesc: "InvalidAction", message: `The action \`${action}\` does not exist in the API 2.0 module \`${module}\`${known === undefined ? "" : ` (this emulator knows ${Object.keys(known).join(", ")})`}.` }
  }
  return handler(p, region, ctx)
}

export { isFailure }
