/**
 * Drills: each tier's regional outage played end to end against the emulators, on the names and
 * ARNs of the environment's own settled render. moto serves RDS, SNS and SQS; the labelled RDS
 * promotion stand-in answers the two promotion calls moto lacks and plays the outage of a
 * region's RDS endpoint; dynalite and s3rver hold the table and buckets the canary reads. The
 * handlers are the real ones; drctl's unplanned failover goes through the AWS SDK's Lambda client.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetBucketReplicationCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  S3Client,
  type ReplicationRule,
} from "@aws-sdk/client-s3";
import { LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateGlobalClusterCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Claim } from "../../functions/src/render.js";
import { createDrCheckHandler, CANARY_KEY } from "../../functions/lambda/dr-check.js";
import { createFailoverHandler, type FailoverResult } from "../../functions/lambda/failover.js";
import { validateSpec } from "../../src/api/index.js";
import { awsName, ownerId } from "../../src/naming.js";
import { recoveryObjectives, type Step } from "../../src/recovery.js";
import { externalName, forProvider, settle, type Manifest, type Resources } from "../../tools/policy/index.js";
import { unplannedFailover } from "../../tools/drctl/drctl.js";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials } from "../lambda/support/emulators.js";
import type { Emulator } from "../lambda/support/emulators.js";
import { captureStdout, lambdaContext } from "../lambda/support/lambda-context.js";
import { MOTO_SETUP_TIMEOUT_MS, describeWithMoto, startMoto, type Moto } from "../lambda/support/moto.js";
import { RdsPromotionStandIn } from "../lambda/support/rds-promotion-standin.js";
import { alarmState, LambdaInvokeStandIn, matches } from "./support.js";

const ROOT = new URL("../..", import.meta.url).pathname;

function exampleClaim(tier: string, failover: Record<string, unknown> = {}): Claim {
  const claim = parse(readFileSync(`${ROOT}/examples/${tier}.yaml`, "utf8")) as Claim & { spec: Record<string, any> };
  return {
    ...claim,
    metadata: { uid: `uid-drill-${tier}`, ...claim.metadata },
    spec: { ...claim.spec, failover: { ...claim.spec.failover, ...failover } },
  } as Claim;
}

async function settled(claim: Claim): Promise<Resources> {
  const out = await settle(claim);
  if (out.fatal) throw new Error(out.fatal);
  return out.resources;
}

const name = (r: Resources, key: string): string => {
  const m = r[key];
  if (!m) throw new Error(`the settled render has no ${key}`);
  return externalName(m) ?? forProvider(m)["name"];
};
const variables = (m: Manifest): Record<string, string> => forProvider(m)["environment"]["variables"];
const OUTCOME_STEP: Partial<Record<FailoverResult["outcome"], Step>> = {
  paged: "detect",
  "adding-writer": "add-writer",
  started: "promote",
};

describeWithMoto("drills: a regional outage of the primary, played end to end per tier", () => {
  let moto: Moto;
  let rdsStandIn: RdsPromotionStandIn;
  let ddb: Emulator;
  let s3: Emulator & { directory: string };
  let sqs: SQSClient;

  beforeAll(async () => {
    useTestCredentials();
    moto = await startMoto();
    rdsStandIn = new RdsPromotionStandIn(moto.endpoint);
    await rdsStandIn.start();
    [ddb, s3] = await Promise.all([startDynalite(), startS3rver([])]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_RDS: rdsStandIn.endpoint,
      AWS_ENDPOINT_URL_SNS: moto.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    });
    sqs = new SQSClient({ region: "us-east-1", endpoint: moto.endpoint });
  }, MOTO_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    sqs?.destroy();
    await Promise.all([rdsStandIn?.stop(), moto?.stop(), ddb?.stop(), s3?.stop()]);
    if (s3) removeDir(s3.directory);
  });

  beforeEach(async () => {
    await moto.reset();
    rdsStandIn.reset();
  });

  /** The environment as AWS would hold it after the settled render: names from the render, state in the emulators. */
  async function provision(r: Resources) {
    const primary = forProvider(r["primary-aurora-cluster"]!)["region"] as string;
    const secondary = forProvider(r["secondary-aurora-cluster"]!)["region"] as string;
    const rds = (region: string) => new RDSClient({ region, endpoint: moto.endpoint });
    const globalId = name(r, "primary-aurora-global-cluster");
    await rds(primary).send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: globalId, Engine: "aurora-postgresql" }));
    for (const [role, region] of [
      ["primary", primary],
      ["secondary", secondary],
    ] as const) {
      await rds(region).send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: name(r, `${role}-aurora-cluster`),
          Engine: "aurora-postgresql",
          GlobalClusterIdentifier: globalId,
          ...(role === "primary" ? { MasterUsername: "dradmin", MasterUserPassword: "emulator-only-password" } : {}),
        }),
      );
      for (const key of Object.keys(r).filter((k) => k.startsWith(`${role}-aurora-instance-`))) {
        await rds(region).send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: name(r, key),
            DBClusterIdentifier: name(r, `${role}-aurora-cluster`),
            Engine: "aurora-postgresql",
            DBInstanceClass: forProvider(r[key]!)["instanceClass"],
            AvailabilityZone: forProvider(r[key]!)["availabilityZone"],
          }),
        );
      }
    }
    // The alert topic the orchestrator publishes to, with an inbox to read what it said.
    const sns = new SNSClient({ region: secondary, endpoint: moto.endpoint });
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: name(r, "secondary-alerts-topic") }))).TopicArn!;
    const inbox = (await sqs.send(new CreateQueueCommand({ QueueName: "drill-inbox" }))).QueueUrl!;
    const inboxArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox, AttributeNames: ["QueueArn"] }))).Attributes![
      "QueueArn"
    ]!;
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: inboxArn, Attributes: { RawMessageDelivery: "true" } }),
    );
    sns.destroy();
    // The canary's table and buckets, by their settled names.
    const drCheck = (role: string) => variables(r[`${role}-function-dr-check`]!);
    await createTable(ddb.endpoint, drCheck("primary")["TABLE_NAME"]!).catch(() => undefined);
    const s3c = new S3Client({ region: primary, endpoint: s3.endpoint, forcePathStyle: true });
    for (const role of ["primary", "secondary"]) {
      await s3c.send(new CreateBucketCommand({ Bucket: drCheck(role)["BUCKET_NAME"]! })).catch(() => undefined);
    }
    const notifications = async (): Promise<string[]> => {
      const out: string[] = [];
      for (;;) {
        const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!res.Messages?.length) return out;
        out.push(...res.Messages.map((m) => (JSON.parse(m.Body!) as { outcome: string }).outcome));
      }
    };
    const handler = (role: "primary" | "secondary", fn: string, extra: Record<string, string> = {}) => ({
      ...variables(r[`${role}-function-${fn}`]!),
      AWS_REGION: role === "primary" ? primary : secondary,
      ...extra,
    });
    const orchestratorName = name(r, "secondary-function-failover");
    const orchestrator = createFailoverHandler(handler("secondary", "failover", { TOPIC_ARN: topicArn }));
    /** Plays S3 replication of the canary object into the secondary's bucket (s3rver does not replicate). */
    const replicateCanary = () =>
      s3c.send(
        new CopyObjectCommand({
          Bucket: drCheck("secondary")["BUCKET_NAME"]!,
          Key: CANARY_KEY,
          CopySource: `${drCheck("primary")["BUCKET_NAME"]!}/${CANARY_KEY}`,
        }),
      );
    return {
      primary,
      secondary,
      globalId,
      orchestratorName,
      orchestrator,
      notifications,
      replicateCanary,
      primaryCheck: createDrCheckHandler(handler("primary", "dr-check")),
      secondaryCheck: createDrCheckHandler(handler("secondary", "dr-check", { DEPENDENCY_TIMEOUT_MS: "2000" })),
      writer: async (region: string) =>
        // Through the stand-in: it reports the promotions it completed.
        (
          await new RDSClient({ region, endpoint: rdsStandIn.endpoint }).send(
            new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalId }),
          )
        ).GlobalClusters![0]!.GlobalClusterMembers!.find((m) => m.IsWriter)?.DBClusterArn,
      clusterArn: (role: "primary" | "secondary") =>
        `arn:aws:rds:${role === "primary" ? primary : secondary}:123456789012:cluster:${name(r, `${role}-aurora-cluster`)}`,
    };
  }

  type Env = Awaited<ReturnType<typeof provision>>;

  /** The canary's minutes during the outage: returns the PrimaryDatabaseAvailable data points it emitted. */
  async function outageMinutes(env: Env, minutes: number): Promise<number[]> {
    const points: number[] = [];
    for (let i = 0; i < minutes; i++) {
      const { lines } = await captureStdout(() => env.secondaryCheck({}, lambdaContext("dr-check")));
      for (const l of lines)
        if ("_aws" in l && typeof l["PrimaryDatabaseAvailable"] === "number") points.push(l["PrimaryDatabaseAvailable"]);
    }
    return points;
  }

  /** The primary-down alarm of the settled render, judged on the canary's data points, and the event it raises. */
  function primaryDownEvent(r: Resources, points: number[]) {
    const alarm = r["secondary-alarm-primary-database-down"]!;
    const spec = forProvider(alarm);
    expect(spec["metricName"]).toBe("PrimaryDatabaseAvailable");
    const state = alarmState(spec as never, points);
    const event = {
      source: "aws.cloudwatch",
      "detail-type": "CloudWatch Alarm State Change",
      detail: { alarmName: name(r, "secondary-alarm-primary-database-down"), state: { value: state } },
    };
    return { state, event, routed: matches(JSON.parse(forProvider(r["secondary-rule-primary-health-alarm"]!)["eventPattern"]), event) };
  }

  const invoke = (env: Env, event: unknown) =>
    captureStdout(() => env.orchestrator(event, lambdaContext(env.orchestratorName))).then((c) => c.result);

  it("pilot light, unplanned (no opt-in): the canary alarms after 5 minutes, a person runs drctl, a writer is added, then promoted", async () => {
    const claim = exampleClaim("pilot-light");
    const r = await settled(claim);
    expect(Object.keys(r).filter((k) => k.startsWith("secondary-aurora-instance-"))).toEqual([]);
    const env = await provision(r);
    await captureStdout(() => env.primaryCheck({}, lambdaContext()));
    await env.replicateCanary();
    rdsStandIn.log.length = 0;

    // The outage: the primary region's RDS endpoint stops answering.
    rdsStandIn.down.add(env.primary);
    const points = await outageMinutes(env, 5);
    expect(points).toEqual([0, 0, 0, 0, 0]);
    expect(primaryDownEvent(r, points.slice(0, 4)).state).toBe("OK"); // four minutes are not sustained
    const down = primaryDownEvent(r, points);
    expect(down).toMatchObject({ state: "ALARM", routed: true });

    const steps: Step[] = [];
    const paged = await invoke(env, down.event);
    expect(paged).toMatchObject({ outcome: "paged" });
    steps.push(OUTCOME_STEP[paged.outcome]!);

    // The on-call runs drctl with their AWS credentials; nothing here needs the cluster.
    const owner = ownerId({ namespace: claim.metadata!.namespace!, name: claim.metadata!.name! });
    expect(awsName("failover", { suffix: claim.spec!["environmentSuffix"] as string, owner, region: env.secondary })).toBe(
      env.orchestratorName,
    );
    const lambda = new LambdaInvokeStandIn({ [env.orchestratorName]: (e, c) => env.orchestrator(e, c) });
    await lambda.start();
    try {
      const client = new LambdaClient({ region: env.secondary, endpoint: lambda.endpoint });
      const { result: said } = await captureStdout(() =>
        unplannedFailover({ functionName: env.orchestratorName, region: env.secondary }, client),
      );
      expect(said[0]).toBe(`${env.orchestratorName} in ${env.secondary}: adding-writer`);
      client.destroy();
    } finally {
      await lambda.stop();
    }
    steps.push("add-writer");

    // The writer's creation event, routed by the settled rule, resumes the promotion.
    const writerId = JSON.parse(forProvider(r["secondary-rule-writer-created"]!)["eventPattern"]).detail.SourceIdentifier[0] as string;
    const created = {
      source: "aws.rds",
      "detail-type": "RDS DB Instance Event",
      detail: { SourceIdentifier: writerId, EventID: "RDS-EVENT-0005" },
    };
    expect(matches(JSON.parse(forProvider(r["secondary-rule-writer-created"]!)["eventPattern"]), created)).toBe(true);
    const promoted = await invoke(env, created);
    expect(promoted).toMatchObject({ outcome: "started", mode: "failover", decision: { targetArn: env.clusterArn("secondary") } });
    steps.push(OUTCOME_STEP[promoted.outcome]!);

    // The orchestrator's RDS calls, in order, all to the surviving region.
    const orchestratorCalls = rdsStandIn.log.filter((c) => c.action !== "DescribeDBClusters");
    expect(orchestratorCalls.map((c) => c.action)).toEqual([
      "DescribeGlobalClusters",
      "DescribeDBInstances",
      "CreateDBInstance",
      "DescribeGlobalClusters",
      "DescribeDBInstances",
      "FailoverGlobalCluster",
    ]);
    expect(new Set(orchestratorCalls.map((c) => c.region))).toEqual(new Set([env.secondary]));
    expect(rdsStandIn.calls).toEqual([
      { action: "FailoverGlobalCluster", globalClusterId: env.globalId, target: env.clusterArn("secondary"), allowDataLoss: true },
    ]);
    expect(await env.notifications()).toEqual(["paged", "adding-writer", "started"]);

    // The steps are the ones the recovery model counts (DNS follows on its own health checks).
    const model = recoveryObjectives(validateSpec(claim.spec))
      .terms.map((t) => t.step)
      .filter((s) => s !== "dns");
    expect(steps).toEqual(model);

    // End state: the survivor writes, and the claim catching up adopts the added writer unchanged.
    rdsStandIn.complete(env.globalId);
    expect(await env.writer(env.secondary)).toBe(env.clusterArn("secondary"));
    const caughtUp = await settled(exampleClaim("pilot-light", { activeRegion: "secondary" }));
    expect(name(caughtUp, "secondary-aurora-instance-1")).toBe(writerId);
    expect(forProvider(caughtUp["secondary-aurora-instance-1"]!)["availabilityZone"]).toBe(
      variables(r["secondary-function-failover"]!)["WRITER_AVAILABILITY_ZONE"],
    );
    // The pilot-light example names no team DNS: clients switch between the per-region URLs.
    expect(caughtUp["secondary-failover-alias"]).toBeUndefined();
    // Its declarative switchover finds the survivor writing already and promotes nothing more.
    const again = await invoke(env, JSON.parse(forProvider(caughtUp["secondary-switchover-to-secondary"]!)["input"]));
    expect(again).toMatchObject({ outcome: "skipped" });

    // Failback once the primary region is back: a planned switchover from the claim.
    rdsStandIn.down.delete(env.primary);
    const back = await settled(exampleClaim("pilot-light", { activeRegion: "primary" }));
    const failback = await invoke(env, JSON.parse(forProvider(back["secondary-switchover-to-primary"]!)["input"]));
    expect(failback).toMatchObject({ outcome: "started", mode: "switchover", decision: { targetArn: env.clusterArn("primary") } });
    rdsStandIn.complete(env.globalId);
    expect(await env.writer(env.primary)).toBe(env.clusterArn("primary"));
  });

  it("warm standby, us-east-1 down, automatic promotion on: the secondary promotes itself after 5 sustained minutes", async () => {
    const claim = exampleClaim("warm-standby", { automaticPromotion: true });
    const r = await settled(claim);
    const env = await provision(r);
    expect(env.primary).toBe("us-east-1");
    expect(variables(r["secondary-function-failover"]!)["AUTOMATIC_PROMOTION"]).toBe("true");
    await captureStdout(() => env.primaryCheck({}, lambdaContext()));
    await env.replicateCanary();
    rdsStandIn.log.length = 0;

    rdsStandIn.down.add("us-east-1");
    const points = await outageMinutes(env, 5);
    const down = primaryDownEvent(r, points);
    expect(down).toMatchObject({ state: "ALARM", routed: true });
    const result = await invoke(env, down.event);
    expect(result).toMatchObject({ outcome: "started", mode: "failover", decision: { targetArn: env.clusterArn("secondary") } });
    const orchestratorCalls = rdsStandIn.log.filter((c) => c.action !== "DescribeDBClusters");
    expect(orchestratorCalls.map((c) => c.action)).toEqual(["DescribeGlobalClusters", "DescribeDBInstances", "FailoverGlobalCluster"]);
    expect(orchestratorCalls.every((c) => c.region === env.secondary)).toBe(true);
    const model = recoveryObjectives(validateSpec(claim.spec))
      .terms.map((t) => t.step)
      .filter((s) => s !== "dns");
    expect(["detect", OUTCOME_STEP[result.outcome]]).toEqual(model);
    rdsStandIn.complete(env.globalId);
    expect(await env.writer(env.secondary)).toBe(env.clusterArn("secondary"));
    expect(await env.notifications()).toEqual(["started"]);
  });

  it("warm standby, planned switchover and failback from the claim's activeRegion, without data loss", async () => {
    const env = await provision(await settled(exampleClaim("warm-standby")));
    for (const [to, role] of [
      ["secondary", "secondary"],
      ["primary", "primary"],
    ] as const) {
      const r = await settled(exampleClaim("warm-standby", { activeRegion: to }));
      const input = JSON.parse(forProvider(r[`secondary-switchover-to-${to}`]!)["input"]);
      const result = await invoke(env, input);
      expect(result).toMatchObject({ outcome: "started", mode: "switchover", decision: { targetArn: env.clusterArn(role) } });
      expect(rdsStandIn.complete(env.globalId)).toMatchObject({ action: "SwitchoverGlobalCluster", allowDataLoss: undefined });
      expect(await env.writer(env.secondary)).toBe(env.clusterArn(role));
      expect(forProvider(r[`${role}-failover-alias`]!)["failoverRoutingPolicy"].type).toBe("PRIMARY");
    }
  });

  it("a short blip does not promote: fewer than 5 failed minutes leave the alarm OK", async () => {
    const r = await settled(exampleClaim("warm-standby", { automaticPromotion: true }));
    const env = await provision(r);
    rdsStandIn.down.add(env.primary);
    const blip = await outageMinutes(env, 2);
    rdsStandIn.down.delete(env.primary);
    const recovered = await outageMinutes(env, 3);
    expect([...blip, ...recovered]).toEqual([0, 0, 1, 1, 1]);
    expect(primaryDownEvent(r, [...blip, ...recovered]).state).toBe("OK");
  });

  /** A rendered replication rule as S3's API takes it: the provider resolves the destination bucket to its ARN. */
  function s3Rule(rule: Record<string, any>, destinationBucket: string): ReplicationRule {
    return {
      ID: rule["id"],
      Status: rule["status"],
      Priority: rule["priority"],
      Filter: { Prefix: "" },
      DeleteMarkerReplication: { Status: rule["deleteMarkerReplication"].status },
      SourceSelectionCriteria: {
        SseKmsEncryptedObjects: { Status: rule["sourceSelectionCriteria"].sseKmsEncryptedObjects.status },
        ReplicaModifications: { Status: rule["sourceSelectionCriteria"].replicaModifications.status },
      },
      Destination: {
        Bucket: `arn:aws:s3:::${destinationBucket}`,
        StorageClass: rule["destination"].storageClass,
        EncryptionConfiguration: { ReplicaKmsKeyID: rule["destination"].encryptionConfiguration.replicaKmsKeyId },
        ReplicationTime: {
          Status: rule["destination"].replicationTime.status,
          Time: { Minutes: rule["destination"].replicationTime.time.minutes },
        },
        Metrics: {
          Status: rule["destination"].metrics.status,
          EventThreshold: { Minutes: rule["destination"].metrics.eventThreshold.minutes },
        },
      },
    };
  }

  it.each(["pilot-light", "warm-standby"])(
    "%s, after a failover: the survivor's bucket replicates back to the primary's, on versioned buckets, with replica modification sync",
    async (tier) => {
      const r = await settled(exampleClaim(tier));
      const bucket = (role: string) => name(r, `${role}-bucket`);
      const region = (role: string) => forProvider(r[`${role}-bucket`]!)["region"] as string;
      const client = (role: string) => new S3Client({ region: region(role), endpoint: moto.endpoint, forcePathStyle: true });
      const roles = ["primary", "secondary"] as const;
      for (const role of roles) {
        const c = client(role);
        await c.send(
          new CreateBucketCommand({
            Bucket: bucket(role),
            ...(region(role) === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region(role) as never } }),
          }),
        );
        // S3 refuses a replication configuration on a bucket without versioning.
        const versioning = forProvider(r[`${role}-bucket-versioning`]!)["versioningConfiguration"];
        await c.send(new PutBucketVersioningCommand({ Bucket: bucket(role), VersioningConfiguration: { Status: versioning.status } }));
        c.destroy();
      }
      for (const [from, to] of [
        ["primary", "secondary"],
        ["secondary", "primary"],
      ] as const) {
        const replication = forProvider(r[`${from}-bucket-replication`]!);
        expect(replication["region"]).toBe(region(from));
        expect(replication["rule"][0].destination.bucketSelector.matchLabels["dr.platform.io/region-role"]).toBe(to);
        const role = `arn:aws:iam::123456789012:role/${name(r, `${from}-replication-role`)}`;
        const c = client(from);
        await c.send(
          new PutBucketReplicationCommand({
            Bucket: bucket(from),
            ReplicationConfiguration: { Role: role, Rules: replication["rule"].map((rule: never) => s3Rule(rule, bucket(to))) },
          }),
        );
        const held = (await c.send(new GetBucketReplicationCommand({ Bucket: bucket(from) }))).ReplicationConfiguration!;
        c.destroy();
        expect(held.Role).toBe(role);
        expect(held.Rules![0]).toMatchObject({
          ID: `replicate-all-to-${to}`,
          Status: "Enabled",
          Destination: { Bucket: `arn:aws:s3:::${bucket(to)}` },
        });
        // moto answers a fixed DeleteMarkerReplication and drops SourceSelectionCriteria: those are read from the render.
        expect(replication["rule"][0]).toMatchObject({
          deleteMarkerReplication: { status: "Enabled" },
          sourceSelectionCriteria: { replicaModifications: { status: "Enabled" } },
        });
        // The destination key is the destination region's own.
        expect(held.Rules![0]!.Destination!.EncryptionConfiguration!.ReplicaKmsKeyID).toMatch(new RegExp(`^arn:aws:kms:${region(to)}:`));
      }
    },
  );

  it("backup-restore with a backup region, the primary region lost: every recovery point of its data stores has a copy in the backup region's own vault", async () => {
    const claim = exampleClaim("backup-restore");
    const backupRegion = "us-east-2";
    const out = await settle({ ...claim, spec: { ...claim.spec, secondaryRegion: backupRegion } } as Claim);
    expect(out.fatal).toBeUndefined();
    const r = out.resources;
    const observedArn = (key: string) => (out.observed[key]?.status?.atProvider as Record<string, unknown> | undefined)?.["arn"];
    const primaryRegion = forProvider(r["primary-backup-vault"]!)["region"] as string;
    const copyVault = r["secondary-backup-vault"]!;
    expect(forProvider(copyVault)["region"]).toBe(backupRegion);
    expect(primaryRegion).not.toBe(backupRegion);
    // Encrypted with the backup region's own key, which the backup region composes.
    expect(forProvider(copyVault)["kmsKeyArnSelector"].matchLabels["dr.platform.io/region-role"]).toBe("secondary");
    expect(forProvider(r["secondary-database-key"]!)["region"]).toBe(backupRegion);
    const [rule] = forProvider(r["primary-backup-plan"]!)["rule"];
    // The copy goes to the ARN AWS reports for the backup region's vault.
    expect(rule.copyAction).toEqual([{ destinationVaultArn: observedArn("secondary-backup-vault"), lifecycle: rule.lifecycle }]);
    // The plan's selections name the environment's own cluster, table and bucket.
    const selected = ["backup-selection", "backup-selection-table", "backup-selection-bucket"].flatMap(
      (key) => forProvider(r[`primary-${key}`]!)["resources"] as string[],
    );
    expect(selected).toEqual(["primary-aurora-cluster", "primary-table", "primary-bucket"].map(observedArn));
    expect(selected.every((arn) => typeof arn === "string" && arn !== "")).toBe(true);
    // Nothing else runs in the backup region.
    expect(
      Object.keys(r)
        .filter((k) => k.startsWith("secondary-"))
        .sort(),
    ).toEqual(["secondary-backup-vault", "secondary-database-key", "secondary-database-key-alias"]);
  });

  it("backup-restore has no orchestrator to run: its model counts a restore", async () => {
    const claim = exampleClaim("backup-restore");
    const r = await settled(claim);
    expect(Object.keys(r).filter((k) => k.includes("function-failover"))).toEqual([]);
    expect(recoveryObjectives(validateSpec(claim.spec)).terms.map((t) => t.step)).toEqual(["restore"]);
  });
});
