/**
 * The API handler when a dependency misbehaves in ways the emulators never do on their own: a
 * DynamoDB that does not answer, a write refused for another reason than its condition, and an
 * audit clean-up S3 refuses. Real dynalite and s3rver behind loopback proxies (SignedProxy) that
 * fail the matching requests as AWS would.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { auditKey, createApiHandler, recordId, recordKey } from "../../functions/lambda/api.js";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials } from "./support/emulators.js";
import type { Emulator } from "./support/emulators.js";
import { apiEvent, captureStdout, lambdaContext, muteStdout } from "./support/lambda-context.js";
import { SignedProxy, type RecordedCall } from "./support/signed-proxy.js";

const REGION = "us-east-1";
const TABLE = "records-faults01";
const BUCKET = "audit-faults01";
const ENV = { AWS_REGION: REGION, TABLE_NAME: TABLE, BUCKET_NAME: BUCKET };

let ddbEmu: Emulator;
let s3Emu: Emulator & { directory: string };
let ddbProxy: SignedProxy;
let s3Proxy: SignedProxy;
let ddb: DynamoDBClient;
let s3: S3Client;
let unmute: () => void;

beforeAll(async () => {
  unmute = muteStdout();
  useTestCredentials();
  [ddbEmu, s3Emu] = await Promise.all([startDynalite(), startS3rver([BUCKET])]);
  ddbProxy = new SignedProxy(ddbEmu.endpoint);
  s3Proxy = new SignedProxy(s3Emu.endpoint);
  await Promise.all([ddbProxy.start(), s3Proxy.start()]);
  // The handler's clients are created per module registry; this file's reach both through the proxies.
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = ddbProxy.endpoint;
  process.env["AWS_ENDPOINT_URL_S3"] = s3Proxy.endpoint;
  await createTable(ddbEmu.endpoint, TABLE);
  ddb = new DynamoDBClient({ region: REGION, endpoint: ddbEmu.endpoint });
  s3 = new S3Client({ region: REGION, endpoint: s3Emu.endpoint, forcePathStyle: true });
});

afterEach(() => {
  ddbProxy.clearFaults();
  s3Proxy.clearFaults();
  ddbProxy.calls.length = 0;
  s3Proxy.calls.length = 0;
});

afterAll(async () => {
  unmute?.();
  ddb?.destroy();
  s3?.destroy();
  await Promise.all([ddbProxy?.stop(), s3Proxy?.stop()]);
  await Promise.all([ddbEmu?.stop(), s3Emu?.stop()]);
  if (s3Emu) removeDir(s3Emu.directory);
});

let seq = 0;
const post = (env: Record<string, string> = ENV) => {
  const key = `fault-key-${process.pid}-${++seq}`;
  const body = JSON.stringify({ type: "order.created", payload: { amount: seq, note: "kept-out-of-logs" } });
  const handler = createApiHandler(env);
  return {
    id: recordId(key),
    run: () => captureStdout(() => handler(apiEvent("POST", "/process", body, { "Idempotency-Key": key }), lambdaContext("api"))),
  };
};

const dynamoOperation = (name: string) => (call: RecordedCall) => call.operation === `DynamoDB_20120810.${name}`;
/** DynamoDB's JSON protocol error, as the service sends it. */
const dynamoError = (type: string, message: string) => ({
  status: 400,
  headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-errortype": type },
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
});
const stored = async (id: string) =>
  (await ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(id), ConsistentRead: true }))).Item;
const audited = async (id: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: auditKey(id) }))).KeyCount ?? 0) > 0;

it("a DynamoDB that never answers ends the request at the per-call deadline: 503 naming DynamoDB, nothing written", async () => {
  ddbProxy.fail(dynamoOperation("GetItem"), "no answer");
  const { id, run } = post({ ...ENV, DEPENDENCY_TIMEOUT_MS: "200" });
  const { result, lines } = await run();
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body)).toMatchObject({ error: "dynamodb unavailable" });
  expect(result.headers?.["retry-after"]).toBe("1");
  expect(lines).toContainEqual(expect.objectContaining({ level: "ERROR", msg: "dependency failed", dependency: "dynamodb" }));
  // The read comes first, so neither store saw a write.
  expect(ddbProxy.calls.map((c) => c.operation)).toEqual(["DynamoDB_20120810.GetItem"]);
  expect(s3Proxy.calls).toEqual([]);
  expect(await audited(id)).toBe(false);
});

it("a write refused for another reason than its condition is a 503, not a conflict: no replay read, the audit object removed", async () => {
  ddbProxy.fail(dynamoOperation("PutItem"), dynamoError("ProvisionedThroughputExceededException", "Throughput exceeds the table's limit"));
  const { id, run } = post();
  const { result } = await run();
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body)).toMatchObject({ error: "dynamodb unavailable" });
  const operations = ddbProxy.calls.map((c) => c.operation.split(".").pop());
  // Only a lost race (ConditionalCheckFailed) reads the winner's record again.
  expect(operations[0]).toBe("GetItem");
  expect(operations.slice(1).every((op) => op === "PutItem")).toBe(true);
  expect(operations.length).toBeGreaterThan(1);
  expect(s3Proxy.calls.map((c) => c.method)).toEqual(["PUT", "DELETE"]);
  expect(await stored(id)).toBeUndefined();
  expect(await audited(id)).toBe(false);
});

it("an audit clean-up S3 refuses is logged with the record id, and the answer is still the write's failure", async () => {
  ddbProxy.fail(dynamoOperation("PutItem"), dynamoError("ProvisionedThroughputExceededException", "Throughput exceeds the table's limit"));
  s3Proxy.fail((call) => call.method === "DELETE", {
    status: 403,
    headers: { "content-type": "application/xml" },
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
  });
  const { id, run } = post();
  const { result, lines, raw } = await run();
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body)).toMatchObject({ error: "dynamodb unavailable" });
  expect(lines).toContainEqual(expect.objectContaining({ level: "ERROR", msg: "audit cleanup failed", id, error: "AccessDenied" }));
  expect(raw).not.toContain("kept-out-of-logs");
  // The audit object stays behind, named in the log by the record id it shares.
  expect(await audited(id)).toBe(true);
  expect(await stored(id)).toBeUndefined();
});
