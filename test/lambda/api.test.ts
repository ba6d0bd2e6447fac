import { DynamoDBClient, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { APIGatewayProxyResult } from "aws-lambda";
import { auditKey, createApiHandler, loadApiConfig, recordId, recordKey } from "../../functions/lambda/api.js";
import { ConfigError } from "../../functions/lambda/lib/config.js";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials } from "./support/emulators.js";
import type { Emulator } from "./support/emulators.js";
import { apiEvent, captureStdout, lambdaContext, muteStdout } from "./support/lambda-context.js";

const REGION = "us-east-1";
const TABLE = "records-test01";
const BUCKET = "audit-test01";
// Ceilings, not expectations: dependency-down cases fail fast on a refused connection; a loaded
// machine (a mutation run, CI) must not turn a slow emulator answer into a 503.
const ENV = { AWS_REGION: REGION, TABLE_NAME: TABLE, BUCKET_NAME: BUCKET, HEALTH_TIMEOUT_MS: "5000", DEPENDENCY_TIMEOUT_MS: "10000" };

let ddbEmu: Emulator;
let s3Emu: Emulator & { directory: string };
let ddb: DynamoDBClient;
let s3: S3Client;
const handler = createApiHandler(ENV);
let unmute: () => void;

beforeAll(async () => {
  // The handlers' JSON logs would flood the test output; tests that check logs capture them.
  unmute = muteStdout();
  useTestCredentials();
  [ddbEmu, s3Emu] = await Promise.all([startDynalite(), startS3rver([BUCKET])]);
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = ddbEmu.endpoint;
  process.env["AWS_ENDPOINT_URL_S3"] = s3Emu.endpoint;
  await createTable(ddbEmu.endpoint, TABLE);
  // Test-side clients, independent of the handler's own, to inspect what was stored.
  ddb = new DynamoDBClient({ region: REGION, endpoint: ddbEmu.endpoint });
  s3 = new S3Client({ region: REGION, endpoint: s3Emu.endpoint, forcePathStyle: true });
});

afterAll(async () => {
  unmute?.();
  ddb?.destroy();
  s3?.destroy();
  await Promise.all([ddbEmu?.stop(), s3Emu?.stop()]);
  if (s3Emu) removeDir(s3Emu.directory);
});

let keySeq = 0;
const newKey = () => `test-key-${process.pid}-${++keySeq}-${Date.now()}`;

const event = apiEvent;

const post = (body: unknown, headers: Record<string, string> = { "Idempotency-Key": newKey() }) =>
  handler(event("POST", "/process", typeof body === "string" ? body : JSON.stringify(body), headers), lambdaContext("api"));

const parse = (res: APIGatewayProxyResult) => JSON.parse(res.body) as Record<string, unknown>;

async function auditExists(id: string): Promise<boolean> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: auditKey(id) }));
  return (listed.KeyCount ?? 0) > 0;
}

