import { CreateDBClusterCommand, CreateGlobalClusterCommand, FailoverGlobalClusterCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createFailoverHandler, decide, loadFailoverConfig, parseTrigger } from "../../functions/lambda/failover.js";
import { useTestCredentials } from "./support/emulators.js";
import { captureStdout, lambdaContext } from "./support/lambda-context.js";
import { MOTO_SETUP_TIMEOUT_MS, describeWithMoto, startMoto } from "./support/moto.js";
import type { Moto } from "./support/moto.js";
import { RdsPromotionStandIn } from "./support/rds-promotion-standin.js";

const PRIMARY = "us-east-1";
const SECONDARY = "us-east-2";
const GLOBAL = "gdb-test01";

describe("failover event parsing and decisions (no AWS calls)", () => {
  it("recognises planned requests, EventBridge and SNS alarm notifications", () => {
    expect(parseTrigger({ type: "planned", targetRegion: "us-east-2" })).toEqual({ kind: "planned", targetRegion: "us-east-2" });
    expect(
      parseTrigger({ "detail-type": "CloudWatch Alarm State Change", detail: { alarmName: "api-health", state: { value: "ALARM" } } }),
    ).toEqual({
      kind: "alarm",
      alarmName: "api-health",
      via: "eventbridge",
    });
    expect(
      parseTrigger({ Records: [{ Sns: { Message: JSON.stringify({ AlarmName: "api-health", NewStateValue: "ALARM" }) } }] }),
    ).toMatchObject({ kind: "alarm", via: "sns" });
    expect(
      parseTrigger({ "detail-type": "CloudWatch Alarm State Change", detail: { alarmName: "a", state: { value: "OK" } } }),
    ).toMatchObject({ kind: "ignored" });
  });

  it("rejects malformed events with a message naming what is wrong", () => {
    expect(() => parseTrigger({ type: "planned" })).toThrow(/'targetRegion'/);
    expect(() => parseTrigger({ type: "planned", targetRegion: "nowhere" })).toThrow(/'targetRegion'/);
    expect(() => parseTrigger({ hello: 1 })).toThrow(/unrecognised failover event/);
    expect(() => parseTrigger({ Records: [{ Sns: { Message: "not json" } }] })).toThrow(/SNS message must be JSON/);
    expect(() => parseTrigger("x")).toThrow(/JSON object/);
  });

  it("config names a missing variable", () => {
    expect(() => loadFailoverConfig({ AWS_REGION: PRIMARY, FAILOVER_TARGET_REGION: SECONDARY, GLOBAL_CLUSTER_ID: GLOBAL })).toThrow(
      /TOPIC_ARN is required/,
    );
  });

  it("does nothing while a promotion is pending or the cluster is not available", () => {
    const members = [
      { DBClusterArn: `arn:aws:rds:${PRIMARY}:123456789012:cluster:p`, IsWriter: true },
      { DBClusterArn: `arn:aws:rds:${SECONDARY}:123456789012:cluster:s`, IsWriter: false },
    ];
    expect(decide({ GlobalClusterMembers: members, Status: "available" }, SECONDARY, "failover")).toMatchObject({ action: "failover" });
    expect(
      decide({ GlobalClusterMembers: members, Status: "available", FailoverState: { Status: "pending" } }, SECONDARY, "failover"),
    ).toMatchObject({ action: "none" });
    expect(decide({ GlobalClusterMembers: members, Status: "modifying" }, SECONDARY, "switchover")).toMatchObject({ action: "none" });
    expect(() => decide({ GlobalClusterMembers: members }, "eu-west-1", "failover")).toThrow(/no member in eu-west-1/);
  });
});

