/**
 * Failover orchestrator: runs in the region it promotes (the survivor) and ends with a writer there.
 * It calls only that region's RDS and SNS endpoints, never the failing region, a us-east-1 control
 * plane or the Kubernetes cluster, so it works while all three are down.
 *
 * Triggers:
 * - `{ "type": "planned", "targetRegion": "..." }`: a switchover without data loss (the claim's
 *   activeRegion, or drctl);
 * - `{ "type": "unplanned", "targetRegion": "..." }`: a promotion that may lose the writes not yet
 *   replicated, sent by a person with `drctl failover --unplanned`;
 * - the primary-down alarm's state change (EventBridge or SNS): promotes only when the claim opted
 *   into automatic promotion (AUTOMATIC_PROMOTION=true); otherwise it pages and promotes nothing;
 * - the RDS event of a writer instance it added itself becoming available: resumes that promotion.
 *
 * Each invocation reads the state AWS reports and takes the one next step (the state machine):
 *   target already writes or a promotion runs  -> nothing
 *   target cluster has no instance (pilot light) -> add the writer `<cluster>-1`, tagged with the mode
 *   writer instance not available yet          -> wait for its RDS event
 *   writer available                           -> SwitchoverGlobalCluster | FailoverGlobalCluster
 * so retries and concurrent invocations decide the same way. Every decision is published to SNS.
 */
