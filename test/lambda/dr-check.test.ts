import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CANARY_KEY, createDrCheckHandler, HEARTBEAT_KEY, loadDrCheckConfig } from "../../functions/lambda/dr-check.js";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials } from "./support/emulators.js";
import type { Emulator } from "./support/emulators.js";
import { captureStdout, lambdaContext } from "./support/lambda-context.js";
import { CreateDBClusterCommand, CreateDBInstanceCommand, DescribeDBClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { describeWithMoto, freePort, MOTO_SETUP_TIMEOUT_MS, startMoto, type Moto } from "./support/moto.js";

const PRIMARY = "us-east-1";
const SECONDARY = "us-east-2";
const TABLE = "records-test01";
const BUCKET = "data-test01";
const scheduled = { "detail-type": "Scheduled Event", source: "aws.events", detail: {} };

// One emulator of each kind serves both regions here: a table and a bucket seen from both
// regions stand in for the global table replica and the replication destination bucket.
let ddbEmu: Emulator;
let s3Emu: Emulator & { directory: string };

beforeAll(async () => {
  useTestCredentials();
  [ddbEmu, s3Emu] = await Promise.all([startDynalite(), startS3rver([BUCKET, "empty-test01"])]);
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = ddbEmu.endpoint;
  process.env["AWS_ENDPOINT_URL_S3"] = s3Emu.endpoint;
  await createTable(ddbEmu.endpoint, TABLE);
  await createTable(ddbEmu.endpoint, "empty-test01");
});

afterAll(async () => {
  await Promise.all([ddbEmu?.stop(), s3Emu?.stop()]);
  if (s3Emu) removeDir(s3Emu.directory);
});

const env = (region: string, extra: Record<string, string> = {}) => ({
  AWS_REGION: region,
  PRIMARY_REGION: PRIMARY,
  TABLE_NAME: TABLE,
  BUCKET_NAME: BUCKET,
  ...extra,
});

type Emf = {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
} & Record<string, unknown>;
const emfOf = (lines: Record<string, unknown>[]) => lines.filter((l) => "_aws" in l) as Emf[];

it("config names a missing variable", () => {
  expect(() => loadDrCheckConfig({ AWS_REGION: PRIMARY, TABLE_NAME: TABLE, BUCKET_NAME: BUCKET })).toThrow(/PRIMARY_REGION is required/);
});

it("primary writes the heartbeat; secondary reads it back and prints the lag as EMF", async () => {
  const { result: primary, lines: primaryLines } = await captureStdout(() =>
    createDrCheckHandler(env(PRIMARY))(scheduled, lambdaContext("dr-check")),
  );
  expect(primary.role).toBe("primary");
  expect(emfOf(primaryLines)).toEqual([]);

  const before = Date.now();
  const { result, lines } = await captureStdout(() => createDrCheckHandler(env(SECONDARY))(scheduled, lambdaContext("dr-check")));
  expect(result).toMatchObject({ role: "secondary", failures: [] });
  const [emf, ...more] = emfOf(lines);
  expect(more).toEqual([]);
  const directive = emf!._aws.CloudWatchMetrics[0]!;
  expect(directive.Namespace).toBe("DisasterRecovery");
  expect(directive.Dimensions).toEqual([["PrimaryRegion", "Region"]]);
  expect(directive.Metrics).toEqual(
    expect.arrayContaining([
      { Name: "DynamoDBReplicationLag", Unit: "Seconds" },
      { Name: "S3ReplicationLag", Unit: "Seconds" },
      { Name: "ReplicationCheckFailures", Unit: "Count" },
    ]),
  );
  // Every metric named in the directive has a numeric value at the top level, as EMF requires.
  for (const { Name } of directive.Metrics) expect(typeof emf![Name]).toBe("number");
  expect(emf).toMatchObject({ PrimaryRegion: PRIMARY, Region: SECONDARY, ReplicationCheckFailures: 0 });
  const maxLag = (Date.now() - (primary.role === "primary" ? primary.writtenAt : 0)) / 1000;
  expect(emf!["DynamoDBReplicationLag"]).toBeGreaterThanOrEqual(0);
  expect(emf!["DynamoDBReplicationLag"]).toBeLessThanOrEqual(maxLag);
  expect(emf!["S3ReplicationLag"]).toBeLessThanOrEqual(maxLag);
  expect(emf!._aws.Timestamp).toBeGreaterThanOrEqual(before);
});

it("reports the age of a stale heartbeat", async () => {
  const ddb = new DynamoDBClient({ region: SECONDARY, endpoint: ddbEmu.endpoint });
  await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { ...HEARTBEAT_KEY, writtenAt: { N: String(Date.now() - 90_000) } } }));
  ddb.destroy();
  const { result } = await captureStdout(() => createDrCheckHandler(env(SECONDARY))(scheduled, lambdaContext()));
  expect(result.role === "secondary" && result.dynamodbLagSeconds).toBeGreaterThanOrEqual(90);
  expect(result.role === "secondary" && result.dynamodbLagSeconds).toBeLessThan(120);
});

