#!/usr/bin/env bash
# The package as its users meet it (`npm run test:pack`, run by CI):
#
#   1. build, `npm pack`, and check what the tarball holds (dist with source maps, docs, LICENSE,
#      README, the bin; no src/, no tests);
#   2. a fresh app in a temp dir (no access to the repository's sources) installs the tarball with
#      the install lines README.md documents (read from README.md, the package name swapped for
#      the tarball), type-checks a program and a test that use the package by name, runs the
#      program against the emulator, runs the mocked test with vitest, `require()`s the package
#      (Node >= 20.19), and starts the `tencentcloud-emulator` bin;
#   3. peer ranges: the same with the OLDEST versions package.json's peerDependencies allow
#      (step 2 had the newest);
#   4. Bun and Deno (installed from the npm registry as the `bun` and `deno` packages) run the same
#      program; when they cannot be installed, it says so and which runtimes were verified.
#
# SKIP_BUILD=1 reuses dist/. Packages come from the npm cache when there (--prefer-offline).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/effect-tencentcloud-pack.XXXXXX")"
EMU_PID=""
cleanup() {
  if [ -n "$EMU_PID" ]; then kill "$EMU_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
NPM=(npm --no-audit --no-fund --prefer-offline --loglevel=error)
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'pack smoke: FAILED: %s\n' "$*" >&2; exit 1; }

cd "$ROOT"
if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -f dist/index.js ]; then
  step "build"
  rm -rf dist
  npm run build --silent
fi

step "npm pack"
TARBALL="$WORK/$(npm pack --pack-destination "$WORK" --silent | tail -1)"
[ -f "$TARBALL" ] || fail "npm pack produced no tarball"
ls -l "$TARBALL" | awk '{ printf "tarball: %s, %.1f MB\n", $NF, $5 / 1048576 }'
tar -tzf "$TARBALL" > "$WORK/contents.txt"
for f in package/LICENSE package/README.md package/package.json package/docs/getting-started.md package/docs/service-list.md \
  package/docs/tracing.md package/dist/index.js package/dist/index.d.ts package/dist/index.js.map package/dist/emulator/cli.js; do
  grep -qx "$f" "$WORK/contents.txt" || fail "the tarball lacks $f"
done
if grep -qE '^package/(src|test|examples|scripts|bench)/' "$WORK/contents.txt"; then fail "the tarball holds sources or tests: $(grep -E '^package/(src|test|examples|scripts|bench)/' "$WORK/contents.txt" | head -3)"; fi
echo "tarball holds dist (with source maps), docs, LICENSE, README and the bin; no sources or tests"

# the install lines, as README.md documents them
INSTALL="$(grep -m1 -E '^npm install effect-tencentcloud ' README.md || true)"
INSTALL_DEV="$(grep -m1 -E '^npm install -D ' README.md || true)"
[ -n "$INSTALL" ] || fail "README.md has no line starting with 'npm install effect-tencentcloud '"
[ -n "$INSTALL_DEV" ] || fail "README.md has no line starting with 'npm install -D ' (the test set-up)"
INSTALL="${INSTALL%%#*}"
INSTALL_DEV="${INSTALL_DEV%%#*}"
echo "documented: $INSTALL"
echo "documented: $INSTALL_DEV"

APP="$WORK/app"
mkdir -p "$APP/src" "$APP/test"
cd "$APP"
cat > package.json <<'JSON'
{ "name": "pack-smoke-app", "private": true, "type": "module" }
JSON
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
    "skipLibCheck": false, "outDir": "out", "rootDir": ".", "types": ["node"], "lib": ["ES2022", "DOM"]
  },
  "include": ["src", "test"]
}
JSON
# the README's program, against the emulator (endpoint mode: works with undici and with fetch)
cat > src/main.ts <<'TS'
import { Effect, Layer, Schedule } from "effect"
import { Client, Credentials, Errors } from "effect-tencentcloud"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as Emulator from "effect-tencentcloud/emulator"
import { describeInstances, runInstances, stopInstances } from "effect-tencentcloud/cvm"
import * as Waiters from "effect-tencentcloud/Waiters"
import * as Registry from "effect-tencentcloud/Registry"

const emu = await Emulator.start({ timings: { launch: 50 } })
const Live = Client.layer({ region: "ap-guangzhou", endpoint: emu.address, scheme: "http" }).pipe(
  Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
  Layer.provide(UndiciHttpClient.layerDefault)
)
const program = Effect.gen(function* () {
  const run = yield* runInstances({ InstanceCount: 2, ImageId: "img-pmqg1cw7", Placement: { Zone: "ap-guangzhou-3" } })
  yield* Waiters.instanceState(run.InstanceIdSet ?? [], "RUNNING", Schedule.spaced("20 millis").pipe(Schedule.upTo("20 seconds")))
  const { TotalCount } = yield* describeInstances({ Limit: 10 })
  const gone = yield* stopInstances({ InstanceIds: ["ins-00000000"] }).pipe(
    Effect.as("stopped"),
    Effect.catchTag("InvalidInstanceId.NotFound", (e) => Effect.succeed(String(e).split(":")[0] + " " + e.code))
  )
  const actions = yield* Registry.actions("cvm")
  const runtime = typeof (globalThis as any).Bun !== "undefined" ? "bun" : typeof (globalThis as any).Deno !== "undefined" ? "deno" : "node"
  console.log(`smoke ok on ${runtime}: ${TotalCount} instances RUNNING; not found → ${gone}; cvm has ${actions.length} actions; ${Errors.isApiError({}) ? "" : "typed errors"}`)
})
try {
  await Effect.runPromise(program.pipe(Effect.provide(Live)))
} finally {
  await emu.close()
}
TS
# a test with mocks, as a user writes one
cat > test/mock.test.ts <<'TS'
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Testing } from "effect-tencentcloud"
import * as Cvm from "effect-tencentcloud/cvm"