import {
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import type { DBInstance, GlobalCluster } from "@aws-sdk/client-rds";
import { PublishCommand } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { rds, sns } from "./lib/clients.js";
import { once, optionalString, requireRegion, requireString, withConfig } from "./lib/config.js";
import type { Env } from "./lib/config.js";
import { errorCode } from "./lib/aws.js";
import { errorFields, logger } from "./lib/log.js";
import { INSTANCE_CREATED_EVENT, RESUME_TAG } from "./lib/failover-contract.js";

export interface FailoverConfig {
  region: string;
  globalClusterId: string;
  /** Region promoted on an unplanned failover: the one this orchestrator runs in. */
  failoverTargetRegion: string;
  topicArn: string;
  topicRegion: string;
  /** The claim's opt-in: the primary-down alarm promotes by itself, accepting possible data loss. */
  automaticPromotion: boolean;
  /** Zone of the writer it adds; the composition pins the same one, so adoption changes nothing. */
  writerAvailabilityZone: string | undefined;
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export function loadFailoverConfig(env: Env): FailoverConfig {
  const topicArn = requireString(env, "TOPIC_ARN", SNS_TOPIC_ARN, "an SNS topic ARN");
  const automatic = optionalString(env, "AUTOMATIC_PROMOTION", /^(true|false)$/, "true or false") ?? "false";
  return {
    region: requireRegion(env, "AWS_REGION"),
    globalClusterId: requireString(env, "GLOBAL_CLUSTER_ID", /^[A-Za-z][A-Za-z0-9-]{0,62}$/, "an RDS global cluster identifier"),
    failoverTargetRegion: requireRegion(env, "FAILOVER_TARGET_REGION"),
    topicArn,
    topicRegion: SNS_TOPIC_ARN.exec(topicArn)![1]!,
    automaticPromotion: automatic === "true",
    writerAvailabilityZone: optionalString(
      env,
      "WRITER_AVAILABILITY_ZONE",
      /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/,
      "an availability zone",
    ),
  };
}

export type Mode = "switchover" | "failover";

export type Trigger =
  | { kind: "planned"; targetRegion: string }
  | { kind: "unplanned"; targetRegion: string }
  | { kind: "alarm"; alarmName: string; via: "eventbridge" | "sns" }
  | { kind: "writer-available"; instanceId: string }
  | { kind: "ignored"; reason: string };

export { INSTANCE_CREATED_EVENT, RESUME_TAG };

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function requested(kind: "planned" | "unplanned", request: Record<string, unknown>): Trigger {
  const { targetRegion } = request;
  if (typeof targetRegion !== "string" || !REGION.test(targetRegion)) {
    throw new Error(`${kind} failover request: field 'targetRegion' must be an AWS region such as us-east-2`);
  }
  return { kind, targetRegion };
}

function fromAlarm(alarmName: unknown, state: unknown, via: "eventbridge" | "sns"): Trigger {
  if (typeof alarmName !== "string") throw new Error(`alarm notification via ${via} has no alarm name`);
  if (state !== "ALARM") return { kind: "ignored", reason: `alarm ${alarmName} is ${String(state)}, not ALARM` };
  return { kind: "alarm", alarmName, via };
}

function fromRequest(e: Record<string, unknown>): Trigger | undefined {
  if (e["type"] === "planned" || e["type"] === "unplanned") return requested(e["type"], e);
  return undefined;
}

/** Recognises the trigger shapes; anything else is an error naming what is missing. */
export function parseTrigger(event: unknown): Trigger {
  const e = asRecord(event);
  if (!e) throw new Error("failover event must be a JSON object");
  const request = fromRequest(e);
  if (request) return request;
  if (e["detail-type"] === "CloudWatch Alarm State Change") {
    const detail = asRecord(e["detail"]);
    return fromAlarm(detail?.["alarmName"], asRecord(detail?.["state"])?.["value"], "eventbridge");
  }
  if (e["detail-type"] === "RDS DB Instance Event") {
    const detail = asRecord(e["detail"]);
    const instanceId = detail?.["SourceIdentifier"];
    if (typeof instanceId !== "string") throw new Error("RDS DB Instance Event has no detail.SourceIdentifier");
    if (detail?.["EventID"] !== INSTANCE_CREATED_EVENT) return { kind: "ignored", reason: `RDS event ${String(detail?.["EventID"])}` };
    return { kind: "writer-available", instanceId };
  }
  const records = e["Records"];
  if (Array.isArray(records)) {
    const sns = asRecord(asRecord(records[0])?.["Sns"]);
    if (records.length !== 1 || typeof sns?.["Message"] !== "string")
      throw new Error("SNS event must carry exactly one record with a Message");
    let message: Record<string, unknown> | undefined;
    try {
      message = asRecord(JSON.parse(sns["Message"]));
    } catch {
      message = undefined;
    }
    if (!message) throw new Error("SNS message must be JSON: a CloudWatch alarm notification or a failover request");
    return fromRequest(message) ?? fromAlarm(message["AlarmName"], message["NewStateValue"], "sns");
  }
  throw new Error(
    "unrecognised failover event: expected type 'planned' or 'unplanned', a CloudWatch Alarm State Change, an RDS DB Instance Event, or an SNS record",
  );
}

export type Decision =
  | { action: Mode; targetArn: string; writerArn: string | undefined; reason: string }
  | { action: "add-writer"; targetArn: string; clusterId: string; instanceId: string; reason: string }
  | { action: "wait-for-writer"; targetArn: string; instanceId: string; reason: string }
  | { action: "none"; reason: string; targetArn?: string; writerArn?: string };

const IN_PROGRESS = new Set(["pending", "failing-over", "switching-over", "cancelling"]);

export const regionOfArn = (arn: string | undefined): string | undefined => arn?.split(":")[3];
const clusterIdOfArn = (arn: string): string => arn.split(":").slice(6).join(":");

/** The writer's identifier in a cluster: the composition's first instance, `<cluster>-1`. */
export const writerInstanceId = (clusterId: string): string => `${clusterId}-1`;

/**
 * The next step, given the global cluster and the target cluster's writer instance as described
 * now (undefined: it does not exist). Pure, so retries decide the same way.
 */
export function decide(cluster: GlobalCluster, targetRegion: string, mode: Mode, writer?: DBInstance): Decision {
  const members = cluster.GlobalClusterMembers ?? [];
  const writerArn = members.find((m) => m.IsWriter)?.DBClusterArn;
  const target = members.find((m) => regionOfArn(m.DBClusterArn) === targetRegion);
  if (!target?.DBClusterArn) throw new Error(`global cluster ${cluster.GlobalClusterIdentifier} has no member in ${targetRegion}`);
  const targetArn = target.DBClusterArn;
  const base = { targetArn, ...(writerArn ? { writerArn } : {}) };
  if (target.IsWriter) return { action: "none", reason: `${targetRegion} is already the writer`, ...base };
  const failover = cluster.FailoverState?.Status;
  if (failover && IN_PROGRESS.has(failover)) return { action: "none", reason: `a promotion is already ${failover}`, ...base };
  if (cluster.Status && cluster.Status !== "available") return { action: "none", reason: `global cluster is ${cluster.Status}`, ...base };
  const clusterId = clusterIdOfArn(targetArn);
  const instanceId = writerInstanceId(clusterId);
  // RDS promotes an instance of the target cluster: a headless one has nothing to promote yet.
  if (!writer) return { action: "add-writer", targetArn, clusterId, instanceId, reason: `${clusterId} has no instance to promote` };
  if (writer.DBInstanceStatus !== "available") {
    return { action: "wait-for-writer", targetArn, instanceId, reason: `${instanceId} is ${writer.DBInstanceStatus ?? "unknown"}` };
  }
  return { action: mode, targetArn, writerArn, reason: `promoting ${targetRegion}` };
}

export type Outcome = "started" | "adding-writer" | "waiting" | "skipped" | "paged" | "ignored";

export interface FailoverResult {
  trigger: Trigger;
  globalClusterId: string;
  targetRegion?: string;
  mode?: Mode;
  decision?: Decision;
  outcome: Outcome;
}

const OUTCOME: Record<Decision["action"], Outcome> = {
  switchover: "started",
  failover: "started",
  "add-writer": "adding-writer",
  "wait-for-writer": "waiting",
  none: "skipped",
};

export function createFailoverHandler(env: Env) {
  const config = once(() => loadFailoverConfig(env));
  return async (event: unknown, context: Context): Promise<FailoverResult> => {
    const log = logger({ requestId: context.awsRequestId, function: context.functionName });
    const cfg = withConfig(config, log);
    const trigger = parseTrigger(event);
    const publish = (subject: string, details: Record<string, unknown>) =>
      sns(cfg.topicRegion).send(
        new PublishCommand({
          TopicArn: cfg.topicArn,
          Subject: subject.slice(0, 100),
          Message: JSON.stringify({
            ...details,
            globalClusterId: cfg.globalClusterId,
            trigger,
            requestId: context.awsRequestId,
            at: new Date().toISOString(),
          }),
        }),
      );
    const result = (outcome: Outcome, extra: Partial<FailoverResult> = {}): FailoverResult => ({
      trigger,
      globalClusterId: cfg.globalClusterId,
      ...extra,
      outcome,
    });

    if (trigger.kind === "ignored") {
      log.info("nothing to do", { reason: trigger.reason });
      return result("ignored");
    }
    const targetRegion = trigger.kind === "planned" || trigger.kind === "unplanned" ? trigger.targetRegion : cfg.failoverTargetRegion;
    if (trigger.kind === "alarm" && !cfg.automaticPromotion) {
      // Promotion may lose the writes not yet replicated: without the claim's opt-in a person decides.
      const action = `drctl failover --unplanned --to-region ${targetRegion} --function ${context.functionName}`;
      log.warn("primary down; automatic promotion is off", { alarm: trigger.alarmName, action });
      await publish(`DR: primary down for ${cfg.globalClusterId}, promotion needs a person`, { outcome: "paged", targetRegion, action });
      return result("paged", { targetRegion });
    }

    // Call RDS in the region being promoted: the old writer's region may be the one that is down.
    const client = rds(targetRegion);
    let mode: Mode = trigger.kind === "planned" ? "switchover" : "failover";
    let decision: Decision | undefined;
    try {
      const described = await client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: cfg.globalClusterId }));
      const cluster = described.GlobalClusters?.find((c) => c.GlobalClusterIdentifier === cfg.globalClusterId);
      if (!cluster) throw new Error(`global cluster ${cfg.globalClusterId} not found`);
      const target = cluster.GlobalClusterMembers?.find((m) => regionOfArn(m.DBClusterArn) === targetRegion)?.DBClusterArn;
      const writer = target ? await describeInstance(client, writerInstanceId(clusterIdOfArn(target))) : undefined;
      if (trigger.kind === "writer-available") {
        const resumed = writer?.TagList?.find((t) => t.Key === RESUME_TAG)?.Value;
        if (writer?.DBInstanceIdentifier !== trigger.instanceId || (resumed !== "failover" && resumed !== "switchover")) {
          log.info("nothing to do", { reason: `${trigger.instanceId} is not a writer this orchestrator added` });
          return result("ignored", { targetRegion });
        }
        mode = resumed;
      }
      decision = decide(cluster, targetRegion, mode, writer);
      await execute(client, cfg, decision, mode);
    } catch (err) {
      // Another invocation got there first: RDS refuses a second promotion while one runs.
      if (decision !== undefined && decision.action !== "none" && alreadyUnderWay(err)) {
        decision = { action: "none", reason: `RDS reports ${errorCode(err)}: already under way`, targetArn: decision.targetArn };
      } else {
        log.error("failover failed", { targetRegion, ...errorFields(err) });
        await publish(`DR failover FAILED for ${cfg.globalClusterId}`, { outcome: "failed", targetRegion, ...errorFields(err) }).catch(
          (pubErr: unknown) => log.error("notification failed", errorFields(pubErr)),
        );
        throw err;
      }
    }
    if (!decision) throw new Error("no failover decision was made");
    const outcome = OUTCOME[decision.action];
    log.info(`failover ${outcome}`, { targetRegion, mode, decision });
    await publish(`DR ${mode} of ${cfg.globalClusterId} to ${targetRegion}: ${outcome}`, { outcome, targetRegion, mode, decision });
    return result(outcome, { targetRegion, mode, decision });
  };
}

