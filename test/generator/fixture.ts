/**
 * Small tccli-format specs that exercise every quirk in facts-spec-format.md: recursion and
 * mutual recursion, names that clash with globals and Effect modules, case-only duplicate members,
 * `autoscaling` = service `as`, data models ending in Request/Response, empty requests, reserved
 * words as action names, disabled members, deprecated and offline actions, paging patterns,
 * streaming, multipart and octet-stream actions, ClientToken, nullable and big integer fields.
 */
const m = (name: string, type: string, member: string, flags: Record<string, boolean> = {}) => ({ name, type, member, ...flags })
const req = (...members: Array<object>) => ({ type: "object", members })
const res = (...members: Array<object>) => ({ type: "object", members: [...members, { name: "RequestId", type: "string", member: "string" }] })

export const fixtureSpec = {
  version: "1.0",
  metadata: { apiVersion: "2020-01-01", serviceShortName: "fixture" },
  actions: {
    DescribeThings: { input: "DescribeThingsRequest", output: "DescribeThingsResponse", status: "online" },
    ListPaged: { input: "ListPagedRequest", output: "ListPagedResponse", status: "online" },
    ListTokens: { input: "ListTokensRequest", output: "ListTokensResponse" },
    Delete: { input: "DeleteRequest", output: "DeleteResponse", status: "deprecated" },
    OldAction: { input: "OldActionRequest", output: "OldActionResponse", status: "offline" },
    CreateThing: { input: "CreateThingRequest", output: "CreateThingResponse", status: "online" },
    ChatCompletions: { input: "ChatCompletionsRequest", output: "ChatCompletionsResponse", status: "online" },
    UploadFile: { input: "UploadFileRequest", output: "UploadFileResponse", status: "online" },
    Ping: { input: "PingRequest", output: "PingResponse", status: "online" },
    ListByCursor: { input: "ListByCursorRequest", output: "ListByCursorResponse", status: "online" }
  },
  objects: {
    DescribeThingsRequest: req(m("Filters", "list", "Filter", { required: false }), m("Offset", "int", "int64", { required: false }), m("Limit", "int", "int64", { required: false })),
    DescribeThingsResponse: res(
      m("TotalCount", "int", "int64", { output_required: true }),
      m("ThingSet", "list", "Record", { output_required: true }),
      m("Tree", "object", "Node", { value_allowed_null: true })
    ),
    ListPagedRequest: req(m("PageNumber", "int", "uint64", { required: false }), m("PageSize", "int", "uint64", { required: false })),
    ListPagedResponse: res(m("Total", "int", "uint64", { output_required: true }), m("Items", "list", "string", { output_required: true })),
    ListTokensRequest: req(m("NextToken", "string", "string", { required: false })),
    ListTokensResponse: res(m("NextToken", "string", "string", { value_allowed_null: true }), m("Entries", "list", "Option")),
    DeleteRequest: req(m("Id", "string", "string", { required: true }), m("Legacy", "string", "string", { required: false, disabled: true })),
    DeleteResponse: res(),
    OldActionRequest: req(),
    OldActionResponse: res(),
    CreateThingRequest: req(m("Thing", "object", "Record", { required: true }), m("ClientToken", "string", "string", { required: false })),
    CreateThingResponse: res(m("Result", "object", "BRIResponse", { output_required: true })),
    ChatCompletionsRequest: req(m("Stream", "bool", "bool", { required: false })),
    ChatCompletionsResponse: res(m("Note", "string", "string")),
    UploadFileRequest: req(m("File", "binary", "binary", { required: false }), m("Name", "string", "string", { required: false })),
    UploadFileResponse: res(),
    ListByCursorRequest: req(m("Cursor", "string", "string", { required: false })),
    ListByCursorResponse: res(m("NextCursor", "string", "string"), m("Rows", "list", "string")),
    PingRequest: req(),
    PingResponse: res(m("At", "string", "datetime"), m("AtIso", "string", "datetime_iso"), m("Day", "string", "date")),
    // a data model named like a global and like Effect modules
    Record: {
      usage: "both",
      members: [
        m("InstanceId", "string", "string", { required: true, output_required: true }),
        m("InstanceID", "string", "string", { required: false }),
        m("Size", "int", "int64", { required: false, value_allowed_null: true }),
        m("Ratio", "float", "float", { required: false }),
        m("Enabled", "bool", "bool", { required: false }),
        m("Tags", "list", "Filter", { required: false }),
        m("hadAutoFixVul", "bool", "bool", { required: false })
      ]
    },
    Filter: { usage: "in", members: [m("Name", "string", "string", { required: true }), m("Values", "list", "string", { required: true })] },
    Option: { usage: "out", members: [m("Key", "string", "string", { output_required: true }), m("Data", "object", "Data")] },
    Data: { usage: "out", members: [m("Value", "int", "uint64"), m("Error", "object", "Error")] },
    Error: { usage: "out", members: [m("Code", "string", "string"), m("Back", "object", "Data")] },
    // self-recursive
    Node: { usage: "out", members: [m("Name", "string", "string", { output_required: true }), m("Children", "list", "Node")] },
    // a data model ending in Response that is not an action's output
    BRIResponse: { usage: "out", members: [m("Score", "float", "float", { output_required: true })] }
  }
}

/** `autoscaling` whose service short name is `as`. */
export const autoscalingSpec = {
  version: "1.0",
  metadata: { apiVersion: "2018-04-19", serviceShortName: "as" },
  actions: { DescribeAutoScalingGroups: { input: "DescribeAutoScalingGroupsRequest", output: "DescribeAutoScalingGroupsResponse", status: "online" } },
  objects: {
    DescribeAutoScalingGroupsRequest: { type: "object", members: [] },
    DescribeAutoScalingGroupsResponse: { type: "object", members: [{ name: "RequestId", type: "string", member: "string" }] }
  }
}

export const fixtureErrors = {
  service: "fixture",
  version: "v20200101",
  productErrorCodes: ["ResourceNotFound.Thing", "FailedOperation.Busy"],
  actionErrorCodes: { DescribeThings: ["ResourceNotFound.Thing"], CreateThing: ["FailedOperation.Busy"] }
}
