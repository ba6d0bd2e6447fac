/**
 * Events: EventBridge rules that run a handler, on the claim's schedule or when AWS reports
 * something that threatens recovery, each with its target and a Lambda permission for that rule only.
 *
 * DR tiers add the failover wiring, all of it in the secondary region so that it works while the
 * primary region, us-east-1 and the cluster running Crossplane are down: the canary runs every
 * minute, the alarm on its probe of the primary database (same region) reaches the orchestrator
 * through this region's EventBridge, so does the RDS event of a writer the orchestrator added, and
 * a planned switchover to the claim's active region is one invocation of the orchestrator. With
 * messaging on, each region has a KMS-encrypted queue with a dead-letter queue; the API of each
 * region sends every message to both regions' queues (functions/lambda/api.ts), so each holds a copy.
 */
import { Rule } from "@crossplane-models/provider-upjet-aws/cloudwatchevents.aws.upbound.io/v1beta1/Rule";
import { Target } from "@crossplane-models/provider-upjet-aws/cloudwatchevents.aws.upbound.io/v1beta2/Target";
import { Permission } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta1/Permission";
import { Invocation } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta1/Invocation";
import { Queue } from "@crossplane-models/provider-upjet-aws/sqs.aws.upbound.io/v1beta1/Queue";
import { QueueRedrivePolicy } from "@crossplane-models/provider-upjet-aws/sqs.aws.upbound.io/v1beta1/QueueRedrivePolicy";
import { INSTANCE_CREATED_EVENT } from "../../lambda/lib/failover-contract.js";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { functionLogical } from "./compute.js";
import { handlersFor, LOGICAL, PRIMARY_DOWN_ALARM, resourceNames, type Handler } from "./names.js";
import { storageKeyAlias } from "./storage.js";

export interface RuleSpec {
  /** Logical and AWS name part: the rule is `rule-<id>`. */
  id: string;
  description: string;
  target: Handler;
  schedule?: (scope: RegionScope) => string;
  pattern?: (scope: RegionScope) => Record<string, unknown>;
  /** Left out where this says false. */
  when?: (scope: RegionScope) => boolean;
}

/** The regional rules, as data; a rule whose target this region does not run is left out. */
export const RULES: readonly RuleSpec[] = [
  {
    id: "dr-check-schedule",
    target: "dr-check",
    description: "Runs the DR readiness check on the claim's schedule",
    schedule: (scope) => scope.env.spec.events.schedule,
  },
  {
    // DR tiers: the heartbeat, the replicas' lag and the probe of the primary database, every minute,
    // so the primary-down alarm sees a sustained failure as consecutive one-minute data points.
    id: "dr-check-probe",
    target: "dr-check",
    description: "Runs the DR check every minute: heartbeat in the primary; lag and a probe of the primary database in the secondary",
    schedule: () => "rate(1 minute)",
    when: (scope) => scope.env.secondary !== undefined,
  },
  {
    id: "aurora-events",
    target: "dr-check",
    description: "Checks again when the Aurora cluster fails over or fails",
    pattern: (scope) => ({
      source: ["aws.rds"],
      "detail-type": ["RDS DB Cluster Event"],
      detail: { SourceIdentifier: [resourceNames(scope).auroraCluster], EventCategories: ["failover", "failure", "global-failover"] },
    }),
  },
  {
    // Only where the orchestrator runs (the secondary): the primary failing is what it acts on.
    id: "primary-health-alarm",
    target: "failover",
    description: "Tells the orchestrator when this region's canary has seen the primary database down for minutes",
    pattern: (scope) => primaryHealthAlarmPattern(scope),
  },
  {
    // Pilot light: the writer the orchestrator added is available; it resumes the promotion.
    id: "writer-created",
    target: "failover",
    description: "Resumes a promotion once the writer instance the orchestrator added is available",
    pattern: (scope) => ({
      source: ["aws.rds"],
      "detail-type": ["RDS DB Instance Event"],
      detail: { SourceIdentifier: [`${resourceNames(scope).auroraCluster}-1`], EventID: [INSTANCE_CREATED_EVENT] },
    }),
  },
  {
    id: "health-events",
    target: "dr-check",
    description: "Checks again when AWS Health reports an issue with a service the environment uses",
    pattern: () => ({
      source: ["aws.health"],
      "detail-type": ["AWS Health Event"],
      detail: { service: ["APIGATEWAY", "DYNAMODB", "EC2", "LAMBDA", "RDS", "S3"], eventTypeCategory: ["issue"] },
    }),
  },
];

/** A state change into ALARM of this region's alarm on the canary's probe of the primary database. */
export function primaryHealthAlarmPattern(scope: RegionScope): Record<string, unknown> {
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    detail: { alarmName: [scope.name(PRIMARY_DOWN_ALARM, true)], state: { value: ["ALARM"] } },
  };
}

