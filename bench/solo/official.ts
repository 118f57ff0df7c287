// The official SDK alone: cold start or memory (see harness.ts).
import { makeOfficialClient } from "../official.js"
import { port, runSolo } from "./harness.js"

const c = makeOfficialClient(`127.0.0.1:${port()}`, "AKIDEXAMPLE", "secretEXAMPLE", "ap-guangzhou")
await runSolo(c.call)