/** The SDK names an RDS error by its shape (`DBInstanceAlreadyExistsFault`), not by RDS's wire code (`DBInstanceAlreadyExists`). */
function alreadyUnderWay(err: unknown): boolean {
  const code = errorCode(err);
  return code === "InvalidGlobalClusterStateFault" || code === "DBInstanceAlreadyExistsFault";
}

async function describeInstance(client: ReturnType<typeof rds>, instanceId: string): Promise<DBInstance | undefined> {
  try {
    const res = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }));
    return res.DBInstances?.[0];
  } catch (err) {
    if (errorCode(err) === "DBInstanceNotFoundFault") return undefined;
    throw err;
  }
}

async function execute(client: ReturnType<typeof rds>, cfg: FailoverConfig, decision: Decision, mode: Mode): Promise<void> {
  switch (decision.action) {
    case "add-writer":
      // The composition's identifier and settings for this writer, so Crossplane adopts it unchanged
      // once the claim's activeRegion names this region; the tag says which promotion to resume.
      await client.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: decision.instanceId,
          DBClusterIdentifier: decision.clusterId,
          Engine: "aurora-postgresql",
          DBInstanceClass: "db.serverless",
          PubliclyAccessible: false,
          AutoMinorVersionUpgrade: true,
          PromotionTier: 0,
          ...(cfg.writerAvailabilityZone ? { AvailabilityZone: cfg.writerAvailabilityZone } : {}),
          Tags: [{ Key: RESUME_TAG, Value: mode }],
        }),
      );
      return;
    case "switchover":
      await client.send(
        new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: cfg.globalClusterId, TargetDbClusterIdentifier: decision.targetArn }),
      );
      return;
    case "failover":
      await client.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: cfg.globalClusterId,
          TargetDbClusterIdentifier: decision.targetArn,
          AllowDataLoss: true,
        }),
      );
      return;
    default:
      return;
  }
}

export const handler = createFailoverHandler(process.env);
