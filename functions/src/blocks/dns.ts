/**
 * DNS failover (DR tiers): one hosted zone, a Route 53 health check on each region's
 * `GET /health`, and a failover record per region. The active region's record is PRIMARY, so
 * changing `spec.failover.activeRegion` flips the roles and moves traffic: a planned switchover
 * is a one-field change of the claim.
 */
import { Zone } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/Zone";
import { HealthCheck } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/HealthCheck";
import { Record as DnsRecord } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta1/Record";
import type { ManagedResource } from "../compose.js";
import type { RegionScope } from "../scope.js";
import { failoverDomain, hostedZoneName } from "../../../src/naming.js";
import { LOGICAL, resourceNames } from "./names.js";

export function dns(scope: RegionScope): Record<string, ManagedResource> {
  const { failover } = scope.env.spec;
  const out: Record<string, ManagedResource> = {};
  if (scope.region.role === "primary") {
    const zone = hostedZoneName(scope.env.suffix, failover.hostedZoneName);
    out["dns-zone"] = new Zone({
      spec: {
        forProvider: { name: zone, comment: `Failover records of DR environment ${scope.env.suffix}`, forceDestroy: !scope.protection, tags: scope.tags(zone) },
      },
    });
  }

  // The health check and record need the API's AWS-assigned id; until then this region has no record.
  const restApiId = scope.atProvider(LOGICAL.restApi, "id", "dns-failover-record");
  if (!restApiId) return out;
  const target = `${restApiId}.execute-api.${scope.region.name}.amazonaws.com`;
  out["health-check"] = new HealthCheck({
    spec: {
      forProvider: {
        type: "HTTPS", fqdn: target, port: 443, resourcePath: `/${resourceNames(scope).apiStage}/health`, enableSni: true,
        requestInterval: failover.healthCheckIntervalSeconds, failureThreshold: failover.failureThreshold, measureLatency: true,
        tags: scope.tags(scope.name("health", true)),
      },
    },
  });
  out["dns-failover-record"] = new DnsRecord({
    spec: {
      forProvider: {
        zoneIdSelector: scope.select("dns-zone", "primary"),
        name: failoverDomain(scope.env.suffix, failover.hostedZoneName), type: "CNAME", ttl: failover.dnsTtlSeconds, records: [target],
        setIdentifier: scope.region.role,
        failoverRoutingPolicy: [{ type: scope.region.active ? "PRIMARY" : "SECONDARY" }],
        healthCheckIdSelector: scope.select("health-check"),
      },
    },
  });
  return out;
}
