/**
 * Monitoring: a KMS-encrypted SNS topic the on-call addresses subscribe to, CloudWatch alarms on
 * the signals that show an environment failing (database saturation, function errors, table
 * throttling, API errors and latency; in DR tiers replication that falls behind), and a dashboard
 * of the same metrics. Route 53 health check alarms live in us-east-1 and are the dns block's.
 */
import { Key } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Key";
import { Alias } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Alias";
import { Topic } from "@crossplane-models/provider-upjet-aws/sns.aws.upbound.io/v1beta1/Topic";
import { TopicSubscription } from "@crossplane-models/provider-upjet-aws/sns.aws.upbound.io/v1beta1/TopicSubscription";
import { MetricAlarm } from "@crossplane-models/provider-upjet-aws/cloudwatch.aws.upbound.io/v1beta2/MetricAlarm";
import { Dashboard } from "@crossplane-models/provider-upjet-aws/cloudwatch.aws.upbound.io/v1beta1/Dashboard";
import { FANOUT_FAILURE_METRIC } from "../../lambda/lib/messaging-contract.js";
import { METRIC_NAMESPACE } from "../../lambda/lib/metrics.js";
import { shortHash } from "../../../src/naming.js";
import { PLANNING_FIGURES } from "../../../src/recovery.js";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { policyDocument } from "./iam.js";
import { LOGICAL, PRIMARY_DOWN_ALARM, resourceNames } from "./names.js";
import { dataBucketName, replicationDestination, replicationRuleId, REPLICATION_TIME_MINUTES } from "./storage.js";

export interface AlarmSpec {
  /** Logical suffix: the composed resource is `alarm-<id>`. */
  id: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic?: "Average" | "Sum" | "Maximum" | "Minimum";
  extendedStatistic?: string;
  comparison: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";
  threshold: number;
  periodSeconds?: number;
  evaluationPeriods?: number;
}

/**
 * Replication that falls behind what the recovery objectives assume, as data. Aurora reports the
 * global lag on whichever cluster is secondary at the time, so each region watches its own
 * cluster and the alarm follows a switchover. S3 reports replication in the source's region: each
 * region watches its own bucket's replication to the other.
 */
function replicationAlarms(scope: RegionScope): AlarmSpec[] {
  const { env } = scope;
  if (!env.secondary) return [];
  const names = resourceNames(scope);
  const alarms: AlarmSpec[] = [
    {
      id: "aurora-global-replication-lag",
      description: `Aurora global replication lag above the modeled RPO of ${PLANNING_FIGURES.globalDatabaseLagSeconds} s`,
      namespace: "AWS/RDS",
      metricName: "AuroraGlobalDBReplicationLag",
      dimensions: { DBClusterIdentifier: names.auroraCluster },
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: PLANNING_FIGURES.globalDatabaseLagSeconds * 1000,
      evaluationPeriods: 5,
    },
  ];
  const destination = replicationDestination(scope);
  if (destination) {
    const s3 = {
      SourceBucket: dataBucketName(scope),
      DestinationBucket: dataBucketName(scope, destination),
      RuleId: replicationRuleId(destination.role),
    };
    alarms.push(
      {
        id: "s3-replication-latency",
        description: `S3 replication slower than its ${REPLICATION_TIME_MINUTES}-minute Replication Time Control`,
        namespace: "AWS/S3",
        metricName: "ReplicationLatency",
        dimensions: s3,
        statistic: "Maximum",
        comparison: "GreaterThanThreshold",
        threshold: REPLICATION_TIME_MINUTES * 60,
        periodSeconds: 300,
      },
      {
        id: "s3-replication-failures",
        description: "S3 objects failed to replicate",
        namespace: "AWS/S3",
        metricName: "OperationsFailedReplication",
        dimensions: s3,
        statistic: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        periodSeconds: 300,
      },
    );
  }
  return alarms;
}

/** Namespace of the dr-check canary's metrics (its default; dimensions PrimaryRegion and Region). */
export const CANARY_NAMESPACE = METRIC_NAMESPACE;

