import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateGlobalClusterCommand,
  DescribeDBInstancesCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import type { FailoverStatus } from "@aws-sdk/client-rds";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  INSTANCE_CREATED_EVENT,
  RESUME_TAG,
  createFailoverHandler,
  decide,
  loadFailoverConfig,
  parseTrigger,
} from "../../functions/lambda/failover.js";
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

  it("adds a writer to a headless target, waits for it, then promotes", () => {
    const members = [
      { DBClusterArn: `arn:aws:rds:${PRIMARY}:123456789012:cluster:p`, IsWriter: true },
      { DBClusterArn: `arn:aws:rds:${SECONDARY}:123456789012:cluster:s`, IsWriter: false },
    ];
    const cluster = { GlobalClusterMembers: members, Status: "available" };
    expect(decide(cluster, SECONDARY, "failover")).toMatchObject({ action: "add-writer", clusterId: "s", instanceId: "s-1" });
    expect(decide(cluster, SECONDARY, "failover", { DBInstanceStatus: "creating" })).toMatchObject({
      action: "wait-for-writer",
      instanceId: "s-1",
    });
    expect(decide(cluster, SECONDARY, "switchover", { DBInstanceStatus: "available" })).toMatchObject({ action: "switchover" });
  });

  it("recognises unplanned requests and the added writer's RDS event", () => {
    expect(parseTrigger({ type: "unplanned", targetRegion: SECONDARY })).toEqual({ kind: "unplanned", targetRegion: SECONDARY });
    expect(() => parseTrigger({ type: "unplanned" })).toThrow(/unplanned failover request: field 'targetRegion'/);
    const created = { "detail-type": "RDS DB Instance Event", detail: { SourceIdentifier: "s-1", EventID: INSTANCE_CREATED_EVENT } };
    expect(parseTrigger(created)).toEqual({ kind: "writer-available", instanceId: "s-1" });
    expect(parseTrigger({ ...created, detail: { SourceIdentifier: "s-1", EventID: "RDS-EVENT-0006" } })).toMatchObject({
      kind: "ignored",
    });
  });

  it("automatic promotion is off unless the variable says true", () => {
    const env = { AWS_REGION: SECONDARY, FAILOVER_TARGET_REGION: SECONDARY, GLOBAL_CLUSTER_ID: GLOBAL };
    const topic = `arn:aws:sns:${SECONDARY}:123456789012:alerts`;
    expect(loadFailoverConfig({ ...env, TOPIC_ARN: topic }).automaticPromotion).toBe(false);
    expect(loadFailoverConfig({ ...env, TOPIC_ARN: topic, AUTOMATIC_PROMOTION: "true" }).automaticPromotion).toBe(true);
    expect(() => loadFailoverConfig({ ...env, TOPIC_ARN: topic, AUTOMATIC_PROMOTION: "yes" })).toThrow(/AUTOMATIC_PROMOTION/);
  });

  it("does nothing while a promotion is pending or the cluster is not available", () => {
    const members = [
      { DBClusterArn: `arn:aws:rds:${PRIMARY}:123456789012:cluster:p`, IsWriter: true },
      { DBClusterArn: `arn:aws:rds:${SECONDARY}:123456789012:cluster:s`, IsWriter: false },
    ];
    const writer = { DBInstanceIdentifier: "s-1", DBInstanceStatus: "available" };
    expect(decide({ GlobalClusterMembers: members, Status: "available" }, SECONDARY, "failover", writer)).toMatchObject({
      action: "failover",
    });
    expect(
      decide({ GlobalClusterMembers: members, Status: "available", FailoverState: { Status: "pending" } }, SECONDARY, "failover"),
    ).toMatchObject({ action: "none" });
    expect(decide({ GlobalClusterMembers: members, Status: "modifying" }, SECONDARY, "switchover")).toMatchObject({ action: "none" });
    expect(() => decide({ GlobalClusterMembers: members }, "eu-west-1", "failover")).toThrow(/no member in eu-west-1/);
  });

  const topic = `arn:aws:sns:us-west-2:123456789012:dr-alerts`;
  const baseEnv = { AWS_REGION: SECONDARY, FAILOVER_TARGET_REGION: SECONDARY, GLOBAL_CLUSTER_ID: GLOBAL, TOPIC_ARN: topic };

  it("config: publishes in the topic's own region, and checks each variable's form", () => {
    expect(loadFailoverConfig(baseEnv)).toEqual({
      region: SECONDARY,
      globalClusterId: GLOBAL,
      failoverTargetRegion: SECONDARY,
      topicArn: topic,
      topicRegion: "us-west-2",
      automaticPromotion: false,
      writerAvailabilityZone: undefined,
    });
    expect(loadFailoverConfig({ ...baseEnv, AUTOMATIC_PROMOTION: "false" }).automaticPromotion).toBe(false);
    const gov = "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts_1";
    expect(loadFailoverConfig({ ...baseEnv, TOPIC_ARN: gov }).topicRegion).toBe("us-gov-west-1");
    expect(loadFailoverConfig({ ...baseEnv, WRITER_AVAILABILITY_ZONE: "us-east-2c" }).writerAvailabilityZone).toBe("us-east-2c");
    for (const zone of ["us-iso-east-1a", "us-isob-east-1b", "us-gov-west-1a"])
      expect(loadFailoverConfig({ ...baseEnv, WRITER_AVAILABILITY_ZONE: zone }).writerAvailabilityZone).toBe(zone);
    expect(loadFailoverConfig({ ...baseEnv, GLOBAL_CLUSTER_ID: `g${"1".repeat(62)}` }).globalClusterId).toHaveLength(63);
    for (const [name, value] of [
      ["TOPIC_ARN", "arn:aws:sqs:us-east-2:123456789012:alerts"],
      ["TOPIC_ARN", "arn:aws:sns:us-east-2:12345678901:alerts"],
      ["TOPIC_ARN", "arn:aws:sns:us-east-2:123456789012:alerts.fifo"],
      ["TOPIC_ARN", `x${topic}`],
      ["TOPIC_ARN", `${topic}/x`],
      ["GLOBAL_CLUSTER_ID", "1gdb"],
      ["GLOBAL_CLUSTER_ID", "gdb_test"],
      ["GLOBAL_CLUSTER_ID", `g${"1".repeat(63)}`],
      ["FAILOVER_TARGET_REGION", "us-east-2b"],
      ["WRITER_AVAILABILITY_ZONE", "us-east-2"],
      ["WRITER_AVAILABILITY_ZONE", "us-east-2bb"],
      ["WRITER_AVAILABILITY_ZONE", "xus-east-2b"],
      ["AUTOMATIC_PROMOTION", "TRUE"],
      ["AUTOMATIC_PROMOTION", "truely"],
      ["AUTOMATIC_PROMOTION", "untrue"],
      ["AUTOMATIC_PROMOTION", "not false"],
      ["WRITER_AVAILABILITY_ZONE", "us-isoxx-east-1a"],
    ]) {
      expect(() => loadFailoverConfig({ ...baseEnv, [name!]: value })).toThrow(new RegExp(`^environment variable ${name} is invalid`));
    }
    // Each message says what the variable should hold.
    for (const [name, value, expected] of [
      ["TOPIC_ARN", "arn:aws:sqs:us-east-2:123456789012:alerts", "an SNS topic ARN"],
      ["GLOBAL_CLUSTER_ID", "1gdb", "an RDS global cluster identifier"],
      ["WRITER_AVAILABILITY_ZONE", "us-east-2", "an availability zone"],
      ["AUTOMATIC_PROMOTION", "yes", "true or false"],
    ]) {
      expect(() => loadFailoverConfig({ ...baseEnv, [name!]: value })).toThrow(`(expected ${expected})`);
    }
  });

  it("takes a planned or unplanned request only with a region for its target", () => {
    expect(parseTrigger({ type: "planned", targetRegion: "us-gov-east-1" })).toEqual({ kind: "planned", targetRegion: "us-gov-east-1" });
    expect(parseTrigger({ type: "unplanned", targetRegion: "us-isob-east-1" })).toEqual({
      kind: "unplanned",
      targetRegion: "us-isob-east-1",
    });
    // The isolated partitions name regions us-iso-east-1 and us-isob-east-1.
    expect(parseTrigger({ type: "planned", targetRegion: "us-iso-east-1" })).toEqual({ kind: "planned", targetRegion: "us-iso-east-1" });
    for (const targetRegion of [2, "us-east-2a", "xus-east-2", "us-east", "US-EAST-2", "us-east-2x", "us-isoxx-east-1"]) {
      expect(() => parseTrigger({ type: "planned", targetRegion })).toThrow(
        "planned failover request: field 'targetRegion' must be an AWS region such as us-east-2",
      );
    }
    expect(() => parseTrigger({ type: "switchover", targetRegion: SECONDARY })).toThrow(/^unrecognised failover event/);
  });

  it("takes only a JSON object as the event", () => {
    for (const event of [null, undefined, [], [{ type: "planned", targetRegion: SECONDARY }], 3, "planned"]) {
      expect(() => parseTrigger(event)).toThrow("failover event must be a JSON object");
    }
  });

  it("reads an EventBridge alarm change: ALARM promotes, any other state is ignored, a missing name is an error", () => {
    const change = (detail: unknown) => ({ "detail-type": "CloudWatch Alarm State Change", detail });
    expect(parseTrigger(change({ alarmName: "db-down", state: { value: "ALARM" } }))).toEqual({
      kind: "alarm",
      alarmName: "db-down",
      via: "eventbridge",
    });
    for (const state of [{ value: "OK" }, { value: "INSUFFICIENT_DATA" }, {}, undefined, ["ALARM"], "ALARM"]) {
      const trigger = parseTrigger(change({ alarmName: "db-down", state }));
      expect(trigger).toMatchObject({ kind: "ignored" });
      expect(trigger.kind === "ignored" && trigger.reason).toContain("db-down");
    }
    for (const detail of [{ state: { value: "ALARM" } }, undefined, [], { alarmName: 7, state: { value: "ALARM" } }]) {
      expect(() => parseTrigger(change(detail))).toThrow("alarm notification via eventbridge has no alarm name");
    }
    expect(() => parseTrigger({ "detail-type": "CloudWatch Alarm State Changed", detail: { alarmName: "a" } })).toThrow(
      /^unrecognised failover event/,
    );
  });

  it("reads an RDS instance event: only the creation event of a named instance resumes", () => {
    const rdsEvent = (detail: unknown) => ({ "detail-type": "RDS DB Instance Event", detail });
    expect(parseTrigger(rdsEvent({ SourceIdentifier: "s-1", EventID: "RDS-EVENT-0005" }))).toEqual({
      kind: "writer-available",
      instanceId: "s-1",
    });
    const other = parseTrigger(rdsEvent({ SourceIdentifier: "s-1", EventID: "RDS-EVENT-0004" }));
    expect(other).toMatchObject({ kind: "ignored" });
    expect(other.kind === "ignored" && other.reason).toContain("RDS-EVENT-0004");
    expect(parseTrigger(rdsEvent({ SourceIdentifier: "s-1" }))).toMatchObject({ kind: "ignored" });
    for (const detail of [{ EventID: "RDS-EVENT-0005" }, { SourceIdentifier: 1, EventID: "RDS-EVENT-0005" }, undefined, []]) {
      expect(() => parseTrigger(rdsEvent(detail))).toThrow("RDS DB Instance Event has no detail.SourceIdentifier");
    }
  });

  it("reads an SNS record: an alarm notification or a request, and nothing else", () => {
    const sns = (...messages: unknown[]) => ({ Records: messages.map((Message) => ({ EventSource: "aws:sns", Sns: { Message } })) });
    expect(parseTrigger(sns(JSON.stringify({ AlarmName: "db-down", NewStateValue: "ALARM" })))).toEqual({
      kind: "alarm",
      alarmName: "db-down",
      via: "sns",
    });
    expect(parseTrigger(sns(JSON.stringify({ AlarmName: "db-down", NewStateValue: "OK" })))).toMatchObject({ kind: "ignored" });
    expect(parseTrigger(sns(JSON.stringify({ type: "unplanned", targetRegion: SECONDARY })))).toEqual({
      kind: "unplanned",
      targetRegion: SECONDARY,
    });
    expect(() => parseTrigger(sns(JSON.stringify({ NewStateValue: "ALARM" })))).toThrow("alarm notification via sns has no alarm name");
    const one = "SNS event must carry exactly one record with a Message";
    expect(() => parseTrigger({ Records: [] })).toThrow(one);
    expect(() => parseTrigger(sns("{}", "{}"))).toThrow(one);
    expect(() => parseTrigger(sns({ AlarmName: "db-down" }))).toThrow(one);
    expect(() => parseTrigger({ Records: [{ Sns: null }] })).toThrow(one);
    expect(() => parseTrigger({ Records: [null] })).toThrow(one);
    const json = "SNS message must be JSON: a CloudWatch alarm notification or a failover request";
    for (const message of ["not json", "[1]", "null", '"ALARM"']) expect(() => parseTrigger(sns(message))).toThrow(json);
  });

  describe("decisions", () => {
    const primaryArn = `arn:aws:rds:${PRIMARY}:123456789012:cluster:p`;
    const secondaryArn = `arn:aws:rds:${SECONDARY}:123456789012:cluster:s`;
    const members = [
      { DBClusterArn: primaryArn, IsWriter: true },
      { DBClusterArn: secondaryArn, IsWriter: false },
    ];
    const available = { DBInstanceIdentifier: "s-1", DBInstanceStatus: "available" };

    it("promotes an available writer in the mode asked for, naming the old writer", () => {
      const cluster = { GlobalClusterIdentifier: GLOBAL, GlobalClusterMembers: members, Status: "available" };
      expect(decide(cluster, SECONDARY, "failover", available)).toEqual({
        action: "failover",
        targetArn: secondaryArn,
        writerArn: primaryArn,
        reason: `promoting ${SECONDARY}`,
      });
      expect(decide(cluster, SECONDARY, "switchover", available)).toMatchObject({ action: "switchover", writerArn: primaryArn });
      // RDS may not report a status while it is settling: no status is no reason to wait.
      expect(decide({ GlobalClusterMembers: members }, SECONDARY, "failover", available)).toMatchObject({ action: "failover" });
      // A global cluster whose writer is gone (the region lost) still promotes the target.
      const orphan = { GlobalClusterMembers: [{ DBClusterArn: secondaryArn, IsWriter: false }], Status: "available" };
      expect(decide(orphan, SECONDARY, "failover", available)).toEqual({
        action: "failover",
        targetArn: secondaryArn,
        writerArn: undefined,
        reason: `promoting ${SECONDARY}`,
      });
    });

    it("adds the writer `<cluster>-1` to a headless target, and waits for one not yet available", () => {
      const cluster = { GlobalClusterMembers: members, Status: "available" };
      expect(decide(cluster, SECONDARY, "failover")).toEqual({
        action: "add-writer",
        targetArn: secondaryArn,
        clusterId: "s",
        instanceId: "s-1",
        reason: expect.stringContaining("s"),
      });
      const colons = [members[0]!, { DBClusterArn: `arn:aws:rds:${SECONDARY}:123456789012:cluster:a:b`, IsWriter: false }];
      expect(decide({ GlobalClusterMembers: colons }, SECONDARY, "failover")).toMatchObject({ clusterId: "a:b", instanceId: "a:b-1" });
      const waiting = decide(cluster, SECONDARY, "failover", { DBInstanceStatus: "backing-up" });
      expect(waiting).toEqual({
        action: "wait-for-writer",
        targetArn: secondaryArn,
        instanceId: "s-1",
        reason: expect.stringContaining("backing-up"),
      });
      expect(decide(cluster, SECONDARY, "failover", {})).toMatchObject({
        action: "wait-for-writer",
        reason: expect.stringContaining("unknown"),
      });
    });

    it("does nothing when the target writes already, a promotion runs, or the global cluster is busy, and says which", () => {
      const cluster = { GlobalClusterMembers: members, Status: "available" };
      expect(decide(cluster, PRIMARY, "failover", available)).toEqual({
        action: "none",
        reason: `${PRIMARY} is already the writer`,
        targetArn: primaryArn,
        writerArn: primaryArn,
      });
      // The SDK's type lacks "switching-over", which RDS reports during a switchover.
      for (const status of ["pending", "failing-over", "switching-over", "cancelling"]) {
        expect(decide({ ...cluster, FailoverState: { Status: status as FailoverStatus } }, SECONDARY, "failover", available)).toEqual({
          action: "none",
          reason: expect.stringContaining(status),
          targetArn: secondaryArn,
          writerArn: primaryArn,
        });
      }
      expect(decide({ ...cluster, Status: "modifying" }, SECONDARY, "failover", available)).toEqual({
        action: "none",
        reason: expect.stringContaining("modifying"),
        targetArn: secondaryArn,
        writerArn: primaryArn,
      });
      const noWriter = { GlobalClusterMembers: [members[1]!], Status: "modifying" };
      expect(decide(noWriter, SECONDARY, "failover")).not.toHaveProperty("writerArn");
    });

    it("refuses a target that is not a member, naming the global cluster and the region", () => {
      expect(() => decide({ GlobalClusterIdentifier: GLOBAL }, SECONDARY, "failover")).toThrow(
        `global cluster ${GLOBAL} has no member in ${SECONDARY}`,
      );
      expect(() => decide({ GlobalClusterIdentifier: GLOBAL, GlobalClusterMembers: [{ IsWriter: false }] }, SECONDARY, "failover")).toThrow(
        /has no member in/,
      );
    });
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

  const rds = (region: string) => new RDSClient({ region, endpoint: moto.endpoint });

  /**
   * A global cluster whose first member (the writer) is in `writerRegion`; the other member has a
   * reader instance (warm standby) or none (pilot light).
   */
  async function globalCluster(id: string, writerRegion: string, readerRegion: string, readerInstance = true): Promise<void> {
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
    if (readerInstance) {
      await rds(readerRegion).send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: `${id}-${readerRegion}-1`,
          DBClusterIdentifier: `${id}-${readerRegion}`,
          Engine: "aurora-postgresql",
          DBInstanceClass: "db.serverless",
        }),
      );
    }
  }

  beforeEach(async () => {
    await moto.reset();
    standIn.reset();
    await globalCluster(GLOBAL, PRIMARY, SECONDARY);
    await globalCluster("gdb-headless", PRIMARY, SECONDARY, false);
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

  const handlerFor = (globalClusterId = GLOBAL, automatic = true) =>
    createFailoverHandler({
      AWS_REGION: SECONDARY,
      GLOBAL_CLUSTER_ID: globalClusterId,
      FAILOVER_TARGET_REGION: SECONDARY,
      TOPIC_ARN: topicArn,
      AUTOMATIC_PROMOTION: String(automatic),
      WRITER_AVAILABILITY_ZONE: `${SECONDARY}b`,
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
    detail: { alarmName: "primary-database-down-test01", state: { value: "ALARM" } },
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

  it("without the claim's opt-in an alarm pages with the command to run and promotes nothing", async () => {
    const { result } = await captureStdout(() => handlerFor(GLOBAL, false)(alarm, lambdaContext("failover")));
    expect(result).toMatchObject({ outcome: "paged", targetRegion: SECONDARY });
    expect(standIn.calls).toEqual([]);
    expect(await notifications()).toEqual([
      expect.objectContaining({ outcome: "paged", action: expect.stringMatching(/^drctl failover --unplanned /) }),
    ]);
  });

  it("with the opt-in an alarm fails over to the secondary with data loss allowed and says so on SNS", async () => {
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

  it("pilot light: adds the composition's writer to the headless secondary, then promotes on its RDS event", async () => {
    const handler = handlerFor("gdb-headless", false);
    const request = { type: "unplanned", targetRegion: SECONDARY };
    const { result: first } = await captureStdout(() => handler(request, lambdaContext()));
    const writerId = `gdb-headless-${SECONDARY}-1`;
    expect(first).toMatchObject({ outcome: "adding-writer", mode: "failover", decision: { instanceId: writerId } });
    expect(standIn.calls).toEqual([]);
    const [writer] = (await rds(SECONDARY).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: writerId }))).DBInstances!;
    expect(writer).toMatchObject({
      DBClusterIdentifier: `gdb-headless-${SECONDARY}`,
      DBInstanceClass: "db.serverless",
      AvailabilityZone: `${SECONDARY}b`,
      Engine: "aurora-postgresql",
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      PromotionTier: 0,
    });
    expect(writer!.TagList).toContainEqual({ Key: RESUME_TAG, Value: "failover" });

    const created = { "detail-type": "RDS DB Instance Event", detail: { SourceIdentifier: writerId, EventID: INSTANCE_CREATED_EVENT } };
    const { result: second } = await captureStdout(() => handler(created, lambdaContext()));
    expect(second).toMatchObject({ outcome: "started", mode: "failover" });
    expect(standIn.calls).toEqual([
      {
        action: "FailoverGlobalCluster",
        globalClusterId: "gdb-headless",
        target: `arn:aws:rds:${SECONDARY}:123456789012:cluster:gdb-headless-${SECONDARY}`,
        allowDataLoss: true,
      },
    ]);
    expect((await notifications()).map((n) => n["outcome"])).toEqual(["adding-writer", "started"]);
  });

  it("ignores the creation event of an instance it did not add", async () => {
    const created = {
      "detail-type": "RDS DB Instance Event",
      detail: { SourceIdentifier: `${GLOBAL}-${SECONDARY}-1`, EventID: INSTANCE_CREATED_EVENT },
    };
    const { result } = await captureStdout(() => handlerFor()(created, lambdaContext()));
    expect(result.outcome).toBe("ignored");
    expect(standIn.calls).toHaveLength(0);
  });

  it.each([
    ["switchover", "planned", "SwitchoverGlobalCluster"],
    ["failover", "unplanned", "FailoverGlobalCluster"],
  ])("resumes a %s from the tag of the writer it added, whichever mode the creation event finds", async (mode, type, action) => {
    const handler = handlerFor("gdb-headless", false);
    const { result: first } = await captureStdout(() => handler({ type, targetRegion: SECONDARY }, lambdaContext()));
    expect(first).toMatchObject({ outcome: "adding-writer", mode });
    const writerId = `gdb-headless-${SECONDARY}-1`;
    const created = { "detail-type": "RDS DB Instance Event", detail: { SourceIdentifier: writerId, EventID: INSTANCE_CREATED_EVENT } };
    const { result: second } = await captureStdout(() => handler(created, lambdaContext()));
    expect(second).toMatchObject({ outcome: "started", mode });
    expect(standIn.calls.map((c) => c.action)).toEqual([action]);
  });

  it("ignores the creation event of a writer whose resume tag names no promotion", async () => {
    const writerId = `gdb-headless-${SECONDARY}-1`;
    await rds(SECONDARY).send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: writerId,
        DBClusterIdentifier: `gdb-headless-${SECONDARY}`,
        Engine: "aurora-postgresql",
        DBInstanceClass: "db.serverless",
        Tags: [{ Key: RESUME_TAG, Value: "add-writer" }],
      }),
    );
    const created = { "detail-type": "RDS DB Instance Event", detail: { SourceIdentifier: writerId, EventID: INSTANCE_CREATED_EVENT } };
    const { result } = await captureStdout(() => handlerFor("gdb-headless")(created, lambdaContext()));
    expect(result.outcome).toBe("ignored");
    expect(standIn.calls).toEqual([]);
  });

  it("keeps its SNS subject within SNS's 100 characters for the longest global cluster id, so the page is sent", async () => {
    const longest = `g${"1".repeat(62)}`;
    const direct = new SNSClient({ region: PRIMARY, endpoint: moto.endpoint, maxAttempts: 1 });
    // moto refuses a longer subject, as SNS does.
    await expect(direct.send(new PublishCommand({ TopicArn: topicArn, Subject: "s".repeat(101), Message: "{}" }))).rejects.toThrow();
    direct.destroy();
    const { result } = await captureStdout(() => handlerFor(longest, false)(alarm, lambdaContext("failover")));
    expect(result.outcome).toBe("paged");
    expect(await notifications()).toEqual([expect.objectContaining({ outcome: "paged", globalClusterId: longest })]);
  });

  it("signs every RDS call for the region being promoted, not for the Lambda's own region", async () => {
    // The orchestrator runs in the primary here: the region an unplanned failover leaves behind.
    const inPrimary = createFailoverHandler({
      AWS_REGION: PRIMARY,
      GLOBAL_CLUSTER_ID: GLOBAL,
      FAILOVER_TARGET_REGION: SECONDARY,
      TOPIC_ARN: topicArn,
      AUTOMATIC_PROMOTION: "true",
      WRITER_AVAILABILITY_ZONE: `${SECONDARY}b`,
    });
    await captureStdout(() => inPrimary(alarm, lambdaContext()));
    expect(standIn.signed.map((c) => c.action)).toContain("FailoverGlobalCluster");
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

  it.each([
    ["a promotion already running", "FailoverGlobalCluster", "InvalidGlobalClusterStateFault", GLOBAL],
    ["the writer already added", "CreateDBInstance", "DBInstanceAlreadyExists", "gdb-headless"],
    ["the writer already added (fault code)", "CreateDBInstance", "DBInstanceAlreadyExistsFault", "gdb-headless"],
  ])("takes RDS refusing for %s as another invocation's work under way: skipped, not failed", async (_what, action, code, id) => {
    standIn.refusals.set(action, code);
    const { result } = await captureStdout(() => handlerFor(id)({ type: "unplanned", targetRegion: SECONDARY }, lambdaContext()));
    // The SDK names the exception for RDS's wire code DBInstanceAlreadyExists DBInstanceAlreadyExistsFault.
    expect(result).toMatchObject({
      outcome: "skipped",
      decision: { action: "none", reason: expect.stringMatching(new RegExp(`^RDS reports ${code}(Fault)?: already under way$`)) },
    });
    expect((await notifications()).map((n) => n["outcome"])).toEqual(["skipped"]);
  });

  it("fails the invocation and pages when RDS refuses a promotion for any other reason", async () => {
    standIn.refusals.set("FailoverGlobalCluster", "InvalidParameterCombination");
    const { result, lines } = await captureStdout(() =>
      handlerFor()({ type: "unplanned", targetRegion: SECONDARY }, lambdaContext()).then(
        () => "resolved",
        (err: Error) => err.name,
      ),
    );
    expect(result).toBe("InvalidParameterCombination");
    expect(lines).toContainEqual(expect.objectContaining({ level: "ERROR", msg: "failover failed", targetRegion: SECONDARY }));
    expect(await notifications()).toEqual([
      expect.objectContaining({ outcome: "failed", targetRegion: SECONDARY, globalClusterId: GLOBAL }),
    ]);
    expect(standIn.calls).toEqual([]);
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