/** Messages in the main queue are retried this often before they move to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/** Six minutes for a consumer to process a message before it shows again: six times a one-minute consumer, as Lambda advises for SQS event sources. */
export const QUEUE_VISIBILITY_TIMEOUT_SECONDS = 6 * 60;

export function events(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const handlers = handlersFor(scope);
  const out: Record<string, ManagedResource> = {};
  for (const rule of RULES.filter((r) => handlers.includes(r.target) && (r.when?.(scope) ?? true))) {
    const logical = `rule-${rule.id}`;
    const name = scope.name(rule.id, true);
    const fn = functionLogical(rule.target);
    out[logical] = new Rule({
      metadata: scope.externalName(name),
      spec: {
        forProvider: {
          region,
          description: rule.description,
          state: "ENABLED",
          ...(rule.schedule ? { scheduleExpression: rule.schedule(scope) } : {}),
          ...(rule.pattern ? { eventPattern: JSON.stringify(rule.pattern(scope)) } : {}),
          tags: scope.tags(name),
        },
      },
    });
    // A target takes the function's ARN only as a value, and the account in it is AWS's to tell.
    const functionArn = scope.atProvider(fn, "arn", `${logical}-target`);
    if (functionArn) {
      out[`${logical}-target`] = new Target({
        spec: {
          forProvider: {
            region,
            ruleSelector: scope.select(logical),
            targetId: rule.target,
            arn: functionArn,
            retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 4 },
          },
        },
      });
    }
    const ruleArn = scope.atProvider(logical, "arn", `${logical}-permission`);
    if (ruleArn) {
      out[`${logical}-permission`] = new Permission({
        spec: {
          forProvider: {
            region,
            functionNameSelector: scope.select(fn),
            action: "lambda:InvokeFunction",
            principal: "events.amazonaws.com",
            statementId: `events-${rule.id}`,
            sourceArn: ruleArn,
          },
        },
      });
    }
  }
  if (handlers.includes("failover")) Object.assign(out, switchover(scope));
  if (scope.env.spec.messaging.enabled) Object.assign(out, messaging(scope));
  return out;
}

/**
 * The declarative switchover: one invocation of the orchestrator per target region, named after
 * it, so changing `spec.failover.activeRegion` composes a new one and the provider invokes it
 * once on creation. The orchestrator switches over without data loss, or skips when the target
 * already writes (after an unplanned failover the claim catches up without a second promotion).
 * It waits until both member clusters and the target's writer instance exist.
 */
function switchover(scope: RegionScope): Record<string, ManagedResource> {
  const active = scope.env.regions.find((r) => r.active) ?? scope.env.primary;
  const logical = `switchover-to-${active.role}`;
  const ready = [
    scope.atProvider(LOGICAL.auroraCluster, "arn", logical, "primary"),
    scope.atProvider(LOGICAL.auroraCluster, "arn", logical, "secondary"),
    scope.atProvider(LOGICAL.auroraInstance(1), "arn", logical, active.role),
    scope.atProvider(functionLogical("failover"), "arn", logical),
  ];
  if (!ready.every(Boolean)) return {};
  return {
    [logical]: new Invocation({
      spec: {
        forProvider: {
          region: scope.region.name,
          functionNameSelector: scope.select(functionLogical("failover")),
          input: JSON.stringify({ type: "planned", targetRegion: active.name }),
          lifecycleScope: "CREATE_ONLY",
        },
      },
    }),
  };
}

/**
 * The region's queue and its dead-letter queue, encrypted with the region's storage key (by
 * alias). Nothing of the composition consumes them: the team's consumers do, and each region's
 * queue holds its own copy of every message, so consuming one region's never drains the other's.
 */
function messaging(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const names = resourceNames(scope);
  const kmsMasterKeyId = storageKeyAlias(scope);
  const out: Record<string, ManagedResource> = {
    // Queues hold messages not yet processed: they stay with the data when the environment goes.
    [LOGICAL.deadLetterQueue]: new Queue({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          name: names.deadLetterQueue,
          kmsMasterKeyId,
          messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
          tags: scope.tags(names.deadLetterQueue),
        },
      },
    }),
    [LOGICAL.queue]: new Queue({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          name: names.queue,
          kmsMasterKeyId,
          visibilityTimeoutSeconds: QUEUE_VISIBILITY_TIMEOUT_SECONDS,
          tags: scope.tags(names.queue),
        },
      },
    }),
  };
  // The redrive policy names the dead-letter queue by ARN, which AWS decides.
  const dlqArn = scope.atProvider(LOGICAL.deadLetterQueue, "arn", "queue-redrive-policy");
  if (dlqArn) {
    out["queue-redrive-policy"] = new QueueRedrivePolicy({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          queueUrlSelector: scope.select(LOGICAL.queue),
          redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
        },
      },
    });
  }
  return out;
}
