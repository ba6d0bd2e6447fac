/**
 * Promotes the secondary region's Aurora cluster in the global database.
 * Triggers: a CloudWatch alarm state change (via EventBridge or SNS) for an unplanned failover,
 * or `{ "type": "planned", "targetRegion": "..." }` for a switchover without data loss.
 * Idempotent: it describes the global cluster first and does nothing when the target already
 * writes or a promotion is under way. Every decision is published to SNS.
 */
import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, SwitchoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import type { GlobalCluster } from "@aws-sdk/client-rds";
import { PublishCommand } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { rds, sns } from "./lib/clients.js";
import { once, requireRegion, requireString, withConfig } from "./lib/config.js";
import type { Env } from "./lib/config.js";
import { errorCode } from "./lib/aws.js";
import { errorFields, logger } from "./lib/log.js";

export interface FailoverConfig {
  region: string;
  globalClusterId: string;
  /** Region promoted on an unplanned failover (the secondary). */
  failoverTargetRegion: string;
  topicArn: string;
  topicRegion: string;
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/;

export function loadFailoverConfig(env: Env): FailoverConfig {
  const topicArn = requireString(env, "TOPIC_ARN", SNS_TOPIC_ARN, "an SNS topic ARN");
  const failoverTargetRegion = requireRegion(env, "FAILOVER_TARGET_REGION");
  return {
    region: requireRegion(env, "AWS_REGION"),
    globalClusterId: requireString(env, "GLOBAL_CLUSTER_ID", /^[A-Za-z][A-Za-z0-9-]{0,62}$/, "an RDS global cluster identifier"),
    failoverTargetRegion,
    topicArn,
    topicRegion: SNS_TOPIC_ARN.exec(topicArn)![1]!,
  };
}

export type Trigger =
  | { kind: "planned"; targetRegion: string }
  | { kind: "alarm"; alarmName: string; via: "eventbridge" | "sns" }
  | { kind: "ignored"; reason: string };

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function planned(request: Record<string, unknown>): Trigger {
  const { targetRegion } = request;
  if (typeof targetRegion !== "string" || !REGION.test(targetRegion)) {
    throw new Error("planned failover request: field 'targetRegion' must be an AWS region such as us-east-2");
  }
  return { kind: "planned", targetRegion };
}

function fromAlarm(alarmName: unknown, state: unknown, via: "eventbridge" | "sns"): Trigger {
  if (typeof alarmName !== "string") throw new Error(`alarm notification via ${via} has no alarm name`);
  if (state !== "ALARM") return { kind: "ignored", reason: `alarm ${alarmName} is ${String(state)}, not ALARM` };
  return { kind: "alarm", alarmName, via };
}

/** Recognises the three trigger shapes; anything else is an error naming what is missing. */
export function parseTrigger(event: unknown): Trigger {
  const e = asRecord(event);
  if (!e) throw new Error("failover event must be a JSON object");
  if (e["type"] === "planned") return planned(e);
  if (e["detail-type"] === "CloudWatch Alarm State Change") {
    const detail = asRecord(e["detail"]);
    return fromAlarm(detail?.["alarmName"], asRecord(detail?.["state"])?.["value"], "eventbridge");
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
    if (!message) throw new Error("SNS message must be JSON: a CloudWatch alarm notification or a planned request");
    if (message["type"] === "planned") return planned(message);
    return fromAlarm(message["AlarmName"], message["NewStateValue"], "sns");
  }
  throw new Error("unrecognised failover event: expected type 'planned', a CloudWatch Alarm State Change, or an SNS record");
}

export type Decision =
  | { action: "switchover" | "failover"; targetArn: string; writerArn: string | undefined; reason: string }
  | { action: "none"; reason: string; targetArn?: string; writerArn?: string };

const IN_PROGRESS = new Set(["pending", "failing-over", "switching-over", "cancelling"]);

export const regionOfArn = (arn: string | undefined): string | undefined => arn?.split(":")[3];

/** What to do, given the global cluster as described now. Pure, so retries decide the same way. */
export function decide(cluster: GlobalCluster, targetRegion: string, mode: "switchover" | "failover"): Decision {
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
  return { action: mode, targetArn, writerArn, reason: `promoting ${targetRegion}` };
}

export interface FailoverResult {
  trigger: Trigger;
  globalClusterId: string;
  targetRegion?: string;
  decision?: Decision;
  outcome: "started" | "skipped" | "ignored";
}

export function createFailoverHandler(env: Env) {
  const config = once(() => loadFailoverConfig(env));
  return async (event: unknown, context: Context): Promise<FailoverResult> => {
    const log = logger({ requestId: context.awsRequestId, function: context.functionName });
    const cfg = withConfig(config, log);
    const trigger = parseTrigger(event);
    if (trigger.kind === "ignored") {
      log.info("nothing to do", { reason: trigger.reason });
      return { trigger, globalClusterId: cfg.globalClusterId, outcome: "ignored" };
    }
    const targetRegion = trigger.kind === "planned" ? trigger.targetRegion : cfg.failoverTargetRegion;
    const mode = trigger.kind === "planned" ? "switchover" : "failover";
    // Call RDS in the region being promoted: the old writer's region may be the one that is down.
    const client = rds(targetRegion);
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

    let decision: Decision | undefined;
    try {
      const described = await client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: cfg.globalClusterId }));
      const cluster = described.GlobalClusters?.find((c) => c.GlobalClusterIdentifier === cfg.globalClusterId);
      if (!cluster) throw new Error(`global cluster ${cfg.globalClusterId} not found`);
      decision = decide(cluster, targetRegion, mode);
      if (decision.action === "switchover") {
        await client.send(
          new SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: cfg.globalClusterId,
            TargetDbClusterIdentifier: decision.targetArn,
          }),
        );
      } else if (decision.action === "failover") {
        await client.send(
          new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: cfg.globalClusterId,
            TargetDbClusterIdentifier: decision.targetArn,
            AllowDataLoss: true,
          }),
        );
      }
    } catch (err) {
      // Another invocation got there first: RDS refuses a second promotion while one runs.
      if (decision !== undefined && decision.action !== "none" && errorCode(err) === "InvalidGlobalClusterStateFault") {
        decision = { action: "none", reason: "RDS reports a promotion already under way", targetArn: decision.targetArn };
      } else {
        log.error("failover failed", { targetRegion, ...errorFields(err) });
        await publish(`DR failover FAILED for ${cfg.globalClusterId}`, { outcome: "failed", targetRegion, ...errorFields(err) }).catch(
          (pubErr: unknown) => log.error("notification failed", errorFields(pubErr)),
        );
        throw err;
      }
    }
    if (!decision) throw new Error("no failover decision was made");
    const outcome = decision.action === "none" ? "skipped" : "started";
    log.info(`failover ${outcome}`, { targetRegion, decision });
    await publish(
      outcome === "started"
        ? `DR ${decision.action} of ${cfg.globalClusterId} to ${targetRegion} started`
        : `DR failover of ${cfg.globalClusterId} skipped`,
      { outcome, targetRegion, decision },
    );
    return { trigger, globalClusterId: cfg.globalClusterId, targetRegion, decision, outcome };
  };
}

export const handler = createFailoverHandler(process.env);