describe("config", () => {
  it("names the missing variable", () => {
    expect(() => loadApiConfig({ AWS_REGION: REGION, BUCKET_NAME: BUCKET })).toThrow(/TABLE_NAME is required/);
    expect(() => loadApiConfig({ AWS_REGION: REGION, TABLE_NAME: TABLE })).toThrow(/BUCKET_NAME is required/);
    expect(() => loadApiConfig({ TABLE_NAME: TABLE, BUCKET_NAME: BUCKET })).toThrow(/AWS_REGION is required/);
  });

  it("rejects malformed values, naming the variable", () => {
    expect(() => loadApiConfig({ ...ENV, BUCKET_NAME: "Not_A_Bucket" })).toThrow(/BUCKET_NAME is invalid/);
    expect(() => loadApiConfig({ ...ENV, MAX_BODY_BYTES: "lots" })).toThrow(/MAX_BODY_BYTES must be an integer/);
    expect(() => loadApiConfig({ ...ENV, AWS_REGION: "mars" })).toThrow(ConfigError);
  });

  it("takes the queues together or not at all, naming the variable at fault", () => {
    const own = "https://sqs.us-east-1.amazonaws.com/123456789012/dr-queue-t1-us-east-1";
    const other = "https://sqs.us-west-2.amazonaws.com/123456789012/dr-queue-t1-us-west-2";
    expect(loadApiConfig(ENV)).toMatchObject({ queueUrl: undefined, otherQueue: undefined });
    expect(loadApiConfig({ ...ENV, QUEUE_URL: own })).toMatchObject({ queueUrl: own, otherQueue: undefined, fanOutTimeoutMs: 2000 });
    expect(loadApiConfig({ ...ENV, QUEUE_URL: own, OTHER_QUEUE_URL: other, OTHER_QUEUE_REGION: "us-west-2" }).otherQueue).toEqual({
      url: other,
      region: "us-west-2",
    });
    expect(() => loadApiConfig({ ...ENV, QUEUE_URL: "sqs://nowhere" })).toThrow(/QUEUE_URL is invalid/);
    expect(() => loadApiConfig({ ...ENV, OTHER_QUEUE_URL: other, OTHER_QUEUE_REGION: "us-west-2" })).toThrow(
      /OTHER_QUEUE_URL is set but QUEUE_URL is not/,
    );
    expect(() => loadApiConfig({ ...ENV, QUEUE_URL: own, OTHER_QUEUE_URL: other })).toThrow(/OTHER_QUEUE_REGION is required/);
    expect(() => loadApiConfig({ ...ENV, QUEUE_URL: own, OTHER_QUEUE_URL: other, OTHER_QUEUE_REGION: REGION })).toThrow(
      /OTHER_QUEUE_REGION must name another region than AWS_REGION/,
    );
    expect(() => loadApiConfig({ ...ENV, QUEUE_URL: own, FANOUT_TIMEOUT_MS: "0" })).toThrow(/FANOUT_TIMEOUT_MS must be an integer/);
  });

  it("names what each variable should hold when it is malformed", () => {
    const own = "https://sqs.us-east-1.amazonaws.com/123456789012/dr-queue-t1-us-east-1";
    expect(() => loadApiConfig({ ...ENV, TABLE_NAME: "no spaces allowed" })).toThrow(
      /TABLE_NAME is invalid: .*\(expected a DynamoDB table name\)/,
    );
    expect(() => loadApiConfig({ ...ENV, BUCKET_NAME: "Not_A_Bucket" })).toThrow(/\(expected an S3 bucket name\)/);
    expect(() => loadApiConfig({ ...ENV, QUEUE_URL: "sqs://nowhere" })).toThrow(/QUEUE_URL is invalid: .*\(expected an SQS queue URL\)/);
    expect(() => loadApiConfig({ ...ENV, QUEUE_URL: own, OTHER_QUEUE_URL: "sqs://x", OTHER_QUEUE_REGION: "us-west-2" })).toThrow(
      /OTHER_QUEUE_URL is invalid: .*\(expected an SQS queue URL\)/,
    );
  });

  it("caps the body size at API Gateway's and Lambda's 256 KiB event, and the timeouts at their bounds", () => {
    expect(loadApiConfig({ ...ENV, MAX_BODY_BYTES: "262144" }).maxBodyBytes).toBe(262_144);
    expect(() => loadApiConfig({ ...ENV, MAX_BODY_BYTES: "262145" })).toThrow(/MAX_BODY_BYTES must be an integer between 1 and 262144/);
    expect(loadApiConfig({ ...ENV, MAX_BODY_BYTES: undefined }).maxBodyBytes).toBe(16_384);
    expect(loadApiConfig({ ...ENV, HEALTH_TIMEOUT_MS: "10000", DEPENDENCY_TIMEOUT_MS: "25000" })).toMatchObject({
      healthTimeoutMs: 10_000,
      dependencyTimeoutMs: 25_000,
    });
    expect(() => loadApiConfig({ ...ENV, HEALTH_TIMEOUT_MS: "10001" })).toThrow(
      /HEALTH_TIMEOUT_MS must be an integer between 50 and 10000/,
    );
    expect(() => loadApiConfig({ ...ENV, DEPENDENCY_TIMEOUT_MS: "49" })).toThrow(
      /DEPENDENCY_TIMEOUT_MS must be an integer between 50 and 25000/,
    );
  });

  it("fails the invocation with a logged error naming the variable", async () => {
    const broken = createApiHandler({ AWS_REGION: REGION, BUCKET_NAME: BUCKET });
    const { result, lines } = await captureStdout(() =>
      broken(event("GET", "/health"), lambdaContext()).then(
        () => "resolved",
        (err: Error) => err.message,
      ),
    );
    expect(result).toMatch(/TABLE_NAME is required/);
    expect(lines).toEqual([expect.objectContaining({ level: "ERROR", variable: "TABLE_NAME" })]);
  });
});

