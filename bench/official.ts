/** The official client, `tencentcloud-sdk-nodejs-cvm`, as its users configure it. */
import * as tencentcloud from "tencentcloud-sdk-nodejs-cvm"

export interface OfficialClient {
  readonly call: (params: Record<string, unknown>) => Promise<unknown>
  readonly close: () => Promise<void>
}

export const makeOfficialClient = (endpointHostPort: string, secretId: string, secretKey: string, region: string): OfficialClient => {
  const CvmClient = tencentcloud.cvm.v20170312.Client
  const client = new CvmClient({
    credential: { secretId, secretKey },
    region,
    profile: { httpProfile: { endpoint: endpointHostPort, protocol: "http://" } }
  })
  return {
    call: (params) => client.DescribeInstances(params),
    close: async () => {}
  }
}
