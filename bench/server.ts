/**
 * The fixture server: node:http on 127.0.0.1, two ports answering every API 3.0 POST with a canned
 * DescribeInstances body (1 instance on `small`, 100 on `large`). It runs in its own process so
 * that it never takes the client's CPU; `GET /__stats` returns its CPU time and request count so
 * the client can check the server was not the bottleneck.
 *
 * Run: forked by run.ts, it sends `{ small, large }` ports over IPC; standalone (`npx tsx bench/server.ts`)
 * it prints them.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { readFileSync } from "node:fs"
import { describeInstancesBody } from "./fixtures.js"

// run.ts passes the bodies as files (BENCH_FIXTURE_SMALL/LARGE); standalone, build them from the spec
const body = (env: string | undefined, n: number) => Buffer.from(env ? readFileSync(env, "utf8") : describeInstancesBody(n))
const bodies = { small: body(process.env.BENCH_FIXTURE_SMALL, 1), large: body(process.env.BENCH_FIXTURE_LARGE, 100) }
let requests = 0

const serve = (body: Buffer) => {
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/__stats") {
      const cpu = process.cpuUsage()
      const text = JSON.stringify({ cpuMicros: cpu.user + cpu.system, requests, rss: process.memoryUsage.rss() })
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
      res.end(text)
      return
    }
    requests++
    // consume the request body, then answer
    req.on("data", () => {})
    req.on("end", () => {
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": body.length,
        "x-tc-traceid": (req.headers["x-tc-traceid"] as string | undefined) ?? ""
      })
      res.end(body)
    })
  })
  server.keepAliveTimeout = 120_000
  server.headersTimeout = 121_000
  server.maxRequestsPerSocket = 0
  return new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))
}

const main = async () => {
  const small = await serve(bodies.small)
  const large = await serve(bodies.large)
  const info = { small, large, smallBytes: bodies.small.length, largeBytes: bodies.large.length, pid: process.pid }
  if (process.send) process.send(info)
  else console.log(JSON.stringify(info))
  process.on("disconnect", () => process.exit(0))
}

void main()
