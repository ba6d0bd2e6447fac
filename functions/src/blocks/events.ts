/**
 * Events: EventBridge rules that run a handler, on the claim's schedule or when AWS reports
 * something that threatens recovery, each with its target and a Lambda permission for that rule only.
 *
 * DR tiers add the failover wiring in the secondary region: the primary's Route 53 health alarm
 * (in us-east-1, where Route 53 metrics live) reaches the orchestrator through EventBridge, and a
 * planned switchover to the claim's active region is one invocation of the orchestrator. With
 * messaging on, each region has a KMS-encrypted queue with a dead-letter queue, and the active
 * region's queue is forwarded to the other region's by the replicator.
 */
import { Rule } from "@crossplane-models/provider-upjet-aws/cloudwatchevents.aws.upbound.io/v1beta1/Rule";
import { Target } from "@crossplane-models/provider-upjet-aws/cloudwatchevents.aws.upbound.io/v1beta1/Target";
import { Permission } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta1/Permission";
import { Invocation } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta1/Invocation";
import { EventSourceMapping } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta1/EventSourceMapping";
import { Queue } from "@crossplane-models/provider-upjet-aws/sqs.aws.upbound.io/v1beta1/Queue";
import { QueueRedrivePolicy } from "@crossplane-models/provider-upjet-aws/sqs.aws.upbound.io/v1beta1/QueueRedrivePolicy";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicy } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicy";
import { awsName } from "../../../src/naming.js";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { functionLogical, HANDLER_SPECS } from "./compute.js";
import { ROUTE53_METRICS_REGION } from "./dns.js";
import { assumeRolePolicy, policyDocument } from "./iam.js";
import { handlersFor, healthAlarmName, LOGICAL, resourceNames, type Handler } from "./names.js";
import { storageKeyAlias } from "./storage.js";

export interface RuleSpec {
  /** Logical and AWS name part: the rule is `rule-<id>`. */
  id: string;
  description: string;
  target: Handler;
  schedule?: (scope: RegionScope) => string;
  pattern?: (scope: RegionScope) => Record<string, unknown>;
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
    description: "Fails over to this region when the primary's health alarm fires",
    pattern: (scope) => primaryHealthAlarmPattern(scope),
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

/** A CloudWatch alarm state change of the primary region's health check alarm into ALARM. */
export function primaryHealthAlarmPattern(scope: RegionScope): Record<string, unknown> {
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    detail: { alarmName: [healthAlarmName(scope.env, "primary")], state: { value: ["ALARM"] } },
  };
}

/** Messages in the main queue are retried this often before they move to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export function events(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const handlers = handlersFor(scope);
  const out: Record<string, ManagedResource> = {};
  for (const rule of RULES.filter((r) => handlers.includes(r.target))) {
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
            retryPolicy: [{ maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 4 }],
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
  if (handlers.includes("failover")) Object.assign(out, alarmForwarding(scope), switchover(scope));
  if (scope.env.spec.messaging.enabled) Object.assign(out, messaging(scope));
  return out;
}

/**
 * Alarm state changes are events of the alarm's region, us-east-1 for Route 53 health alarms.
 * Unless the orchestrator runs there, a rule in us-east-1 forwards the primary's alarm to this
 * region's default event bus, where the `primary-health-alarm` rule invokes it. The bus ARN
 * carries the account id, AWS's to tell: read from this region's observed VPC.
 */
function alarmForwarding(scope: RegionScope): Record<string, ManagedResource> {
  if (scope.region.name === ROUTE53_METRICS_REGION) return {};
  const name = awsName("primary-health-forward", scope.nameParts(ROUTE53_METRICS_REGION));
  const roleName = scope.name("health-forward", true);
  const out: Record<string, ManagedResource> = {
    "rule-primary-health-forward": new Rule({
      metadata: scope.externalName(name),
      spec: {
        forProvider: {
          region: ROUTE53_METRICS_REGION,
          description: `Forwards the primary health alarm to ${scope.region.name}, where the failover orchestrator runs`,
          state: "ENABLED",
          eventPattern: JSON.stringify(primaryHealthAlarmPattern(scope)),
          tags: scope.tags(name),
        },
      },
    }),
    "role-primary-health-forward": new Role({
      metadata: scope.externalName(roleName),
      spec: {
        forProvider: {
          assumeRolePolicy: assumeRolePolicy("events.amazonaws.com"),
          description: "EventBridge forwards the primary health alarm",
          tags: scope.tags(roleName),
        },
      },
    }),
  };
  const account = scope.atProvider(LOGICAL.vpc, "arn", "rule-primary-health-forward-target")?.split(":")[4];
  if (!account) return out;
  const bus = `arn:aws:events:${scope.region.name}:${account}:event-bus/default`;
  out["role-primary-health-forward-policy"] = new RolePolicy({
    metadata: scope.externalName(roleName),
    spec: {
      forProvider: {
        roleSelector: scope.select("role-primary-health-forward"),
        policy: policyDocument([{ Sid: "ForwardToOrchestratorRegion", Effect: "Allow", Action: "events:PutEvents", Resource: bus }]),
      },
    },
  });
  out["rule-primary-health-forward-target"] = new Target({
    spec: {
      forProvider: {
        region: ROUTE53_METRICS_REGION,
        ruleSelector: scope.select("rule-primary-health-forward"),
        targetId: "orchestrator-region-bus",
        arn: bus,
        roleArnSelector: scope.select("role-primary-health-forward"),
      },
    },
  });
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
 * alias). With a second region, the replicator forwards the queue to the other region's queue;
 * only the active region's mapping is enabled, so the passive copy is never drained.
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
          // Six times the replicator's timeout, as Lambda advises for SQS event sources.
          visibilityTimeoutSeconds: 6 * HANDLER_SPECS.replicator.timeoutSeconds,
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
  if (!handlersFor(scope).includes("replicator")) return out;
  const queueArn = scope.atProvider(LOGICAL.queue, "arn", "queue-replication");
  if (queueArn) {
    out["queue-replication"] = new EventSourceMapping({
      spec: {
        forProvider: {
          region,
          functionNameSelector: scope.select(functionLogical("replicator")),
          eventSourceArn: queueArn,
          enabled: scope.region.active,
          batchSize: 10,
          functionResponseTypes: ["ReportBatchItemFailures"],
          tags: scope.tags(),
        },
      },
    });
  }
  return out;
}
