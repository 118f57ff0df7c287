// The raw baseline alone: cold start or memory (see harness.ts).
import { makeRawClient } from "../raw.js"
import { port, runSolo } from "./harness.js"

const c = makeRawClient(`http://127.0.0.1:${port()}`, "AKIDEXAMPLE", "secretEXAMPLE", "ap-guangzhou")
await runSolo((p) => c.call("DescribeInstances", p))