const CvmMock = Testing.mockService(Cvm, {
  DescribeZones: () => Effect.succeed({ TotalCount: 1, ZoneSet: [{ Zone: "ap-guangzhou-3", ZoneName: "Guangzhou 3", ZoneId: "100003", ZoneState: "AVAILABLE" }] })
})

describe("with a mock", () => {
  it.effect("answers from the mock, decoded by the real schema", () =>
    Effect.gen(function* () {
      const r = yield* Cvm.describeZones({})
      expect(r.ZoneSet?.[0]?.Zone).toBe("ap-guangzhou-3")
    }).pipe(Effect.provide(CvmMock)))
})
TS
# require() of the ESM package (Node >= 20.19: require(esm))
cat > require-check.cjs <<'JS'
const pkg = require("effect-tencentcloud")
const node = require("effect-tencentcloud/node")
const cvm = require("effect-tencentcloud/cvm")
if (typeof pkg.Client.layer !== "function" || typeof node.UndiciHttpClient.layer !== "function" || typeof cvm.describeInstances !== "function") {
  throw new Error("require() gave incomplete modules")
}
console.log("require() ok: effect-tencentcloud, /node, /cvm")
JS

install_and_check() { # $1: label; $2...: extra packages pinned (peer versions)
  local label="$1"; shift
  step "[$label] install: $INSTALL $*"
  # shellcheck disable=SC2086
  "${NPM[@]}" ${INSTALL#npm } "$@" >/dev/null 2>"$WORK/npm.err" || { cat "$WORK/npm.err"; fail "[$label] the documented install line failed"; }
  ls node_modules/effect-tencentcloud/package.json >/dev/null
  node -e 'for (const p of ["effect", "@effect/platform", "effect-tencentcloud"]) console.log(`  ${p} ${require(p + "/package.json").version}`)'
  step "[$label] tsc (skipLibCheck off: the package's .d.ts are checked too)"
  npx --no-install tsc -p tsconfig.json
  step "[$label] run the program (node)"
  node out/src/main.js | tee "$WORK/run.txt"
  grep -q "smoke ok on node: 2 instances RUNNING; not found → ApiError InvalidInstanceId.NotFound" "$WORK/run.txt" || fail "[$label] unexpected program output"
  step "[$label] the mocked test (vitest)"
  npx --no-install vitest run --root . test/mock.test.ts 2>&1 | tail -4
  step "[$label] require()"
  node require-check.cjs
}

step "test tooling: $INSTALL_DEV typescript @types/node"
# shellcheck disable=SC2086
"${NPM[@]}" ${INSTALL_DEV#npm } typescript@5.9.3 @types/node@20 >/dev/null 2>"$WORK/npm.err" || { cat "$WORK/npm.err"; fail "the documented test install line failed"; }
# the install line itself, with the package name pointing at the tarball
INSTALL="${INSTALL/effect-tencentcloud/$TARBALL}"
install_and_check "newest allowed"

step "the bin: npx tencentcloud-emulator"
npx --no-install tencentcloud-emulator --help | head -4
npx --no-install tencentcloud-emulator --port 0 --quiet > "$WORK/emu.txt" 2>&1 &
EMU_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/emu.txt" && break; sleep 0.1; done
grep -m1 "listening on" "$WORK/emu.txt" || { cat "$WORK/emu.txt"; fail "tencentcloud-emulator did not start"; }
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true; EMU_PID=""

# the oldest versions the peer ranges allow
oldest() { # $1 package, $2 range
  npm view "$1@$2" version --json --prefer-offline 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v[0]:v)})'
}
EFFECT_RANGE="$(node -p 'require(process.argv[1]).peerDependencies.effect' "$ROOT/package.json")"
PLATFORM_RANGE="$(node -p 'require(process.argv[1]).peerDependencies["@effect/platform"]' "$ROOT/package.json")"
install_and_check "oldest allowed (effect $EFFECT_RANGE, @effect/platform $PLATFORM_RANGE)" "effect@$(oldest effect "$EFFECT_RANGE")" "@effect/platform@$(oldest @effect/platform "$PLATFORM_RANGE")"

VERIFIED="node $(node --version)"
step "Bun and Deno (npm packages bun, deno)"
RT="$WORK/runtimes"
mkdir -p "$RT"
if (cd "$RT" && echo '{"private":true}' > package.json && "${NPM[@]}" install bun@1 deno@2 >/dev/null 2>&1); then
  for rt in bun deno; do
    BIN="$RT/node_modules/.bin/$rt"
    if ! "$BIN" --version >/dev/null 2>&1; then echo "$rt: installed but does not run here; not verified"; continue; fi
    if [ "$rt" = bun ]; then "$BIN" out/src/main.js | tee "$WORK/run.txt"; else "$BIN" run --allow-all --quiet out/src/main.js | tee "$WORK/run.txt"; fi
    grep -q "smoke ok on $rt: 2 instances RUNNING; not found → ApiError InvalidInstanceId.NotFound" "$WORK/run.txt" || fail "the program failed on $rt"
    VERIFIED="$VERIFIED, $rt $("$BIN" --version | head -1 | sed -E 's/^deno ([^ ]+).*/\1/')"
  done
else
  echo "bun/deno could not be installed from the npm registry here: only Node is verified"
fi

printf '\npack smoke: ok (runtimes verified: %s)\n' "$VERIFIED"
