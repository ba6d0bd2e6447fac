import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createDrCheckHandler, HEARTBEAT_KEY, loadDrCheckConfig } from "../../functions/lambda/dr-check.js";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials } from "./support/emulators.js";
import type { Emulator } from "./support/emulators.js";
import { captureStdout, lambdaContext } from "./support/lambda-context.js";

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
