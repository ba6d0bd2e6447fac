/**
 * The API handler's idempotent write under a real race: two requests with the same
 * Idempotency-Key are both held past their read (neither sees a record) before either writes, so
 * only DynamoDB's conditional write can keep the second from replacing the first.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { auditKey, createApiHandler, recordKey } from "../../functions/lambda/api.js";
import { DynamoDbBarrier } from "./support/dynamodb-barrier.js";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials } from "./support/emulators.js";
import type { Emulator } from "./support/emulators.js";
import { apiEvent, lambdaContext, muteStdout } from "./support/lambda-context.js";

const REGION = "us-east-1";
const TABLE = "records-race01";
const BUCKET = "audit-race01";

let ddbEmu: Emulator;
let s3Emu: Emulator & { directory: string };
let barrier: DynamoDbBarrier;
let ddb: DynamoDBClient;
let s3: S3Client;
let unmute: () => void;

beforeAll(async () => {
  unmute = muteStdout();
  useTestCredentials();
  [ddbEmu, s3Emu] = await Promise.all([startDynalite(), startS3rver([BUCKET])]);
  barrier = new DynamoDbBarrier(ddbEmu.endpoint);
  await barrier.start();
  // The handler's clients are created per module registry; this file's reach DynamoDB through the barrier.
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = barrier.endpoint;
  process.env["AWS_ENDPOINT_URL_S3"] = s3Emu.endpoint;
  await createTable(ddbEmu.endpoint, TABLE);
  ddb = new DynamoDBClient({ region: REGION, endpoint: ddbEmu.endpoint });
  s3 = new S3Client({ region: REGION, endpoint: s3Emu.endpoint, forcePathStyle: true });
});

afterAll(async () => {
  unmute?.();
  ddb?.destroy();
  s3?.destroy();
  await barrier?.stop();
  await Promise.all([ddbEmu?.stop(), s3Emu?.stop()]);
  if (s3Emu) removeDir(s3Emu.directory);
});

const post = (key: string, body: unknown, requestId: string) =>
  createApiHandler({ AWS_REGION: REGION, TABLE_NAME: TABLE, BUCKET_NAME: BUCKET })(
    apiEvent("POST", "/process", JSON.stringify(body), { "Idempotency-Key": key, "Content-Type": "application/json" }),
    { ...lambdaContext("api"), awsRequestId: requestId },
  );

it("two same-key requests forced past the read store one record, and both answer with it", async () => {
  const key = "race-key-0001";
  barrier.holdReads(2);
  const body = { type: "payment", payload: { amount: 5 } };
  const answers = await Promise.all([post(key, body, "request-a"), post(key, body, "request-b")]);

  // Both reads found nothing before either write: the race really happened.
  const ops = barrier.calls.map((c) => c.operation);
  expect(ops.slice(0, 2)).toEqual(["GetItem", "GetItem"]);
  // Every read is strongly consistent: an eventually consistent one could miss the winner's write.
  const reads = barrier.calls.filter((c) => c.operation === "GetItem");
  expect(reads.map((c) => c.input["ConsistentRead"])).toEqual(reads.map(() => true));
  // Both tried to write; DynamoDB accepted exactly one.
  const puts = barrier.calls.filter((c) => c.operation === "PutItem");
  expect(puts.map((c) => c.status).sort()).toEqual([200, 400]);

  expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
  const replayed = answers.filter((a) => a.headers?.["idempotent-replayed"] === "true");
  expect(replayed).toHaveLength(1);
  expect(JSON.parse(replayed[0]!.body)).toMatchObject({ replayed: true });
  const bodies = answers.map((a) => JSON.parse(a.body) as { id: string; createdAt: string });
  expect(new Set(bodies.map((b) => `${b.id} ${b.createdAt}`)).size).toBe(1);

  // One record, the winner's, and its audit object is still there.
  const stored = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(bodies[0]!.id), ConsistentRead: true }));
  expect(stored.Item?.["createdAt"]?.S).toBe(bodies[0]!.createdAt);
  // The loser answered with the winner's record instead of deleting the audit object under it.
  const audit = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: auditKey(bodies[0]!.id) }));
  expect(audit.ContentType).toBe("application/json");
});
