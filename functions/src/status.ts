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
import { LOGICAL, tableLogical } from "./blocks/names.js";
import { failoverDomain, failoverUrl } from "../../src/naming.js";
import type { RegionRole } from "./environment.js";
import { globalWriterEndpoint } from "./connection.js";
import { backupStatus } from "./blocks/backup.js";

interface StatusSource {
  resource: string;
  field: string;
  /** Turns the observed value into the status value; the value as is when absent. */
  value?: (observed: string) => string | undefined;
}

/** The table name in a table's or replica's ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`). */
const tableNameOfArn = (arn: string) => /:table\/([^/]+)$/.exec(arn)?.[1];

/**
 * Where each status field of a region is read from: a composed resource's logical name and its
 * atProvider field. The secondary's table is the replica of the primary's, named by its ARN.
 */
export function regionStatusSources(role: RegionRole): Record<string, StatusSource> {
  return {
    apiUrl: { resource: LOGICAL.apiStage, field: "invokeUrl" },
    dbWriterEndpoint: { resource: LOGICAL.auroraCluster, field: "endpoint" },
    dbReaderEndpoint: { resource: LOGICAL.auroraCluster, field: "readerEndpoint" },
    bucketName: { resource: LOGICAL.bucket, field: "id" },
    tableName: { resource: tableLogical(role), field: "arn", value: tableNameOfArn },
  };
}

export function isReady(observed: ObservedResource | undefined): boolean {
  return observed?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function regionStatus(env: Environment, region: RegionContext): NonNullable<EnvironmentStatus["primary"]> {
  const status: Record<string, string> = { region: region.name };
  for (const [field, source] of Object.entries(regionStatusSources(region.role))) {
    const observed = env.observed[`${region.role}-${source.resource}`]?.status?.atProvider?.[source.field];
    const value = typeof observed === "string" && observed !== "" ? (source.value ? source.value(observed) : observed) : undefined;
    if (value) status[field] = value;
  }
  return status;
}

/** How clients follow a failover: the failover hostname, or by hand between the regions' own URLs. */
function clientFailover(env: Environment): Pick<EnvironmentStatus, "failoverDomain" | "failoverUrl" | "clientFailover"> {
  if (!env.secondary) return {};
  const url = failoverUrl(env.spec.dns);
  if (!url) {
    return {
      clientFailover:
        "no failover hostname (spec.dns is not set): clients switch between status.primary.apiUrl and status.secondary.apiUrl themselves",
    };
  }
  return {
    failoverDomain: failoverDomain(env.spec.dns),
    failoverUrl: url,
    clientFailover: `${url} follows the active region: a Route 53 failover alias onto each region's custom domain`,
  };
}

export function environmentStatus(env: Environment, desired: string[], pending: Pending[]): EnvironmentStatus {
  const notReady = desired.filter((name) => !isReady(env.observed[name]));
  const active = env.regions.find((r) => r.active) ?? env.primary;
  return {
    primary: regionStatus(env, env.primary),
    ...(env.secondary ? { secondary: regionStatus(env, env.secondary) } : {}),
    ...clientFailover(env),
    activeRegion: active.name,
    ...(globalWriterEndpoint(env) ? { globalWriterEndpoint: globalWriterEndpoint(env) } : {}),
    backups: backupStatus(env),
    recovery: recoveryObjectives(env.spec),
    estimatedMonthlyCostUSD: estimatedMonthlyCostUSD(env.spec),
    resources: { desired: desired.length, ready: desired.length - notReady.length },
    pending: [
      ...pending.map((p) => `${p.resource} ${p.reason}`),
      ...(notReady.length > 0 ? [`${notReady.length} of ${desired.length} composed resources are not ready yet`] : []),
    ],
  };
}
