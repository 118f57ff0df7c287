// This SDK alone: cold start or memory (see harness.ts).
import { makeOursClient } from "../ours.js"
import { port, runSolo } from "./harness.js"

const c = await makeOursClient(`http://127.0.0.1:${port()}`, "AKIDEXAMPLE", "secretEXAMPLE", "ap-guangzhou")
await runSolo(c.call)
