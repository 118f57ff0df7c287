/**
 * Package metadata (issue 15, item 5): LICENSE, repository/homepage/bugs, docs and LICENSE packed,
 * source maps, a `require`-able export map (Node >= 20.19), and a README that starts with the
 * install line and ten lines for package users, the contributor set-up after. The pack smoke test
 * (scripts/pack-smoke.sh) checks the tarball and `require()` for real.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8")
const pkg = JSON.parse(read("package.json"))

describe("package.json and the packed files", () => {
  it("license file, repository, homepage, bugs", () => {
    expect(read("LICENSE")).toMatch(/^MIT License/)
    expect(pkg.license).toBe("MIT")
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\//)
    expect(pkg.homepage).toMatch(/^https:\/\//)
    expect(pkg.bugs?.url).toMatch(/^https:\/\//)
  })

  it("packs dist, docs, LICENSE and README; builds source maps with their sources", () => {
    for (const f of ["dist", "docs", "LICENSE", "README.md"]) expect(pkg.files).toContain(f)
    const build = JSON.parse(read("tsconfig.build.json")).compilerOptions
    expect([build.sourceMap, build.inlineSources]).toEqual([true, true])
  })

  it("every entry point can be required (a default condition after import) and has types", () => {
    for (const [key, value] of Object.entries<any>(pkg.exports)) {
      if (key === "./package.json") continue
      expect(value.types, key).toBeTypeOf("string")
      expect(value.default, key).toBe(value.import)
      // conditions are matched in order: types first, default last
      expect(Object.keys(value).at(-1), key).toBe("default")
    }
  })

  it("the README starts with the install line and ten lines; the contributor set-up follows", () => {
    const readme = read("README.md")
    const headings = [...readme.matchAll(/^## (.*)$/gm)].map((m) => m[1])
    expect(headings.slice(0, 2)).toEqual(["Install", "Ten lines"])
    const install = readme.indexOf("npm install effect-tencentcloud effect@^3")
    expect(install).toBeGreaterThan(0)
    const contributing = readme.slice(readme.indexOf("## Contributing"))
    for (const cmd of ["npm ci", "npm start", "npm test"]) expect(contributing, cmd).toContain(cmd)
    expect(readme.indexOf("npm ci")).toBeGreaterThan(readme.indexOf("## Contributing"))
    // the install line names versions inside the peer ranges
    expect(readme).toContain(`effect@${pkg.peerDependencies.effect}`)
    expect(readme).toContain(`@effect/platform@${pkg.peerDependencies["@effect/platform"]}`)
    expect(read("docs/getting-started.md")).toContain(`npm install effect-tencentcloud effect@${pkg.peerDependencies.effect} @effect/platform@${pkg.peerDependencies["@effect/platform"]}`)
  })
})
