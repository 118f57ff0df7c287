/**
 * The upload actions over real HTTP against the emulator, signatures checked over the exact bytes:
 * cii's multipart actions (binary `File`) and cls `UploadLog` (octet-stream body, members as
 * `X-CLS-*` headers).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import * as Cii from "../../src/generated/cii/v20210408.js"
import * as Cls from "../../src/generated/cls/v20201016.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"

const withClient = <A, E>(f: (emu: Emulator.EmulatorHandle) => Effect.Effect<A, E, Client.TencentCloud>) =>
  Effect.gen(function* () {
    const emu = yield* Emulator.make()
    const layer = Client.layer({ connectTo: emu.endpoint, region: "ap-guangzhou" }).pipe(
      Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
      Layer.provide(UndiciHttpClient.layer({ proxy: false }))
    )
    return yield* f(emu).pipe(Effect.provide(layer))
  })

describe("uploads", () => {
  it.scopedLive("cii UploadMedicalFile sends a signed multipart body", () =>
    withClient((emu) =>
      Effect.gen(function* () {
        const out = yield* Cii.uploadMedicalFile({ File: new Uint8Array([0, 1, 2, 250, 255]) })
        expect(typeof out.RequestId).toBe("string")
        const r = emu.requests.list({ action: "UploadMedicalFile" })
        expect(r.length).toBe(1)
        expect(r[0].headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
        expect(r[0].response?.status).toBe(200)
      })
    ))

  it.scopedLive("cls UploadLog sends the bytes as an octet-stream body and the members as X-CLS headers", () =>
    withClient((emu) =>
      Effect.gen(function* () {
        const out = yield* Cls.uploadLog({ TopicId: "topic-1", CompressType: "lz4" }, new Uint8Array([9, 8, 7, 6]))
        expect(typeof out.RequestId).toBe("string")
        const r = emu.requests.list({ action: "UploadLog" })
        expect(r.length).toBe(1)
        expect(r[0].headers["content-type"]).toBe("application/octet-stream")
        expect(r[0].headers["x-cls-topicid"]).toBe("topic-1")
        expect(r[0].bodyBytes).toBe(4)
        // a required member missing is refused before anything is sent
        const e = yield* Effect.flip(Cls.uploadLog({} as any, new Uint8Array([1])))
        expect(e._tag).toBe("RequestValidationError")
        expect(emu.requests.list({ action: "UploadLog" }).length).toBe(1)
      })
    ))
})
