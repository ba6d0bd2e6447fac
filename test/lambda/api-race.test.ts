/**
 * The API handler's idempotent write under a real race: two requests with the same
 * Idempotency-Key are both held past their read (neither sees a record) before either writes, so
 * only DynamoDB's conditional write can keep the second from replacing the first.
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { auditKey, createApiHandler, recordKey } from "../../functions/lambda/api.js";
import { startApiStores, type ApiStores } from "./support/api-stores.js";
import { DynamoDbBarrier } from "./support/dynamodb-barrier.js";
import { apiEvent, lambdaContext, muteStdout } from "./support/lambda-context.js";

const REGION = "us-east-1";
const TABLE = "records-race01";
const BUCKET = "audit-race01";

let stores: ApiStores<DynamoDbBarrier, undefined>;
let barrier: DynamoDbBarrier;
let unmute: () => void;

beforeAll(async () => {
  unmute = muteStdout();
  stores = await startApiStores({
    region: REGION,
    table: TABLE,
    bucket: BUCKET,
    dynamodbFront: (upstream) => new DynamoDbBarrier(upstream),
  });
  barrier = stores.dynamodbFront;
});

afterAll(async () => {
  unmute?.();
  await stores?.stop();
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
  const stored = await stores.ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(bodies[0]!.id), ConsistentRead: true }));
  expect(stored.Item?.["createdAt"]?.S).toBe(bodies[0]!.createdAt);
  // The loser answered with the winner's record instead of deleting the audit object under it.
  const audit = await stores.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: auditKey(bodies[0]!.id) }));
  expect(audit.ContentType).toBe("application/json");
});