/** Consecutive one-minute probes of the primary database that must fail before the primary counts as down. */
export const PRIMARY_DOWN_MINUTES = PLANNING_FIGURES.automaticPromotionSustainSeconds / 60;

type CanaryAlarm = AlarmSpec & { datapointsToAlarm: number; treatMissingData: "missing" | "notBreaching" };

/**
 * Alarms on the canary's metrics, in the secondary where it observes them, as data. The canary
 * runs every minute; the heartbeat it reads is at most one run old, hence the allowances.
 */
export function canaryAlarms(scope: RegionScope): CanaryAlarm[] {
  const { env, region } = scope;
  if (!env.secondary || region.role !== "secondary") return [];
  const dimensions = { PrimaryRegion: env.primary.name, Region: region.name };
  const lag = (id: string, metricName: string, what: string, threshold: number): CanaryAlarm => ({
    id,
    description: `${what} replica older than ${threshold} s (canary)`,
    namespace: CANARY_NAMESPACE,
    metricName,
    dimensions,
    statistic: "Maximum",
    comparison: "GreaterThanThreshold",
    threshold,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  });
  return [
    {
      // Missing data (the canary did not run) is no evidence: the alarm keeps its state.
      id: PRIMARY_DOWN_ALARM,
      description: `Primary database in ${env.primary.name} unavailable for ${PRIMARY_DOWN_MINUTES} minutes in a row (canary in ${region.name})`,
      namespace: CANARY_NAMESPACE,
      metricName: "PrimaryDatabaseAvailable",
      dimensions,
      statistic: "Maximum",
      comparison: "LessThanThreshold",
      threshold: 1,
      evaluationPeriods: PRIMARY_DOWN_MINUTES,
      datapointsToAlarm: PRIMARY_DOWN_MINUTES,
      treatMissingData: "missing",
    },
    lag("canary-dynamodb-lag", "DynamoDBReplicationLag", "DynamoDB", 60 + 120),
    lag("canary-s3-lag", "S3ReplicationLag", "S3", REPLICATION_TIME_MINUTES * 60 + 120),
    {
      id: "canary-check-failures",
      description: "The canary cannot read the heartbeat or canary object from the replicas",
      namespace: CANARY_NAMESPACE,
      metricName: "ReplicationCheckFailures",
      dimensions,
      statistic: "Maximum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: "notBreaching",
    },
  ];
}

/**
 * The canary alarms notify the topic by ARN: the provider resolves MetricAlarm's
 * alarmActionsSelector to autoscaling Policy, never to an SNS Topic, so the ARN is read from the
 * observed topic and the alarms wait for it.
 */
function canaryAlarmResources(scope: RegionScope): Record<string, ManagedResource> {
  const out: Record<string, ManagedResource> = {};
  for (const alarm of canaryAlarms(scope)) {
    const logical = `alarm-${alarm.id}`;
    const topicArn = scope.atProvider(LOGICAL.alertsTopic, "arn", logical);
    if (!topicArn) continue;
    const name = scope.name(alarm.id, true);
    out[logical] = new MetricAlarm({
      metadata: scope.externalName(name),
      spec: {
        forProvider: {
          region: scope.region.name,
          alarmDescription: alarm.description,
          namespace: alarm.namespace,
          metricName: alarm.metricName,
          dimensions: alarm.dimensions,
          statistic: alarm.statistic,
          comparisonOperator: alarm.comparison,
          threshold: alarm.threshold,
          period: 60,
          evaluationPeriods: alarm.evaluationPeriods ?? 1,
          datapointsToAlarm: alarm.datapointsToAlarm,
          treatMissingData: alarm.treatMissingData,
          alarmActions: [topicArn],
          okActions: [topicArn],
          tags: scope.tags(name),
        },
      },
    });
  }
  return out;
}