it("counts a missing heartbeat and canary as failures instead of inventing a lag", async () => {
  const { result, lines } = await captureStdout(() =>
    createDrCheckHandler(env(SECONDARY, { TABLE_NAME: "empty-test01", BUCKET_NAME: "empty-test01" }))(scheduled, lambdaContext()),
  );
  expect(result).toEqual({ role: "secondary", failures: ["dynamodb: heartbeat missing", "s3: NoSuchKey"] });
  const [emf] = emfOf(lines);
  expect(emf).toMatchObject({ ReplicationCheckFailures: 2 });
  expect(emf).not.toHaveProperty("DynamoDBReplicationLag");
  expect(emf!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: "ReplicationCheckFailures", Unit: "Count" }]);
});

it("fails the primary invocation when a write fails", async () => {
  const handler = createDrCheckHandler(env(PRIMARY, { BUCKET_NAME: "no-such-bucket" }));
  await expect(captureStdout(() => handler(scheduled, lambdaContext()))).rejects.toThrow(/bucket/i);
});

describe("what the check writes, reads and reports", () => {
  let ddb: DynamoDBClient;
  let s3: S3Client;
  beforeAll(() => {
    ddb = new DynamoDBClient({ region: SECONDARY, endpoint: ddbEmu.endpoint });
    s3 = new S3Client({ region: SECONDARY, endpoint: s3Emu.endpoint, forcePathStyle: true });
  });
  afterAll(() => {
    ddb?.destroy();
    s3?.destroy();
  });

  const secondary = async (extra: Record<string, string> = {}) =>
    captureStdout(() => createDrCheckHandler(env(SECONDARY, extra))(scheduled, lambdaContext()));
  const putHeartbeat = (item: Record<string, { N: string } | { S: string }>) =>
    ddb.send(new PutItemCommand({ TableName: TABLE, Item: { ...HEARTBEAT_KEY, ...item } }));
  const putCanary = (body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: CANARY_KEY, Body: body }));

  it("config: defaults, an own namespace, and each variable's form checked by name", () => {
    expect(loadDrCheckConfig(env(SECONDARY))).toEqual({
      region: SECONDARY,
      primaryRegion: PRIMARY,
      tableName: TABLE,
      bucketName: BUCKET,
      namespace: "DisasterRecovery",
      timeoutMs: 5000,
      primaryClusterId: undefined,
    });
    expect(
      loadDrCheckConfig(
        env(SECONDARY, { METRIC_NAMESPACE: "Team/DR#1", DEPENDENCY_TIMEOUT_MS: "50", PRIMARY_DB_CLUSTER_IDENTIFIER: "db-t1" }),
      ),
    ).toMatchObject({ namespace: "Team/DR#1", timeoutMs: 50, primaryClusterId: "db-t1" });
    for (const [name, value] of [
      ["METRIC_NAMESPACE", "has space"],
      ["METRIC_NAMESPACE", "n".repeat(256)],
      ["PRIMARY_DB_CLUSTER_IDENTIFIER", "1db"],
      ["PRIMARY_DB_CLUSTER_IDENTIFIER", "db_t1"],
      ["TABLE_NAME", "t"],
      ["BUCKET_NAME", "Bucket"],
      ["AWS_REGION", "mars"],
    ]) {
      expect(() => loadDrCheckConfig(env(SECONDARY, { [name!]: value! }))).toThrow(new RegExp(`^environment variable ${name} is invalid`));
    }
    // Each message says what the variable should hold.
    for (const [name, value, expected] of [
      ["TABLE_NAME", "t", "a DynamoDB table name"],
      ["BUCKET_NAME", "Bucket", "an S3 bucket name"],
      ["METRIC_NAMESPACE", "has space", "a CloudWatch namespace"],
      ["PRIMARY_DB_CLUSTER_IDENTIFIER", "1db", "an RDS cluster identifier"],
    ]) {
      expect(() => loadDrCheckConfig(env(SECONDARY, { [name!]: value! }))).toThrow(`(expected ${expected})`);
    }
    expect(() => loadDrCheckConfig(env(SECONDARY, { DEPENDENCY_TIMEOUT_MS: "49" }))).toThrow(/DEPENDENCY_TIMEOUT_MS must be an integer/);
  });

  it("the primary's heartbeat and canary carry the time written and the region, the canary as JSON", async () => {
    const { result } = await captureStdout(() => createDrCheckHandler(env(PRIMARY))(scheduled, lambdaContext()));
    expect(result.role).toBe("primary");
    const writtenAt = result.role === "primary" ? result.writtenAt : NaN;
    expect(Math.abs(Date.now() - writtenAt)).toBeLessThan(60_000);
    const item = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: HEARTBEAT_KEY, ConsistentRead: true }));
    expect(item.Item).toEqual({ ...HEARTBEAT_KEY, writtenAt: { N: String(writtenAt) }, region: { S: PRIMARY } });
    const canary = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: CANARY_KEY }));
    expect(canary.ContentType).toBe("application/json");
    expect(JSON.parse(await canary.Body!.transformToString())).toEqual({ writtenAt, region: PRIMARY });
  });

  it("the metrics go to the configured namespace, the lag in seconds from the time written", async () => {
    const at = Date.now() - 30_000;
    await putHeartbeat({ writtenAt: { N: String(at) } });
    // A canary written by another writer may carry the time as a string.
    await putCanary(JSON.stringify({ writtenAt: String(at - 15_000) }));
    const { result, lines } = await secondary({ METRIC_NAMESPACE: "Team/DR" });
    expect(result).toMatchObject({ role: "secondary", failures: [] });
    const lag = result.role === "secondary" ? result : undefined;
    expect(lag?.dynamodbLagSeconds).toBeGreaterThanOrEqual(30);
    expect(lag?.dynamodbLagSeconds).toBeLessThan(40);
    expect(lag?.s3LagSeconds).toBeGreaterThanOrEqual(45);
    expect(lag?.s3LagSeconds).toBeLessThan(55);
    expect(result).not.toHaveProperty("primaryDatabaseAvailable");
    const [emf] = emfOf(lines);
    expect(emf!._aws.CloudWatchMetrics[0]!.Namespace).toBe("Team/DR");
    expect(emf).toMatchObject({ DynamoDBReplicationLag: lag?.dynamodbLagSeconds, S3ReplicationLag: lag?.s3LagSeconds });
    expect(emf).not.toHaveProperty("PrimaryDatabaseAvailable");
  });

  it("a heartbeat stamped ahead of this region's clock is no lag, not a negative one", async () => {
    await putHeartbeat({ writtenAt: { N: String(Date.now() + 120_000) } });
    await putCanary(JSON.stringify({ writtenAt: Date.now() + 120_000 }));
    const { result } = await secondary();
    expect(result).toEqual({ role: "secondary", failures: [], dynamodbLagSeconds: 0, s3LagSeconds: 0 });
  });

  it("a heartbeat or canary without a usable time is missing, and an unreadable table is its error, each counted once", async () => {
    await putHeartbeat({ region: { S: PRIMARY } });
    await putCanary(JSON.stringify({ writtenAt: "soon" }));
    expect((await secondary()).result).toEqual({ role: "secondary", failures: ["dynamodb: heartbeat missing", "s3: canary missing"] });

    await putCanary(JSON.stringify({ writtenAt: null }));
    const { result, lines } = await secondary({ TABLE_NAME: "no-such-table" });
    expect(result).toEqual({ role: "secondary", failures: ["dynamodb: ResourceNotFoundException", "s3: canary missing"] });
    expect(emfOf(lines)[0]).toMatchObject({ ReplicationCheckFailures: 2 });
  });

  it("a canary that is not JSON is a failure the check reports and counts, not a failed invocation", async () => {
    await putHeartbeat({ writtenAt: { N: String(Date.now()) } });
    for (const body of ["<html>gateway error</html>", "null"]) {
      await putCanary(body);
      const { result, lines } = await secondary();
      expect(result).toMatchObject({ role: "secondary", failures: ["s3: canary not JSON"] });
      expect(result).not.toHaveProperty("s3LagSeconds");
      expect(emfOf(lines)[0]).toMatchObject({ ReplicationCheckFailures: 1 });
    }
  });

  it("the primary database counts as down when its region's RDS cannot be reached", async () => {
    await putHeartbeat({ writtenAt: { N: String(Date.now()) } });
    await putCanary(JSON.stringify({ writtenAt: Date.now() }));
    const previous = process.env["AWS_ENDPOINT_URL_RDS"];
    process.env["AWS_ENDPOINT_URL_RDS"] = `http://127.0.0.1:${await freePort()}`;
    try {
      const { result, lines } = await secondary({ PRIMARY_DB_CLUSTER_IDENTIFIER: "db-t1", DEPENDENCY_TIMEOUT_MS: "3000" });
      expect(result).toMatchObject({ role: "secondary", failures: [], primaryDatabaseAvailable: false });
      const [emf] = emfOf(lines);
      expect(emf).toMatchObject({ PrimaryDatabaseAvailable: 0 });
      expect(emf!._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({ Name: "PrimaryDatabaseAvailable", Unit: "Count" });
    } finally {
      if (previous === undefined) delete process.env["AWS_ENDPOINT_URL_RDS"];
      else process.env["AWS_ENDPOINT_URL_RDS"] = previous;
    }
  });
});

