/**
 * DNS failover (DR tiers): a Route 53 health check on each region's `GET /health`, a CloudWatch
 * alarm on each health check, and, when the claim names the team's own zone (`spec.dns`), a
 * failover alias record per region onto that region's API Gateway custom domain (see api.ts). The
 * active region's record is PRIMARY, so changing `spec.failover.activeRegion` flips the roles and
 * moves traffic: a planned switchover is a one-field change of the claim.
 *
 * The zone is the team's: composed observe-only, so the environment reads it and writes records
 * into it but never creates, changes or deletes it. Without `spec.dns` there is no zone and no
 * record; the health checks stay, since their alarms drive the failover orchestrator.
 */
import { Zone } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/Zone";
import { HealthCheck } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/HealthCheck";
import { Record as DnsRecord } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta2/Record";
import { MetricAlarm } from "@crossplane-models/provider-upjet-aws/cloudwatch.aws.upbound.io/v1beta2/MetricAlarm";
import type { DnsSpec } from "../../../src/api/index.js";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { healthAlarmName, LOGICAL, resourceNames } from "./names.js";

/** Route 53 publishes health check metrics in this region only, so their alarms live here. */
export const ROUTE53_METRICS_REGION = "us-east-1";

/** The team's DNS, where the environment has a failover hostname: DR tiers whose claim names a zone. */
export function teamDns(scope: RegionScope): DnsSpec | undefined {
  return scope.env.secondary ? scope.env.spec.dns : undefined;
}

const withoutTrailingDot = (name: string) => name.replace(/\.$/, "").toLowerCase();

/**
 * Whether records may be written into the team's zone yet: only once it is observed to be the
 * public zone the claim names. Throws, naming the field, when it is another zone or a private one:
 * the function then returns Fatal and the desired state stays as it was.
 */
export function zoneVerified(scope: RegionScope, dns: DnsSpec, waiting: string): boolean {
  const zoneKey = scope.key(LOGICAL.teamZone, "primary");
  const name = scope.atProvider(LOGICAL.teamZone, "name", waiting, "primary");
  if (!name) return false;
  if (withoutTrailingDot(name) !== dns.zoneName) {
    throw new Error(
      `spec.dns.zoneName is ${dns.zoneName}, but hosted zone ${dns.hostedZoneId} (spec.dns.hostedZoneId) is ${withoutTrailingDot(name)}: name the zone that holds spec.dns.hostname`,
    );
  }
  const vpcs = scope.observed(LOGICAL.teamZone, "primary")?.status?.atProvider?.vpc;
  if (Array.isArray(vpcs) && vpcs.length > 0) {
    throw new Error(
      `spec.dns.hostedZoneId: hosted zone ${dns.hostedZoneId} (${zoneKey}) is private (associated with a VPC); the failover hostname and its certificate validation need a public zone`,
    );
  }
  return true;
}

export function dns(scope: RegionScope): Record<string, ManagedResource> {
  const { failover } = scope.env.spec;
  const team = teamDns(scope);
  const out: Record<string, ManagedResource> = {};
  if (team && scope.region.role === "primary") {
    // Observe only: the provider reads the zone by its id and never writes or deletes it.
    out[LOGICAL.teamZone] = new Zone({
      metadata: scope.externalName(team.hostedZoneId),
      spec: { managementPolicies: ["Observe"], deletionPolicy: "Orphan", forProvider: {} },
    });
  }

  // The health check needs the API's AWS-assigned id; until then this region has none.
  const restApiId = scope.atProvider(LOGICAL.restApi, "id", LOGICAL.healthCheck);
  if (restApiId) {
    // The checkers probe the region's own execute-api endpoint: the failover hostname would
    // answer from whichever region is active, so it cannot tell one region's health.
    out[LOGICAL.healthCheck] = new HealthCheck({
      spec: {
        forProvider: {
          type: "HTTPS",
          fqdn: `${restApiId}.execute-api.${scope.region.name}.amazonaws.com`,
          port: 443,
          resourcePath: `/${resourceNames(scope).apiStage}/health`,
          enableSni: true,
          requestInterval: failover.healthCheckIntervalSeconds,
          failureThreshold: failover.failureThreshold,
          measureLatency: true,
          tags: scope.tags(scope.name("health", true)),
        },
      },
    });
  }
  // Unhealthy for one minute: the same failures that move DNS. Without actions, since the regional
  // topics may be in other regions; the orchestrator gets the state change through EventBridge.
  // A failover that may lose data must follow failures the checkers saw, never absent metrics.
  const healthCheckId = restApiId && scope.atProvider(LOGICAL.healthCheck, "id", LOGICAL.healthAlarm);
  if (healthCheckId) {
    const alarmName = healthAlarmName(scope.env, scope.region.role);
    out[LOGICAL.healthAlarm] = new MetricAlarm({
      metadata: scope.externalName(alarmName),
      spec: {
        forProvider: {
          region: ROUTE53_METRICS_REGION,
          alarmDescription: `GET /health of ${scope.region.name} fails Route 53 health checks`,
          namespace: "AWS/Route53",
          metricName: "HealthCheckStatus",
          dimensions: { HealthCheckId: healthCheckId },
          statistic: "Minimum",
          comparisonOperator: "LessThanThreshold",
          threshold: 1,
          period: 60,
          evaluationPeriods: 1,
          treatMissingData: "notBreaching",
          tags: scope.tags(alarmName),
        },
      },
    });
  }

  if (!team || !restApiId || !zoneVerified(scope, team, LOGICAL.failoverAlias)) return out;
  // An alias answers with the custom domain's addresses, so clients reach the hostname API
  // Gateway serves and the certificate that names it. AWS decides both values of the target.
  const regionalDomainName = scope.atProvider(LOGICAL.domainName, "regionalDomainName", LOGICAL.failoverAlias);
  const regionalZoneId = scope.atProvider(LOGICAL.domainName, "regionalZoneId", LOGICAL.failoverAlias);
  if (!regionalDomainName || !regionalZoneId) return out;
  out[LOGICAL.failoverAlias] = new DnsRecord({
    spec: {
      forProvider: {
        zoneIdSelector: scope.select(LOGICAL.teamZone, "primary"),
        name: team.hostname,
        type: "A",
        // The record's own health check (GET /health through the stage) decides; the target's
        // health would add nothing Route 53 can see of a regional API.
        alias: { name: regionalDomainName, zoneId: regionalZoneId, evaluateTargetHealth: false },
        setIdentifier: scope.region.role,
        failoverRoutingPolicy: { type: scope.region.active ? "PRIMARY" : "SECONDARY" },
        healthCheckIdSelector: scope.select(LOGICAL.healthCheck),
      },
    },
  });
  return out;
}
