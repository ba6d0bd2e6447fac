/**
 * Messaging fan-out at the producer, against moto (SQS), dynalite and s3rver: POST /process puts
 * one copy of the message in this region's queue and one in the other region's, each request
 * signed for the queue's own region; consuming one copy leaves the other; an unreachable other
 * region costs a counted, logged copy and never the request; a failing own queue fails it (503),
 * and the retry, a replay of the key, sends again.
 */
import { GetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Message } from "@aws-sdk/client-sqs";
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { createApiHandler, recordId, recordKey } from "../../functions/lambda/api.js";
import { FANOUT_FAILURE_METRIC, ORIGIN_ATTRIBUTE } from "../../functions/lambda/lib/messaging-contract.js";
import { METRIC_NAMESPACE } from "../../functions/lambda/lib/metrics.js";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials } from "./support/emulators.js";
import type { Emulator } from "./support/emulators.js";
import { apiEvent, captureStdout, lambdaContext } from "./support/lambda-context.js";
import { MOTO_SETUP_TIMEOUT_MS, describeWithMoto, freePort, startMoto } from "./support/moto.js";
import type { Moto } from "./support/moto.js";
import { SignedProxy } from "./support/signed-proxy.js";

const PRIMARY = "us-east-1";
const SECONDARY = "us-east-2";
const TABLE = "records-fan01";
const BUCKET = "audit-fan01";
const QUEUE: Record<string, string> = { [PRIMARY]: `dr-queue-fan01-${PRIMARY}`, [SECONDARY]: `dr-queue-fan01-${SECONDARY}` };

/** A loopback server that accepts connections and never answers: only a deadline ends a request to it. */
async function blackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

const event = (key: string, payload: Record<string, unknown>) =>
  apiEvent("POST", "/process", JSON.stringify({ type: "order.created", payload, reference: "ref-7" }), {
    "Idempotency-Key": key,
    "Content-Type": "application/json",
  });

let keySeq = 0;
const newKey = () => `fan-key-${process.pid}-${++keySeq}-${Date.now()}`;