/** The regional alarms, as data: what to watch and when it is bad. */
export function regionalAlarms(scope: RegionScope): AlarmSpec[] {
  const names = resourceNames(scope);
  const lambdaAlarms = names.functions.flatMap((fn): AlarmSpec[] => [
    {
      id: `lambda-${fn.handler}-errors`,
      description: `${fn.name} reports errors`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn.name },
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    },
    {
      id: `lambda-${fn.handler}-throttles`,
      description: `${fn.name} is throttled`,
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions: { FunctionName: fn.name },
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    },
  ]);
  const { env, region } = scope;
  const otherRegion = region.role === "primary" ? env.secondary : env.primary;
  const messaging: AlarmSpec[] = env.spec.messaging.enabled
    ? [
        {
          id: "queue-dead-letters",
          description: `Messages in ${names.deadLetterQueue}`,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: names.deadLetterQueue },
          statistic: "Maximum",
          comparison: "GreaterThanOrEqualToThreshold",
          threshold: 1,
        },
        // The API's best-effort copy to the other region's queue failed: that region's queue misses
        // messages (functions/lambda/api.ts counts each one in its log line).
        ...(otherRegion
          ? [
              {
                id: "queue-fanout-failures",
                description: `Messages the API could not send to the queue in ${otherRegion.name}`,
                namespace: METRIC_NAMESPACE,
                metricName: FANOUT_FAILURE_METRIC,
                dimensions: { Region: region.name, TargetRegion: otherRegion.name },
                statistic: "Sum" as const,
                comparison: "GreaterThanOrEqualToThreshold" as const,
                threshold: 1,
              },
            ]
          : []),
      ]
    : [];
  return [
    {
      id: "aurora-cpu",
      description: "Aurora cluster CPU above 80%",
      namespace: "AWS/RDS",
      metricName: "CPUUtilization",
      dimensions: { DBClusterIdentifier: names.auroraCluster },
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: 80,
      evaluationPeriods: 3,
    },
    {
      id: "aurora-freeable-memory",
      description: "Aurora freeable memory below 256 MiB",
      namespace: "AWS/RDS",
      metricName: "FreeableMemory",
      dimensions: { DBClusterIdentifier: names.auroraCluster },
      statistic: "Average",
      comparison: "LessThanThreshold",
      threshold: 268435456,
      evaluationPeriods: 3,
    },
    ...lambdaAlarms,
    {
      id: "dynamodb-read-throttles",
      description: "DynamoDB read requests throttled",
      namespace: "AWS/DynamoDB",
      metricName: "ReadThrottleEvents",
      dimensions: { TableName: names.table },
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    },
    {
      id: "dynamodb-write-throttles",
      description: "DynamoDB write requests throttled",
      namespace: "AWS/DynamoDB",
      metricName: "WriteThrottleEvents",
      dimensions: { TableName: names.table },
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    },
    {
      id: "api-5xx",
      description: "API returns server errors",
      namespace: "AWS/ApiGateway",
      metricName: "5XXError",
      dimensions: { ApiName: names.restApi, Stage: names.apiStage },
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 5,
    },
    {
      id: "api-latency-p99",
      description: "API p99 latency above 2 s",
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
      dimensions: { ApiName: names.restApi, Stage: names.apiStage },
      extendedStatistic: "p99",
      comparison: "GreaterThanThreshold",
      threshold: 2000,
      evaluationPeriods: 3,
    },
    ...replicationAlarms(scope),
    ...messaging,
  ];
}

/**
 * CloudWatch can publish only to topics whose key lets it: the AWS managed SNS key does not, so the
 * topic has its own key. The key policy must also keep the account's administrators in, and the
 * account id is AWS's to tell: until it is observed the key keeps AWS's default policy.
 */
