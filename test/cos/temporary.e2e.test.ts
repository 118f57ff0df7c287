import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../src/Credentials.js"
import * as Buckets from "../../src/cos/Buckets.js"
import * as Cos from "../../src/cos/Cos.js"
import * as Objects from "../../src/cos/Objects.js"
import * as Presign from "../../src/cos/Presign.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import { BUCKET, REGION } from "./helpers.js"

describe("COS with STS temporary credentials (the emulator's AssumeRole)", { timeout: 240_000 }, () => {
  it.live("signs with the temporary key and sends x-cos-security-token; presigned URLs carry it; a wrong token is refused", () =>
    Effect.gen(function* () {
      const emu = yield* Effect.acquireRelease(Effect.promise(() => Emulator.start()), (e) => Effect.promise(() => e.close()))
      const Http = UndiciHttpClient.layer()
      const Role = Credentials.layerAssumeRole({ roleArn: "qcs::cam::uin/100000000001:roleName/app", roleSessionName: "cos-test", client: { connectTo: emu.endpoint } }).pipe(
        Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
        Layer.provide(Http)
      )
      const CosLive = Cos.layer({ region: REGION, connectTo: emu.address }).pipe(Layer.provide(Role), Layer.provide(Http))
      yield* Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        yield* Objects.putObject({ bucket: BUCKET, key: "t.txt", body: "temp" })
        const url = yield* Presign.presignedUrl({ bucket: BUCKET, key: "t.txt" })
        expect(url).toContain("&x-cos-security-token=")
      }).pipe(Effect.provide(CosLive))
      const put = emu.requests.list({ action: "PutObject" })[0]
      expect(put.secretId).not.toBe(Emulator.DEMO_CREDENTIALS.secretId)
      expect(put.headers["x-cos-security-token"]).toBe("<redacted>")
      const temp = emu.state.temporaryCredentials()[0]
      const wrong = Cos.layer({ region: REGION, connectTo: emu.address }).pipe(
        Layer.provide(Credentials.layerStatic({ secretId: temp.secretId, secretKey: temp.secretKey, token: "not-the-token" })),
        Layer.provide(Http)
      )
      const e = yield* Effect.flip(Objects.getObject({ bucket: BUCKET, key: "t.txt" }).pipe(Effect.provide(wrong)))
      expect(e._tag).toBe("InvalidAccessKeyId")
      // HEAD answers have no body: the status says it
      const h = yield* Effect.flip(Objects.headObject({ bucket: BUCKET, key: "t.txt" }).pipe(Effect.provide(wrong)))
      expect(h).toMatchObject({ _tag: "AccessDenied", status: 403 })
    }).pipe(Effect.scoped))
})