describeWithMoto("api fan-out to both regions' queues (moto SQS, dynalite, s3rver)", () => {
  let moto: Moto;
  let proxy: SignedProxy;
  let ddbEmu: Emulator;
  let s3Emu: Emulator & { directory: string };
  let ddb: DynamoDBClient;
  const sqs: Record<string, SQSClient> = {};
  const url: Record<string, string> = {};

  beforeAll(async () => {
    useTestCredentials();
    [moto, ddbEmu, s3Emu] = await Promise.all([startMoto(), startDynalite(), startS3rver([BUCKET])]);
    // Every SQS request, the handler's and the test's, goes through the proxy, which records the
    // region it was signed for; moto keeps each region's queues apart by that same signature.
    proxy = new SignedProxy(moto.endpoint);
    await proxy.start();
    process.env["AWS_ENDPOINT_URL_SQS"] = proxy.endpoint;
    process.env["AWS_ENDPOINT_URL_DYNAMODB"] = ddbEmu.endpoint;
    process.env["AWS_ENDPOINT_URL_S3"] = s3Emu.endpoint;
    await createTable(ddbEmu.endpoint, TABLE, PRIMARY);
    ddb = new DynamoDBClient({ region: PRIMARY, endpoint: ddbEmu.endpoint });
    for (const region of [PRIMARY, SECONDARY]) sqs[region] = new SQSClient({ region, endpoint: proxy.endpoint });
  }, MOTO_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    ddb?.destroy();
    for (const client of Object.values(sqs)) client.destroy();
    await proxy?.stop();
    await Promise.all([moto?.stop(), ddbEmu?.stop(), s3Emu?.stop()]);
    if (s3Emu) removeDir(s3Emu.directory);
  });

  beforeEach(async () => {
    await moto.reset();
    for (const region of [PRIMARY, SECONDARY]) {
      url[region] = (await sqs[region]!.send(new CreateQueueCommand({ QueueName: QUEUE[region] }))).QueueUrl!;
    }
    proxy.calls.length = 0;
  });

  const handlerWith = (overrides: Record<string, string> = {}) =>
    createApiHandler({
      AWS_REGION: PRIMARY,
      TABLE_NAME: TABLE,
      BUCKET_NAME: BUCKET,
      DEPENDENCY_TIMEOUT_MS: "10000",
      QUEUE_URL: url[PRIMARY]!,
      OTHER_QUEUE_URL: url[SECONDARY]!,
      OTHER_QUEUE_REGION: SECONDARY,
      ...overrides,
    });

  const post = (handler: ReturnType<typeof createApiHandler>, key: string, payload: Record<string, unknown> = { amount: 42 }) =>
    captureStdout(() => handler(event(key, payload), lambdaContext("api")));

  /** Every message visible in a region's queue, received (and so hidden) by the test. */
  async function receive(region: string): Promise<Message[]> {
    const res = await sqs[region]!.send(
      new ReceiveMessageCommand({ QueueUrl: url[region], MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], WaitTimeSeconds: 0 }),
    );
    return res.Messages ?? [];
  }

  const sendsOf = () =>
    proxy.calls
      .filter((c) => c.operation === "AmazonSQS.SendMessage")
      .map((c) => ({ queueUrl: c.input["QueueUrl"], region: c.region, service: c.service }));

  it("puts one copy in each region's queue, same body and id, each send signed for its queue's region", async () => {
    const { result: res } = await post(handlerWith(), newKey());
    expect(res.statusCode).toBe(201);
    const id = JSON.parse(res.body).id as string;
    const [primary, secondary] = [await receive(PRIMARY), await receive(SECONDARY)];
    expect([primary.length, secondary.length]).toEqual([1, 1]);
    expect(primary[0]!.Body).toBe(secondary[0]!.Body);
    expect(JSON.parse(primary[0]!.Body!)).toMatchObject({ id, type: "order.created", reference: "ref-7", payload: { amount: 42 } });
    for (const m of [primary[0]!, secondary[0]!]) expect(m.MessageAttributes?.[ORIGIN_ATTRIBUTE]?.StringValue).toBe(PRIMARY);
    expect(sendsOf().sort((a, b) => String(a.region).localeCompare(String(b.region)))).toEqual([
      { queueUrl: url[PRIMARY], region: PRIMARY, service: "sqs" },
      { queueUrl: url[SECONDARY], region: SECONDARY, service: "sqs" },
    ]);
  });

  it("copies, not moves: a consumer on the primary queue deletes its copy and the secondary keeps its own", async () => {
    const { result: res } = await post(handlerWith(), newKey());
    const id = JSON.parse(res.body).id as string;
    const consumed = await receive(PRIMARY);
    expect(consumed).toHaveLength(1);
    await sqs[PRIMARY]!.send(new DeleteMessageCommand({ QueueUrl: url[PRIMARY], ReceiptHandle: consumed[0]!.ReceiptHandle }));
    const secondary = await receive(SECONDARY);
    expect(secondary.map((m) => JSON.parse(m.Body!).id)).toEqual([id]);
    expect(await receive(PRIMARY)).toEqual([]);
  });

  const hole = { close: async () => undefined } as { port: number; close(): Promise<void> };
  afterEach(() => hole.close());

  it.each([
    ["refuses connections", async () => `http://127.0.0.1:${await freePort()}/123456789012/${QUEUE[SECONDARY]}`],
    [
      "never answers",
      async () => {
        Object.assign(hole, await blackhole());
        return `http://127.0.0.1:${hole.port}/123456789012/${QUEUE[SECONDARY]}`;
      },
    ],
  ])("the other region %s: 201 all the same, its miss logged and counted, the own copy in place", async (_what, otherUrl) => {
    // The SDK routes a send to its queue URL's host, and says so once the host is not the endpoint's.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      const handler = handlerWith({ OTHER_QUEUE_URL: await otherUrl(), FANOUT_TIMEOUT_MS: "500" });
      const { result: res, lines, raw } = await post(handler, newKey(), { amount: 7, cardNumber: "4111-secret" });
      expect(res.statusCode).toBe(201);
      const id = JSON.parse(res.body).id as string;
      expect((await receive(PRIMARY)).map((m) => JSON.parse(m.Body!).id)).toEqual([id]);
      const failure = lines.filter((l) => l[FANOUT_FAILURE_METRIC] !== undefined);
      expect(failure).toEqual([
        expect.objectContaining({
          level: "WARN",
          id,
          [FANOUT_FAILURE_METRIC]: 1,
          Region: PRIMARY,
          TargetRegion: SECONDARY,
          _aws: expect.objectContaining({
            CloudWatchMetrics: [
              {
                Namespace: METRIC_NAMESPACE,
                Dimensions: [["Region", "TargetRegion"]],
                Metrics: [{ Name: FANOUT_FAILURE_METRIC, Unit: "Count" }],
              },
            ],
          }),
        }),
      ]);
      expect(failure[0]!["error"]).toEqual(expect.any(String));
      // Identifiers and outcomes only: no payload, no credentials.
      expect(raw).not.toContain("4111-secret");
      expect(raw).not.toContain(process.env["AWS_SECRET_ACCESS_KEY"]);
    } finally {
      console.warn = warn;
    }
  });

  it("fails the request when its own queue fails, with the record stored; the retry of the key sends to both again", async () => {
    const key = newKey();
    const missing = url[PRIMARY]!.replace(QUEUE[PRIMARY]!, "dr-queue-fan01-missing");
    const { result: failed, lines } = await post(handlerWith({ QUEUE_URL: missing }), key);
    expect(failed.statusCode).toBe(503);
    expect(JSON.parse(failed.body)).toMatchObject({ error: "sqs unavailable" });
    expect(failed.headers?.["retry-after"]).toBe("1");
    expect(lines).toContainEqual(expect.objectContaining({ level: "ERROR", dependency: "sqs" }));
    // The record was stored before the send: the retry is a replay, not a second write.
    const id = recordId(key);
    expect((await ddb.send(new GetItemCommand({ TableName: TABLE, Key: recordKey(id), ConsistentRead: true }))).Item?.["id"]?.S).toBe(id);
    const { result: retried } = await post(handlerWith(), key);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers?.["idempotent-replayed"]).toBe("true");
    expect(JSON.parse(retried.body).id).toBe(id);
    expect((await receive(PRIMARY)).map((m) => JSON.parse(m.Body!).id)).toEqual([id]);
    // The failed attempt's other-region copy and the retry's: the consumer dedupes by id.
    expect((await receive(SECONDARY)).map((m) => JSON.parse(m.Body!).id)).toEqual([id, id]);
  });

  it("re-sends on a replay of the same key: each queue holds two equal copies of the one record", async () => {
    const handler = handlerWith();
    const key = newKey();
    const { result: first } = await post(handler, key);
    const { result: replay } = await post(handler, key);
    expect([first.statusCode, replay.statusCode]).toEqual([201, 201]);
    expect(replay.headers?.["idempotent-replayed"]).toBe("true");
    const id = JSON.parse(first.body).id as string;
    for (const region of [PRIMARY, SECONDARY]) {
      const copies = await receive(region);
      expect({ region, ids: copies.map((m) => JSON.parse(m.Body!).id) }).toEqual({ region, ids: [id, id] });
      expect(new Set(copies.map((m) => m.Body)).size).toBe(1);
    }
    expect(
      sendsOf()
        .map((s) => s.region)
        .sort(),
    ).toEqual([PRIMARY, PRIMARY, SECONDARY, SECONDARY]);
  });

  it("sends nothing without a queue, and to its own queue only without another region", async () => {
    const none = createApiHandler({ AWS_REGION: PRIMARY, TABLE_NAME: TABLE, BUCKET_NAME: BUCKET, DEPENDENCY_TIMEOUT_MS: "10000" });
    expect((await post(none, newKey())).result.statusCode).toBe(201);
    expect(sendsOf()).toEqual([]);
    const own = handlerWith({ OTHER_QUEUE_URL: "", OTHER_QUEUE_REGION: "" });
    expect((await post(own, newKey())).result.statusCode).toBe(201);
    expect(sendsOf()).toEqual([{ queueUrl: url[PRIMARY], region: PRIMARY, service: "sqs" }]);
    expect(await receive(SECONDARY)).toEqual([]);
  });
});