describe("POST /process", () => {
  it("stores the record and its audit object and returns 201 with the id", async () => {
    const key = newKey();
    const ctx = lambdaContext("api");
    const { result: res, lines } = await captureStdout(() =>
      handler(
        event(
          "POST",
          "/process",
          JSON.stringify({ type: "order.created", payload: { amount: 42, secretNote: "do-not-log" }, reference: "ref-1" }),
          { "idempotency-key": key, "Content-Type": "application/json" },
        ),
        ctx,
      ),
    );
    expect(res.statusCode).toBe(201);
    const body = parse(res);
    expect(body["id"]).toBe(recordId(key));
    expect(body["id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const item = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(String(body["id"])), ConsistentRead: true }));
    expect(item.Item?.["type"]?.S).toBe("order.created");
    expect(JSON.parse(item.Item?.["payload"]?.S ?? "null")).toEqual({ amount: 42, secretNote: "do-not-log" });
    expect(item.Item?.["reference"]?.S).toBe("ref-1");

    const audit = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: auditKey(String(body["id"])) }));
    const auditBody = JSON.parse(await audit.Body!.transformToString()) as Record<string, unknown>;
    expect(auditBody).toMatchObject({ id: body["id"], type: "order.created", requestId: ctx.awsRequestId, region: REGION });

    // Structured logs carry the request id and never the payload.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line["requestId"]).toBe(ctx.awsRequestId);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "request", status: 201, path: "/process", method: "POST" }));
    expect(JSON.stringify(lines)).not.toContain("do-not-log");
  });

  it("accepts a base64-encoded body", async () => {
    const e = event("POST", "/process", Buffer.from(JSON.stringify({ type: "t", payload: {} })).toString("base64"), {
      "Idempotency-Key": newKey(),
    });
    e.isBase64Encoded = true;
    expect((await handler(e, lambdaContext())).statusCode).toBe(201);
  });

  it("returns the same id for a retry with the same Idempotency-Key and stores one record", async () => {
    const key = newKey();
    const body = { type: "payment", payload: { n: 1 } };
    const first = await post(body, { "Idempotency-Key": key });
    const second = await post(body, { "Idempotency-Key": key });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(parse(second)["id"]).toBe(parse(first)["id"]);
    expect(parse(second)["createdAt"]).toBe(parse(first)["createdAt"]);
    expect(second.headers?.["idempotent-replayed"]).toBe("true");
    const scan = await ddb.send(new ScanCommand({ TableName: TABLE }));
    expect(scan.Items?.filter((i) => i["id"]?.S === parse(first)["id"])).toHaveLength(1);
  });

  it("stores one record when concurrent requests share a key", async () => {
    const key = newKey();
    const results = await Promise.all(Array.from({ length: 5 }, () => post({ type: "burst", payload: {} }, { "Idempotency-Key": key })));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => parse(r)["id"]))).toEqual(new Set([recordId(key)]));
  });

  it("rejects a reused Idempotency-Key with a different body (409)", async () => {
    const key = newKey();
    expect((await post({ type: "a", payload: {} }, { "Idempotency-Key": key })).statusCode).toBe(201);
    const res = await post({ type: "b", payload: {} }, { "Idempotency-Key": key });
    expect(res.statusCode).toBe(409);
    expect(parse(res)["field"]).toBe("header Idempotency-Key");
    expect(JSON.stringify(parse(res))).toContain("already used with a different request body");
  });

  const longBody = JSON.stringify({ type: "big", payload: { blob: "x".repeat(17 * 1024) } });
  it.each([
    ["missing body", null, 400, "body", /required/],
    ["empty body", "", 400, "body", /required/],
    ["invalid JSON", "{not json", 400, "body", /valid JSON/],
    ["JSON array", "[1,2]", 400, "body", /JSON object/],
    ["JSON string", '"hello"', 400, "body", /JSON object/],
    ["unknown field", JSON.stringify({ type: "a", payload: {}, extra: 1 }), 400, "extra", /unknown field 'extra'/],
    ["missing type", JSON.stringify({ payload: {} }), 400, "type", /'type' is required/],
    ["non-string type", JSON.stringify({ type: 7, payload: {} }), 400, "type", /'type' must be/],
    ["malformed type", JSON.stringify({ type: "has space", payload: {} }), 400, "type", /'type' must be/],
    ["missing payload", JSON.stringify({ type: "a" }), 400, "payload", /'payload' is required/],
    ["array payload", JSON.stringify({ type: "a", payload: [1] }), 400, "payload", /'payload' must be a JSON object/],
    ["null payload", JSON.stringify({ type: "a", payload: null }), 400, "payload", /'payload' must be a JSON object/],
    ["non-string reference", JSON.stringify({ type: "a", payload: {}, reference: 5 }), 400, "reference", /'reference' must be/],
    ["too long reference", JSON.stringify({ type: "a", payload: {}, reference: "r".repeat(129) }), 400, "reference", /'reference' must be/],
    ["body over the size limit", longBody, 413, "body", /limit is 16384/],
  ])("rejects %s", async (_name, body, status, field, message) => {
    const key = newKey();
    const res = await handler(event("POST", "/process", body, { "Idempotency-Key": key }), lambdaContext());
    expect(res.statusCode).toBe(status);
    expect(parse(res)).toMatchObject({ field, error: expect.stringMatching(message) });
    // Nothing was written for a rejected request.
    expect((await ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(recordId(key)) }))).Item).toBeUndefined();
  });

  it.each([
    ["missing", {}, /is required/],
    ["too short", { "Idempotency-Key": "short" }, /8-128 characters/],
    ["with invalid characters", { "Idempotency-Key": "has spaces in it" }, /8-128 characters/],
  ])("rejects an Idempotency-Key header that is %s", async (_name, headers, message) => {
    const res = await post({ type: "a", payload: {} }, headers);
    expect(res.statusCode).toBe(400);
    expect(parse(res)).toMatchObject({ field: "header Idempotency-Key", error: expect.stringMatching(message) });
  });

  it("takes the reference into the request a key stands for: another reference under the same key is a conflict", async () => {
    const key = newKey();
    expect((await post({ type: "a", payload: {}, reference: "ref-1" }, { "Idempotency-Key": key })).statusCode).toBe(201);
    const replay = await post({ type: "a", payload: {}, reference: "ref-1" }, { "Idempotency-Key": key });
    expect(replay.statusCode).toBe(201);
    expect(parse(replay)["id"]).toBe(recordId(key));
    expect((await post({ type: "a", payload: {}, reference: "ref-2" }, { "Idempotency-Key": key })).statusCode).toBe(409);
    expect((await post({ type: "a", payload: {} }, { "Idempotency-Key": key })).statusCode).toBe(409);
  });

  it.each([
    ["empty", "", /is required/],
    ["valid characters after invalid ones", "!!!!valid-key-1", /8-128 characters/],
    ["invalid characters after valid ones", "valid-key-1!!!!", /8-128 characters/],
    ["over 128 characters", "k".repeat(129), /8-128 characters/],
  ])("rejects an Idempotency-Key that is %s", async (_name, key, message) => {
    const res = await post({ type: "a", payload: {} }, { "Idempotency-Key": key });
    expect(res.statusCode).toBe(400);
    expect(parse(res)).toMatchObject({ field: "header Idempotency-Key", error: expect.stringMatching(message) });
  });

  it("accepts an Idempotency-Key of exactly 8 and of exactly 128 characters", async () => {
    for (const length of [8, 128]) {
      const key = `${process.pid}-${++keySeq}-`.padEnd(length, "k");
      expect((await post({ type: "a", payload: {} }, { "Idempotency-Key": key })).statusCode).toBe(201);
    }
  });

  it.each([
    ["application/json", 201],
    ["application/json; charset=utf-8", 201],
    ["Application/JSON ;charset=utf-8", 201],
    ["application/jsonp", 415],
    ["text/plain; profile=application/json", 415],
    ["x-application/json", 415],
  ])("takes content type %s as %s", async (contentType, status) => {
    expect((await post({ type: "a", payload: {} }, { "Idempotency-Key": newKey(), "content-type": contentType })).statusCode).toBe(status);
  });

  it("accepts a body of exactly the size limit", async () => {
    const frame = JSON.stringify({ type: "big", payload: { blob: "" } });
    const body = JSON.stringify({ type: "big", payload: { blob: "x".repeat(16_384 - frame.length) } });
    expect(Buffer.byteLength(body)).toBe(16_384);
    const res = await handler(event("POST", "/process", body, { "Idempotency-Key": newKey() }), lambdaContext());
    expect(res.statusCode).toBe(201);
  });

  it("rejects a non-JSON content type (415)", async () => {
    const res = await post({ type: "a", payload: {} }, { "Idempotency-Key": newKey(), "content-type": "text/plain" });
    expect(res.statusCode).toBe(415);
    expect(parse(res)["field"]).toBe("header Content-Type");
  });

  it("routes a path with trailing slashes as the path without, and leaves the root path alone", async () => {
    expect((await handler(event("GET", "/health/"), lambdaContext())).statusCode).toBe(200);
    expect((await handler(event("GET", "/health//"), lambdaContext())).statusCode).toBe(200);
    const root = await handler(event("GET", "/"), lambdaContext());
    expect(root.statusCode).toBe(404);
    expect(parse(root)["error"]).toBe("no route for /");
  });

  it("answers 404 for an unknown path and 405 for a wrong method", async () => {
    const unknown = await handler(event("GET", "/nope/"), lambdaContext());
    expect(unknown.statusCode).toBe(404);
    expect(parse(unknown)["error"]).toBe("no route for /nope");
    const res = await handler(event("GET", "/process"), lambdaContext());
    expect(res.statusCode).toBe(405);
    expect(res.headers?.["allow"]).toBe("POST");
  });
});