describeWithMoto("failover handler against moto (RDS global cluster, SNS)", () => {
  let moto: Moto;
  let standIn: RdsPromotionStandIn;
  let sqs: SQSClient;
  let queueUrl: string;
  let topicArn: string;

  beforeAll(async () => {
    useTestCredentials();
    moto = await startMoto();
    standIn = new RdsPromotionStandIn(moto.endpoint);
    await standIn.start();
    process.env["AWS_ENDPOINT_URL_RDS"] = standIn.endpoint;
    process.env["AWS_ENDPOINT_URL_SNS"] = moto.endpoint;
    sqs = new SQSClient({ region: PRIMARY, endpoint: moto.endpoint });
  }, MOTO_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    sqs?.destroy();
    await standIn?.stop();
    await moto?.stop();
  });

  /** A global cluster whose first member (the writer) is in `writerRegion`. */
  async function globalCluster(id: string, writerRegion: string, readerRegion: string): Promise<void> {
    const rds = (region: string) => new RDSClient({ region, endpoint: moto.endpoint });
    await rds(writerRegion).send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: id, Engine: "aurora-postgresql" }));
    await rds(writerRegion).send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: `${id}-${writerRegion}`,
        Engine: "aurora-postgresql",
        GlobalClusterIdentifier: id,
        MasterUsername: "app",
        MasterUserPassword: "emulator-only-password",
      }),
    );
    await rds(readerRegion).send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: `${id}-${readerRegion}`,
        Engine: "aurora-postgresql",
        GlobalClusterIdentifier: id,
      }),
    );
  }

  beforeEach(async () => {
    await moto.reset();
    standIn.reset();
    await globalCluster(GLOBAL, PRIMARY, SECONDARY);
    const sns = new SNSClient({ region: PRIMARY, endpoint: moto.endpoint });
    topicArn = (await sns.send(new CreateTopicCommand({ Name: "dr-alerts-test01" }))).TopicArn!;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "dr-alerts-inbox" }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes![
      "QueueArn"
    ]!;
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" } }),
    );
    sns.destroy();
  });

  const handlerFor = (globalClusterId = GLOBAL) =>
    createFailoverHandler({
      AWS_REGION: SECONDARY,
      GLOBAL_CLUSTER_ID: globalClusterId,
      FAILOVER_TARGET_REGION: SECONDARY,
      TOPIC_ARN: topicArn,
    });

  async function notifications(): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (;;) {
      const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!res.Messages?.length) return out;
      out.push(...res.Messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>));
    }
  }

  const alarm = {
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    detail: { alarmName: "api-health-test01", state: { value: "ALARM" } },
  };
  const secondaryArn = `arn:aws:rds:${SECONDARY}:123456789012:cluster:${GLOBAL}-${SECONDARY}`;

  it("moto itself does not implement FailoverGlobalCluster (why the stand-in exists)", async () => {
    const direct = new RDSClient({ region: SECONDARY, endpoint: moto.endpoint, maxAttempts: 1 });
    // moto answers actions it lacks with an HTML 500 page; if this starts passing, drop the stand-in.
    await expect(
      direct.send(
        new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: GLOBAL, TargetDbClusterIdentifier: secondaryArn, AllowDataLoss: true }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    direct.destroy();
  });

  it("an alarm fails over to the secondary with data loss allowed and says so on SNS", async () => {
    const { result } = await captureStdout(() => handlerFor()(alarm, lambdaContext("failover")));
    expect(result).toMatchObject({
      outcome: "started",
      targetRegion: SECONDARY,
      decision: { action: "failover", targetArn: secondaryArn },
    });
    expect(standIn.calls).toEqual([
      { action: "FailoverGlobalCluster", globalClusterId: GLOBAL, target: secondaryArn, allowDataLoss: true },
    ]);
    expect(await notifications()).toEqual([
      expect.objectContaining({ outcome: "started", globalClusterId: GLOBAL, targetRegion: SECONDARY }),
    ]);
  });

  it("signs every RDS call for the region being promoted, not for the Lambda's own region", async () => {
    // The orchestrator runs in the primary here: the region an unplanned failover leaves behind.
    const inPrimary = createFailoverHandler({
      AWS_REGION: PRIMARY,
      GLOBAL_CLUSTER_ID: GLOBAL,
      FAILOVER_TARGET_REGION: SECONDARY,
      TOPIC_ARN: topicArn,
    });
    await captureStdout(() => inPrimary(alarm, lambdaContext()));
    expect(standIn.signed.map((c) => c.action)).toEqual(["DescribeGlobalClusters", "FailoverGlobalCluster"]);
    expect(standIn.signed).toEqual(standIn.signed.map((c) => ({ ...c, region: SECONDARY, service: "rds" })));

    // A planned switchover back to the primary, asked of the orchestrator in the secondary.
    standIn.reset();
    const back = { type: "planned", targetRegion: PRIMARY };
    await captureStdout(() => handlerFor()(back, lambdaContext()));
    expect(standIn.signed.length).toBeGreaterThan(0);
    expect(new Set(standIn.signed.map((c) => c.region))).toEqual(new Set([PRIMARY]));
  });

  it("a second invocation while the promotion runs does nothing harmful", async () => {
    const handler = handlerFor();
    await captureStdout(() => handler(alarm, lambdaContext()));
    const { result: again } = await captureStdout(() => handler(alarm, lambdaContext()));
    expect(again).toMatchObject({
      outcome: "skipped",
      decision: { action: "none", reason: expect.stringMatching(/pending|failing-over/) },
    });
    expect(standIn.calls).toHaveLength(1);
    expect((await notifications()).map((n) => n["outcome"])).toEqual(["started", "skipped"]);
  });

  it("two concurrent invocations promote once", async () => {
    const handler = handlerFor();
    const { result } = await captureStdout(() => Promise.all([handler(alarm, lambdaContext()), handler(alarm, lambdaContext())]));
    expect(result.map((r) => r.outcome).sort()).toEqual(["skipped", "started"]);
    expect(standIn.calls).toHaveLength(1);
  });

  it("a planned request switches over without data loss", async () => {
    const sns = { Records: [{ EventSource: "aws:sns", Sns: { Message: JSON.stringify({ type: "planned", targetRegion: SECONDARY }) } }] };
    const { result } = await captureStdout(() => handlerFor()(sns, lambdaContext()));
    expect(result).toMatchObject({ outcome: "started", decision: { action: "switchover" } });
    expect(standIn.calls).toEqual([
      { action: "SwitchoverGlobalCluster", globalClusterId: GLOBAL, target: secondaryArn, allowDataLoss: undefined },
    ]);
  });

  it("does nothing when the target region already writes", async () => {
    await globalCluster("gdb-promoted", SECONDARY, PRIMARY);
    const { result } = await captureStdout(() => handlerFor("gdb-promoted")(alarm, lambdaContext()));
    expect(result).toMatchObject({ outcome: "skipped", decision: { reason: `${SECONDARY} is already the writer` } });
    expect(standIn.calls).toHaveLength(0);
    expect(await notifications()).toEqual([expect.objectContaining({ outcome: "skipped", globalClusterId: "gdb-promoted" })]);
  });

  it("ignores an alarm returning to OK", async () => {
    const ok = { ...alarm, detail: { ...alarm.detail, state: { value: "OK" } } };
    const { result } = await captureStdout(() => handlerFor()(ok, lambdaContext()));
    expect(result.outcome).toBe("ignored");
    expect(standIn.calls).toHaveLength(0);
    expect(await notifications()).toEqual([]);
  });

  it("reports a failure on SNS and fails the invocation when the global cluster is unknown", async () => {
    const { result } = await captureStdout(() =>
      handlerFor("gdb-missing")(alarm, lambdaContext()).then(
        () => "resolved",
        (e: Error) => e.message,
      ),
    );
    expect(result).toMatch(/gdb-missing not found/);
    expect(await notifications()).toEqual([expect.objectContaining({ outcome: "failed" })]);
  });
});
