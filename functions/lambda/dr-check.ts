/**
 * Scheduled DR check (EventBridge). The same code runs in both regions:
 * - primary: writes a heartbeat item to the table and a canary object to the bucket;
 * - secondary: reads both from its replicas and prints their age as replication lag in
 *   CloudWatch Embedded Metric Format on stdout, which CloudWatch Logs turns into metrics
 *   without a PutMetricData call. The age is an upper bound on the data-loss window (RPO),
 *   including up to one schedule interval, so alarm thresholds should allow for it;
 * - secondary, too: asks the primary region's RDS whether the primary cluster is available with a
 *   writer, and reports PrimaryDatabaseAvailable (1 or 0; an error or timeout counts as 0). The
 *   alarm on it lives in this region, so the failover trigger never depends on the failing one.
 */
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import type { Context, ScheduledEvent } from "aws-lambda";
import { dynamodb, rds, s3 } from "./lib/clients.js";
import { BUCKET_NAME, TABLE_NAME, once, optionalInt, optionalString, requireRegion, requireString, withConfig } from "./lib/config.js";
import type { Env } from "./lib/config.js";
import { deadline, errorCode } from "./lib/aws.js";
import { logger, writeJsonLine } from "./lib/log.js";
import { METRIC_NAMESPACE, emfLine } from "./lib/metrics.js";

export const HEARTBEAT_KEY = { pk: { S: "dr-check#heartbeat" } };
export const CANARY_KEY = "dr-check/canary.json";

export interface DrCheckConfig {
  region: string;
  primaryRegion: string;
  tableName: string;
  bucketName: string;
  namespace: string;
  timeoutMs: number;
  /** The primary's Aurora cluster, probed from the secondary; unset: no probe (single-region tiers). */
  primaryClusterId: string | undefined;
}

export function loadDrCheckConfig(env: Env): DrCheckConfig {
  return {
    region: requireRegion(env, "AWS_REGION"),
    primaryRegion: requireRegion(env, "PRIMARY_REGION"),
    tableName: requireString(env, "TABLE_NAME", TABLE_NAME, "a DynamoDB table name"),
    bucketName: requireString(env, "BUCKET_NAME", BUCKET_NAME, "an S3 bucket name"),
    namespace: optionalString(env, "METRIC_NAMESPACE", /^[A-Za-z0-9./_#:-]{1,255}$/, "a CloudWatch namespace") ?? METRIC_NAMESPACE,
    timeoutMs: optionalInt(env, "DEPENDENCY_TIMEOUT_MS", 5000, 50, 25_000),
    primaryClusterId: optionalString(env, "PRIMARY_DB_CLUSTER_IDENTIFIER", /^[A-Za-z][A-Za-z0-9-]{0,62}$/, "an RDS cluster identifier"),
  };
}

export type DrCheckResult =
  | { role: "primary"; writtenAt: number }
  | {
      role: "secondary";
      dynamodbLagSeconds?: number;
      s3LagSeconds?: number;
      primaryDatabaseAvailable?: boolean;
      failures: string[];
    };

/** The primary database is up when its region's RDS answers and reports the cluster available with a writer. */
async function probePrimaryDatabase(cfg: DrCheckConfig, clusterId: string): Promise<{ available: boolean; detail: string }> {
  try {
    const res = await rds(cfg.primaryRegion).send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }),
      deadline(cfg.timeoutMs),
    );
    const cluster = res.DBClusters?.[0];
    const writer = cluster?.DBClusterMembers?.some((m) => m.IsClusterWriter);
    if (cluster?.Status === "available" && writer) return { available: true, detail: "available" };
    return { available: false, detail: `status ${cluster?.Status ?? "missing"}, writer ${writer ? "present" : "absent"}` };
  } catch (err) {
    return { available: false, detail: errorCode(err) };
  }
}