describe("GET /health", () => {
  it("reports the region and both dependencies healthy", async () => {
    const res = await handler(event("GET", "/health"), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(parse(res)).toMatchObject({ status: "ok", region: REGION, checks: { dynamodb: { ok: true }, s3: { ok: true } } });
  });

  it("is 503 when the table does not exist", async () => {
    const other = createApiHandler({ ...ENV, TABLE_NAME: "missing-table" });
    const res = await other(event("GET", "/health"), lambdaContext());
    expect(res.statusCode).toBe(503);
    expect(parse(res)).toMatchObject({
      status: "unavailable",
      checks: { dynamodb: { ok: false, error: "ResourceNotFoundException" }, s3: { ok: true } },
    });
  });
});

// These stop the emulators, so they run last and restart what they stopped.
describe("with a dependency down", () => {
  it("S3 down: health is 503 and POST writes nothing to DynamoDB", async () => {
    await s3Emu.stop();
    try {
      const health = await handler(event("GET", "/health"), lambdaContext());
      expect(health.statusCode).toBe(503);
      expect(parse(health)).toMatchObject({ checks: { s3: { ok: false }, dynamodb: { ok: true } } });

      const key = newKey();
      const res = await post({ type: "a", payload: {} }, { "Idempotency-Key": key });
      expect(res.statusCode).toBe(503);
      expect(parse(res)["error"]).toBe("s3 unavailable");
      expect(
        (await ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(recordId(key)), ConsistentRead: true }))).Item,
      ).toBeUndefined();
    } finally {
      await s3Emu.restart();
    }
    expect((await handler(event("GET", "/health"), lambdaContext())).statusCode).toBe(200);
  });

  it("DynamoDB down: health is 503 and POST writes nothing to S3", async () => {
    await ddbEmu.stop();
    try {
      const health = await handler(event("GET", "/health"), lambdaContext());
      expect(health.statusCode).toBe(503);
      expect(parse(health)).toMatchObject({ checks: { dynamodb: { ok: false }, s3: { ok: true } } });

      const key = newKey();
      const res = await post({ type: "a", payload: {} }, { "Idempotency-Key": key });
      expect(res.statusCode).toBe(503);
      expect(parse(res)["error"]).toBe("dynamodb unavailable");
      expect(await auditExists(recordId(key))).toBe(false);
    } finally {
      await ddbEmu.restart();
    }
  });

  it("DynamoDB refusing the write after the audit object was stored: the audit object is removed again", async () => {
    // A second dynalite that refuses items over 1 KB stands in for DynamoDB failing between the read and the put.
    // The handler caches clients per region, so a handler in another region picks up this endpoint.
    const strict = await startDynalite({ maxItemSizeKb: 1 });
    const previous = process.env["AWS_ENDPOINT_URL_DYNAMODB"];
    try {
      await createTable(strict.endpoint, TABLE, "us-west-2");
      process.env["AWS_ENDPOINT_URL_DYNAMODB"] = strict.endpoint;
      const west = createApiHandler({ ...ENV, AWS_REGION: "us-west-2" });
      const key = newKey();
      const res = await west(
        event("POST", "/process", JSON.stringify({ type: "big", payload: { blob: "y".repeat(4096) } }), { "Idempotency-Key": key }),
        lambdaContext(),
      );
      expect(res.statusCode).toBe(503);
      expect(parse(res)["error"]).toBe("dynamodb unavailable");
      expect(await auditExists(recordId(key))).toBe(false);
    } finally {
      process.env["AWS_ENDPOINT_URL_DYNAMODB"] = previous;
      await strict.stop();
    }
  });
});
