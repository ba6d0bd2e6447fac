/**
 * What the composite reports back: endpoints and names observed in AWS, how many composed
 * resources are ready, and what is still pending. Readiness of each composed resource comes from
 * its observed Ready condition, so the composite is Ready exactly when all of them are.
 */
import type { EnvironmentStatus } from "../../src/api/index.js";
import { recoveryObjectives } from "../../src/recovery.js";
import { estimatedMonthlyCostUSD } from "../../src/cost.js";
import type { Environment, ObservedResource, RegionContext } from "./environment.js";
import type { Pending } from "./scope.js";
import { LOGICAL } from "./blocks/names.js";
import { failoverDomain } from "../../src/naming.js";

/** Where each status field is read from: a composed resource's logical name and its atProvider field. */
export const REGION_STATUS_SOURCES = {
  apiUrl: { resource: LOGICAL.apiStage, field: "invokeUrl" },
  dbWriterEndpoint: { resource: LOGICAL.auroraCluster, field: "endpoint" },
  dbReaderEndpoint: { resource: LOGICAL.auroraCluster, field: "readerEndpoint" },
  bucketName: { resource: LOGICAL.bucket, field: "id" },
  tableName: { resource: LOGICAL.table, field: "id" },
} as const;

export function isReady(observed: ObservedResource | undefined): boolean {
  return observed?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function regionStatus(env: Environment, region: RegionContext): NonNullable<EnvironmentStatus["primary"]> {
  const status: Record<string, string> = { region: region.name };
  for (const [field, source] of Object.entries(REGION_STATUS_SOURCES)) {
    const value = env.observed[`${region.role}-${source.resource}`]?.status?.atProvider?.[source.field];
    if (typeof value === "string" && value !== "") status[field] = value;
  }
  return status;
}

export function environmentStatus(env: Environment, desired: string[], pending: Pending[]): EnvironmentStatus {
  const notReady = desired.filter((name) => !isReady(env.observed[name]));
  const active = env.regions.find((r) => r.active) ?? env.primary;
  return {
    primary: regionStatus(env, env.primary),
    ...(env.secondary
      ? { secondary: regionStatus(env, env.secondary), failoverDomain: failoverDomain(env.suffix, env.spec.failover.hostedZoneName) }
      : {}),
    activeRegion: active.name,
    recovery: recoveryObjectives(env.spec),
    estimatedMonthlyCostUSD: estimatedMonthlyCostUSD(env.spec),
    resources: { desired: desired.length, ready: desired.length - notReady.length },
    pending: [
      ...pending.map((p) => `${p.resource} ${p.reason}`),
      ...(notReady.length > 0 ? [`${notReady.length} of ${desired.length} composed resources are not ready yet`] : []),
    ],
  };
}
