/**
 * The API handler when a dependency misbehaves in ways the emulators never do on their own: a
 * DynamoDB that does not answer, a write refused for another reason than its condition, and an
 * audit clean-up S3 refuses. Real dynalite and s3rver behind loopback proxies (SignedProxy) that
 * fail the matching requests as AWS would.
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { auditKey, createApiHandler, recordId, recordKey } from "../../functions/lambda/api.js";
import { startApiStores, type ApiStores } from "./support/api-stores.js";
import { apiEvent, captureStdout, lambdaContext, muteStdout } from "./support/lambda-context.js";
import { SignedProxy, type RecordedCall } from "./support/signed-proxy.js";

const REGION = "us-east-1";
const TABLE = "records-faults01";
const BUCKET = "audit-faults01";
const ENV = { AWS_REGION: REGION, TABLE_NAME: TABLE, BUCKET_NAME: BUCKET };

let stores: ApiStores<SignedProxy, SignedProxy>;
let unmute: () => void;

beforeAll(async () => {
  unmute = muteStdout();
  const front = (upstream: string) => new SignedProxy(upstream);
  stores = await startApiStores({ region: REGION, table: TABLE, bucket: BUCKET, dynamodbFront: front, s3Front: front });
});

afterEach(() => {
  for (const proxy of [stores.dynamodbFront, stores.s3Front]) {
    proxy.clearFaults();
    proxy.calls.length = 0;
  }
});

afterAll(async () => {
  unmute?.();
  await stores?.stop();
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
  (await stores.ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(id), ConsistentRead: true }))).Item;
const audited = async (id: string) =>
  ((await stores.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: auditKey(id) }))).KeyCount ?? 0) > 0;

it("a DynamoDB that never answers ends the request at the per-call deadline: 503 naming DynamoDB, nothing written", async () => {
  stores.dynamodbFront.fail(dynamoOperation("GetItem"), "no answer");
  const { id, run } = post({ ...ENV, DEPENDENCY_TIMEOUT_MS: "200" });
  const { result, lines } = await run();
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body)).toMatchObject({ error: "dynamodb unavailable" });
  expect(result.headers?.["retry-after"]).toBe("1");
  expect(lines).toContainEqual(expect.objectContaining({ level: "ERROR", msg: "dependency failed", dependency: "dynamodb" }));
  // The read comes first, so neither store saw a write.
  expect(stores.dynamodbFront.calls.map((c) => c.operation)).toEqual(["DynamoDB_20120810.GetItem"]);
  expect(stores.s3Front.calls).toEqual([]);
  expect(await audited(id)).toBe(false);
});

it("a write refused for another reason than its condition is a 503, not a conflict: no replay read, the audit object removed", async () => {
  stores.dynamodbFront.fail(
    dynamoOperation("PutItem"),
    dynamoError("ProvisionedThroughputExceededException", "Throughput exceeds the table's limit"),
  );
  const { id, run } = post();
  const { result } = await run();
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body)).toMatchObject({ error: "dynamodb unavailable" });
  const operations = stores.dynamodbFront.calls.map((c) => c.operation.split(".").pop());
  // Only a lost race (ConditionalCheckFailed) reads the winner's record again.
  expect(operations[0]).toBe("GetItem");
  expect(operations.slice(1).every((op) => op === "PutItem")).toBe(true);
  expect(operations.length).toBeGreaterThan(1);
  expect(stores.s3Front.calls.map((c) => c.method)).toEqual(["PUT", "DELETE"]);
  expect(await stored(id)).toBeUndefined();
  expect(await audited(id)).toBe(false);
});

it("an audit clean-up S3 refuses is logged with the record id, and the answer is still the write's failure", async () => {
  stores.dynamodbFront.fail(
    dynamoOperation("PutItem"),
    dynamoError("ProvisionedThroughputExceededException", "Throughput exceeds the table's limit"),
  );
  stores.s3Front.fail((call) => call.method === "DELETE", {
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