function topicKeyPolicy(accountId: string): string {
  return policyDocument([
    { Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" },
    {
      Sid: "AlarmsAndEventsPublish",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    },
  ]);
}

/** The account id, read from any observed ARN of this environment's VPC. */
function observedAccountId(scope: RegionScope): string | undefined {
  const arn = scope.atProvider(LOGICAL.vpc, "arn", LOGICAL.alertsKey);
  return arn?.split(":")[4] || undefined;
}

export function monitoring(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const topic = scope.select(LOGICAL.alertsTopic);
  const topicName = scope.name("alerts", true);
  const keyAlias = scope.kmsAlias("alerts");
  const accountId = observedAccountId(scope);
  const out: Record<string, ManagedResource> = {
    [LOGICAL.alertsKey]: new Key({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          description: `Encrypts the alert topic of ${scope.env.suffix}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          ...(accountId ? { policy: topicKeyPolicy(accountId) } : {}),
          tags: scope.tags(scope.name("alerts-key", true)),
        },
      },
    }),
    "alerts-key-alias": new Alias({
      metadata: scope.externalName(keyAlias.externalName),
      spec: { deletionPolicy: scope.deletionPolicy, forProvider: { region, targetKeyIdSelector: scope.select(LOGICAL.alertsKey) } },
    }),
    // SNS takes the alias, a name we choose, so the topic need not wait for the key's ARN.
    [LOGICAL.alertsTopic]: new Topic({
      metadata: scope.externalName(topicName),
      spec: { forProvider: { region, kmsMasterKeyId: keyAlias.alias, tags: scope.tags(topicName) } },
    }),
  };

  // Keyed by a hash of the address, so reordering the list never renames a subscription.
  for (const email of scope.env.spec.alerts.emails) {
    out[`alerts-subscription-${shortHash(email.toLowerCase())}`] = new TopicSubscription({
      spec: { forProvider: { region, protocol: "email", endpoint: email, topicArnSelector: topic } },
    });
  }

  // The provider resolves `alarmActionsSelector` against autoscaling Policies, never SNS topics
  // (`okActionsSelector` does resolve topics): the alarm action is the topic's ARN, which carries
  // the account id and so is AWS's to tell. Each alarm waits for it.
  const alarms = regionalAlarms(scope);
  for (const alarm of alarms) {
    const name = scope.name(`${alarm.id}`, true);
    const topicArn = scope.atProvider(LOGICAL.alertsTopic, "arn", `alarm-${alarm.id}`);
    if (!topicArn) continue;
    out[`alarm-${alarm.id}`] = new MetricAlarm({
      metadata: scope.externalName(name),
      spec: {
        forProvider: {
          region,
          alarmDescription: alarm.description,
          namespace: alarm.namespace,
          metricName: alarm.metricName,
          dimensions: alarm.dimensions,
          ...(alarm.extendedStatistic ? { extendedStatistic: alarm.extendedStatistic } : { statistic: alarm.statistic }),
          comparisonOperator: alarm.comparison,
          threshold: alarm.threshold,
          period: alarm.periodSeconds ?? 60,
          evaluationPeriods: alarm.evaluationPeriods ?? 1,
          treatMissingData: "notBreaching",
          alarmActions: [topicArn],
          okActionsSelector: topic,
          tags: scope.tags(name),
        },
      },
    });
  }

  Object.assign(out, canaryAlarmResources(scope));

  const dashboardName = scope.name("dashboard", true);
  out.dashboard = new Dashboard({
    metadata: scope.externalName(dashboardName),
    spec: { forProvider: { region, dashboardBody: dashboardBody(region, alarms) } },
  });
  return out;
}

/** One metric widget per alarm, two to a row; the body is JSON with a fixed key order. */
function dashboardBody(region: string, alarms: AlarmSpec[]): string {
  const widgets = alarms.map((alarm, i) => ({
    type: "metric",
    x: (i % 2) * 12,
    y: Math.floor(i / 2) * 6,
    width: 12,
    height: 6,
    properties: {
      title: alarm.description,
      region,
      view: "timeSeries",
      stat: alarm.extendedStatistic ?? alarm.statistic,
      metrics: [[alarm.namespace, alarm.metricName, ...Object.entries(alarm.dimensions).flat()]],
      annotations: { horizontal: [{ value: alarm.threshold, label: "alarm" }] },
    },
  }));
  return JSON.stringify({ widgets });
}
