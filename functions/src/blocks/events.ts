/**
 * Events: EventBridge rules that run a handler, on the claim's schedule or when AWS reports
 * something that threatens recovery, each with its target and a Lambda permission for that rule only.
 */
import { Rule } from "@crossplane-models/provider-upjet-aws/cloudwatchevents.aws.upbound.io/v1beta1/Rule";
import { Target } from "@crossplane-models/provider-upjet-aws/cloudwatchevents.aws.upbound.io/v1beta1/Target";
import { Permission } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta1/Permission";
import type { ManagedResource } from "../compose.js";
import type { RegionScope } from "../scope.js";
import { functionLogical } from "./compute.js";
import { handlersFor, resourceNames, type Handler } from "./names.js";

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
    id: "dr-check-schedule", target: "dr-check", description: "Runs the DR readiness check on the claim's schedule",
    schedule: (scope) => scope.env.spec.events.schedule,
  },
  {
    id: "aurora-events", target: "dr-check", description: "Checks again when the Aurora cluster fails over or fails",
    pattern: (scope) => ({
      source: ["aws.rds"], "detail-type": ["RDS DB Cluster Event"],
      detail: { SourceIdentifier: [resourceNames(scope).auroraCluster], EventCategories: ["failover", "failure", "global-failover"] },
    }),
  },
  {
    id: "health-events", target: "dr-check", description: "Checks again when AWS Health reports an issue with a service the environment uses",
    pattern: () => ({
      source: ["aws.health"], "detail-type": ["AWS Health Event"],
      detail: { service: ["APIGATEWAY", "DYNAMODB", "EC2", "LAMBDA", "RDS", "S3"], eventTypeCategory: ["issue"] },
    }),
  },
];

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
          region, description: rule.description, state: "ENABLED",
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
            region, ruleSelector: scope.select(logical), targetId: rule.target, arn: functionArn,
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
            region, functionNameSelector: scope.select(fn), action: "lambda:InvokeFunction",
            principal: "events.amazonaws.com", statementId: `events-${rule.id}`, sourceArn: ruleArn,
          },
        },
      });
    }
  }
  return out;
}
