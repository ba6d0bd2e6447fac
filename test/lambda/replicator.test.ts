import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { ORIGIN_ATTRIBUTE, createReplicatorHandler, loadReplicatorConfig } from "../../functions/lambda/replicator.js";
import { useTestCredentials } from "./support/emulators.js";
import { captureStdout, lambdaContext } from "./support/lambda-context.js";
import { MOTO_SETUP_TIMEOUT_MS, describeWithMoto, startMoto } from "./support/moto.js";
import type { Moto } from "./support/moto.js";

const SECONDARY = "us-east-2";

function record(messageId: string, body: string, messageAttributes: SQSRecord["messageAttributes"] = {}): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1700000000000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1700000000001",
    },
    messageAttributes,
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders-test01",
    awsRegion: "us-east-1",
  };
}

describe("replicator config", () => {
  it("names the missing or malformed variable and takes the region from the queue URL", () => {
    expect(() => loadReplicatorConfig({ AWS_REGION: "us-east-1" })).toThrow(/SQS_TARGET_URL is required/);
    expect(() => loadReplicatorConfig({ AWS_REGION: "us-east-1", SQS_TARGET_URL: "not a url" })).toThrow(/SQS_TARGET_URL is invalid/);
    expect(
      loadReplicatorConfig({ AWS_REGION: "us-east-1", SQS_TARGET_URL: "https://sqs.us-east-2.amazonaws.com/123456789012/orders" })
        .targetRegion,
    ).toBe("us-east-2");
  });
});

describeWithMoto("replicator handler against moto (SQS)", () => {
  let moto: Moto;
  let sqs: SQSClient;

  beforeAll(async () => {
    useTestCredentials();
    moto = await startMoto();
    process.env["AWS_ENDPOINT_URL_SQS"] = moto.endpoint;
    sqs = new SQSClient({ region: SECONDARY, endpoint: moto.endpoint });
  }, MOTO_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
  });

  beforeEach(() => moto.reset());

  async function targetQueue(attributes: Record<string, string> = {}): Promise<string> {
    return (await sqs.send(new CreateQueueCommand({ QueueName: "orders-replica-test01", Attributes: attributes }))).QueueUrl!;
  }

  async function drain(queueUrl: string) {
    const out = [];
    for (;;) {
      const res = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], WaitTimeSeconds: 0 }),
      );
      if (!res.Messages?.length) return out;
      out.push(...res.Messages);
    }
  }

  const handlerFor = (url: string) =>
    createReplicatorHandler({ AWS_REGION: "us-east-1", SQS_TARGET_URL: url, SQS_TARGET_REGION: SECONDARY });

  it("forwards every message with its attributes and an origin marker", async () => {
    const url = await targetQueue();
    const event: SQSEvent = {
      Records: Array.from({ length: 12 }, (_, i) =>
        record(`m${i}`, JSON.stringify({ order: i }), {
          tenant: { dataType: "String", stringValue: "acme" },
          blob: { dataType: "Binary", binaryValue: Buffer.from([i, 255]).toString("base64") },
        }),
      ),
    };
    const { result } = await captureStdout(() => handlerFor(url)(event, lambdaContext("replicator")));
    expect(result.batchItemFailures).toEqual([]);
    const received = await drain(url);
    expect(received.map((m) => JSON.parse(m.Body!).order).sort((a: number, b: number) => a - b)).toEqual([...Array(12).keys()]);
    const first = received.find((m) => m.Body === JSON.stringify({ order: 3 }))!;
    expect(first.MessageAttributes?.["tenant"]?.StringValue).toBe("acme");
    expect(Buffer.from(first.MessageAttributes!["blob"]!.BinaryValue!)).toEqual(Buffer.from([3, 255]));
    expect(first.MessageAttributes?.[ORIGIN_ATTRIBUTE]?.StringValue).toBe("us-east-1");
  });

  it("reports exactly the messages the target refused and still forwards the rest", async () => {
    // The replica queue accepts at most 1 KiB per message; one record is larger.
    const url = await targetQueue({ MaximumMessageSize: "1024" });
    const records = Array.from({ length: 13 }, (_, i) => record(`m${i}`, i === 3 ? "x".repeat(2048) : `small-${i}`));
    const { result } = await captureStdout(() => handlerFor(url)({ Records: records }, lambdaContext()));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "m3" }]);
    const bodies = (await drain(url)).map((m) => m.Body).sort();
    expect(bodies).toEqual(
      records
        .filter((_, i) => i !== 3)
        .map((r) => r.body)
        .sort(),
    );
  });

  it("fails every message when the target queue does not exist", async () => {
    const missing = `${moto.endpoint}/123456789012/no-such-queue`;
    const { result } = await captureStdout(() => handlerFor(missing)({ Records: [record("a", "1"), record("b", "2")] }, lambdaContext()));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["a", "b"]);
  });

  it("does not forward messages that were replicated already", async () => {
    const url = await targetQueue();
    const replicated = record("r", "from-other-region", { [ORIGIN_ATTRIBUTE]: { dataType: "String", stringValue: SECONDARY } });
    const { result } = await captureStdout(() => handlerFor(url)({ Records: [replicated, record("n", "new")] }, lambdaContext()));
    expect(result.batchItemFailures).toEqual([]);
    expect((await drain(url)).map((m) => m.Body)).toEqual(["new"]);
  });
});