/**
 * The probe of the primary database against moto's RDS in the primary region: available only with
 * the cluster available and a writer among its members, whatever readers it also has. Its own
 * primary region: the handler keeps one RDS client per region for the container's life, and
 * another test has pointed us-east-1's at a closed port.
 */
const PROBED = "us-west-1";
describeWithMoto("the secondary's probe of the primary database", () => {
  let moto: Moto;
  let rds: RDSClient;
  let previous: string | undefined;
  const cluster = async (id: string, instances: number) => {
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: id,
        Engine: "aurora-postgresql",
        MasterUsername: "app",
        MasterUserPassword: "emulator-only-password",
      }),
    );
    for (let n = 1; n <= instances; n++)
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: `${id}-${n}`,
          DBClusterIdentifier: id,
          Engine: "aurora-postgresql",
          DBInstanceClass: "db.serverless",
        }),
      );
  };
  beforeAll(async () => {
    moto = await startMoto();
    rds = new RDSClient({ region: PROBED, endpoint: moto.endpoint });
    previous = process.env["AWS_ENDPOINT_URL_RDS"];
    process.env["AWS_ENDPOINT_URL_RDS"] = moto.endpoint;
    await cluster("db-writer-and-reader", 2);
    await cluster("db-headless", 0);
  }, MOTO_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    if (previous === undefined) delete process.env["AWS_ENDPOINT_URL_RDS"];
    else process.env["AWS_ENDPOINT_URL_RDS"] = previous;
    rds?.destroy();
    await moto?.stop();
  });

  const probe = async (clusterId: string) => {
    const { result, lines } = await captureStdout(() =>
      createDrCheckHandler(env(SECONDARY, { PRIMARY_REGION: PROBED, PRIMARY_DB_CLUSTER_IDENTIFIER: clusterId }))(
        scheduled,
        lambdaContext(),
      ),
    );
    const warning = lines.find((l) => l["msg"] === "primary database unavailable");
    return {
      available: (result as { primaryDatabaseAvailable?: boolean }).primaryDatabaseAvailable,
      detail: warning?.["detail"],
      emf: emfOf(lines)[0],
    };
  };

  it("is up with a writer among the members, a reader beside it", async () => {
    const members = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "db-writer-and-reader" }))).DBClusters![0]!
      .DBClusterMembers!;
    expect(members.map((m) => m.IsClusterWriter).sort()).toEqual([false, true]);
    expect(await probe("db-writer-and-reader")).toMatchObject({ available: true, detail: undefined, emf: { PrimaryDatabaseAvailable: 1 } });
  });

  it("is down, and says why, when the cluster is available but has no writer", async () => {
    expect(await probe("db-headless")).toMatchObject({
      available: false,
      detail: "status available, writer absent",
      emf: { PrimaryDatabaseAvailable: 0 },
    });
  });

  it("is down, with RDS's error code, when the cluster does not exist", async () => {
    expect(await probe("db-gone")).toMatchObject({
      available: false,
      detail: "DBClusterNotFoundFault",
      emf: { PrimaryDatabaseAvailable: 0 },
    });
  });
});