function writtenAtOf(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function createDrCheckHandler(env: Env) {
  const config = once(() => loadDrCheckConfig(env));
  return async (_event: ScheduledEvent | Record<string, unknown>, context: Context): Promise<DrCheckResult> => {
    const log = logger({ requestId: context.awsRequestId, function: context.functionName });
    const cfg = withConfig(config, log);
    const ddb = dynamodb(cfg.region);
    const bucket = s3(cfg.region);

    if (cfg.region === cfg.primaryRegion) {
      const writtenAt = Date.now();
      const body = JSON.stringify({ writtenAt, region: cfg.region });
      // Both writes must land; a failure fails the invocation, which the Lambda Errors alarm sees.
      await Promise.all([
        ddb.send(
          new PutItemCommand({
            TableName: cfg.tableName,
            Item: { ...HEARTBEAT_KEY, writtenAt: { N: String(writtenAt) }, region: { S: cfg.region } },
          }),
          deadline(cfg.timeoutMs),
        ),
        bucket.send(
          new PutObjectCommand({ Bucket: cfg.bucketName, Key: CANARY_KEY, Body: body, ContentType: "application/json" }),
          deadline(cfg.timeoutMs),
        ),
      ]);
      log.info("heartbeat written", { writtenAt });
      return { role: "primary", writtenAt };
    }

    const failures: string[] = [];
    const probe = cfg.primaryClusterId === undefined ? Promise.resolve(undefined) : probePrimaryDatabase(cfg, cfg.primaryClusterId);
    const [item, object] = await Promise.all([
      ddb.send(new GetItemCommand({ TableName: cfg.tableName, Key: HEARTBEAT_KEY }), deadline(cfg.timeoutMs)).then(
        (r) => writtenAtOf(r.Item?.["writtenAt"]?.N),
        (err: unknown) => void failures.push(`dynamodb: ${errorCode(err)}`),
      ),
      bucket.send(new GetObjectCommand({ Bucket: cfg.bucketName, Key: CANARY_KEY }), deadline(cfg.timeoutMs)).then(
        async (r) => {
          const text = (await r.Body?.transformToString()) ?? "{}";
          try {
            return writtenAtOf((JSON.parse(text) as { writtenAt?: unknown }).writtenAt);
          } catch {
            // A canary replaced by another writer (or a proxy's error page) is the check's failure to report.
            failures.push("s3: canary not JSON");
            return undefined;
          }
        },
        (err: unknown) => void failures.push(`s3: ${errorCode(err)}`),
      ),
    ]);
    if (item === undefined && !failures.some((f) => f.startsWith("dynamodb"))) failures.push("dynamodb: heartbeat missing");
    if (object === undefined && !failures.some((f) => f.startsWith("s3"))) failures.push("s3: canary missing");
    failures.sort();

    const now = Date.now();
    const lag = (at: number | undefined) => (at === undefined ? undefined : Math.max(0, (now - at) / 1000));
    const dynamodbLagSeconds = lag(item ?? undefined);
    const s3LagSeconds = lag(object ?? undefined);
    const metrics: Record<string, { value: number; unit: string }> = {
      ReplicationCheckFailures: { value: failures.length, unit: "Count" },
    };
    if (dynamodbLagSeconds !== undefined) metrics["DynamoDBReplicationLag"] = { value: dynamodbLagSeconds, unit: "Seconds" };
    if (s3LagSeconds !== undefined) metrics["S3ReplicationLag"] = { value: s3LagSeconds, unit: "Seconds" };
    const primaryDatabase = await probe;
    if (primaryDatabase) {
      metrics["PrimaryDatabaseAvailable"] = { value: primaryDatabase.available ? 1 : 0, unit: "Count" };
      if (!primaryDatabase.available) log.warn("primary database unavailable", { detail: primaryDatabase.detail });
    }
    writeJsonLine(emfLine(cfg.namespace, { PrimaryRegion: cfg.primaryRegion, Region: cfg.region }, metrics, now));
    if (failures.length) log.warn("replication check incomplete", { failures });
    return {
      role: "secondary",
      failures,
      ...(primaryDatabase ? { primaryDatabaseAvailable: primaryDatabase.available } : {}),
      ...(dynamodbLagSeconds === undefined ? {} : { dynamodbLagSeconds }),
      ...(s3LagSeconds === undefined ? {} : { s3LagSeconds }),
    };
  };
}

export const handler = createDrCheckHandler(process.env);
