/**
 * DNS failover (DR tiers): one hosted zone, a Route 53 health check on each region's
 * `GET /health`, a CloudWatch alarm on each health check, and a failover record per region. The
 * active region's record is PRIMARY, so changing `spec.failover.activeRegion` flips the roles and
 * moves traffic: a planned switchover is a one-field change of the claim.
 */
import { Zone } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/Zone";
import { HealthCheck } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/HealthCheck";
import { Record as DnsRecord } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/Record";
import { MetricAlarm } from "@crossplane-models/provider-upjet-aws/cloudwatch.aws.upbound.io/v1beta1/MetricAlarm";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { failoverDomain, hostedZoneName } from "../../../src/naming.js";
import { healthAlarmName, LOGICAL, resourceNames } from "./names.js";

/** Route 53 publishes health check metrics in this region only, so their alarms live here. */
export const ROUTE53_METRICS_REGION = "us-east-1";

export function dns(scope: RegionScope): Record<string, ManagedResource> {
  const { failover } = scope.env.spec;
  const out: Record<string, ManagedResource> = {};
  if (scope.region.role === "primary") {
    const zone = hostedZoneName(scope.env.suffix, failover.hostedZoneName);
    out["dns-zone"] = new Zone({
      spec: {
        forProvider: {
          name: zone,
          comment: `Failover records of DR environment ${scope.env.suffix}`,
          forceDestroy: !scope.protection,
          tags: scope.tags(zone),
        },
      },
    });
  }

  // The health check and record need the API's AWS-assigned id; until then this region has no record.
  const restApiId = scope.atProvider(LOGICAL.restApi, "id", LOGICAL.failoverRecord);
  if (!restApiId) return out;
  const target = `${restApiId}.execute-api.${scope.region.name}.amazonaws.com`;
  out[LOGICAL.healthCheck] = new HealthCheck({
    spec: {
      forProvider: {
        type: "HTTPS",
        fqdn: target,
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
  // Unhealthy for one minute: the same failures that move DNS. Without actions, since the regional
  // topics may be in other regions; the orchestrator gets the state change through EventBridge.
  // A failover that may lose data must follow failures the checkers saw, never absent metrics.
  const healthCheckId = scope.atProvider(LOGICAL.healthCheck, "id", LOGICAL.healthAlarm);
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
  out[LOGICAL.failoverRecord] = new DnsRecord({
    spec: {
      forProvider: {
        zoneIdSelector: scope.select("dns-zone", "primary"),
        name: failoverDomain(scope.env.suffix, failover.hostedZoneName),
        type: "CNAME",
        ttl: failover.dnsTtlSeconds,
        records: [target],
        setIdentifier: scope.region.role,
        failoverRoutingPolicy: [{ type: scope.region.active ? "PRIMARY" : "SECONDARY" }],
        healthCheckIdSelector: scope.select(LOGICAL.healthCheck),
      },
    },
  });
  return out;
}
