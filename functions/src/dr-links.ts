/**
 * The links that make an environment disaster-recovery ready: what keeps the secondary region a
 * copy of the primary (and the DNS pair that moves traffic between them). Most of them are ARNs
 * AWS decides, not selectors, so nothing in the composed resources' shape shows them; this table
 * says which composed resources each block ties together across regions.
 */
import type { Environment, RegionRole } from "./environment.js";
import { LOGICAL } from "./blocks/names.js";
import { functionLogical } from "./blocks/compute.js";

export const DR_LINK_KINDS = [
  "global database",
  "table replica",
  "bucket replication",
  "backup copy",
  "queue fan-out",
  "failover pair",
] as const;
export type DrLinkKind = (typeof DR_LINK_KINDS)[number];

export interface DrLink {
  kind: DrLinkKind;
  /** Composed resource names: `from` copies to, joins or pairs with `to`. */
  from: string;
  to: string;
}

const key = (role: RegionRole, logical: string) => `${role}-${logical}`;

/** Every cross-region link of `env`; an environment with one region and no backup region has none. */
export function drLinks(env: Environment): DrLink[] {
  if (env.backupOnlyRegion)
    return [{ kind: "backup copy", from: key("primary", LOGICAL.backupPlan), to: key("secondary", LOGICAL.backupVault) }];
  if (!env.secondary) return [];
  const roles: Array<[RegionRole, RegionRole]> = [
    ["primary", "secondary"],
    ["secondary", "primary"],
  ];
  const links: DrLink[] = [
    // Both clusters are members of the one Global Database, which the primary region holds: it is
    // made from the primary cluster, and the secondary joins it.
    ...roles.map(([role]) => ({
      kind: "global database" as const,
      from: key(role, LOGICAL.auroraCluster),
      to: key("primary", LOGICAL.globalCluster),
    })),
    { kind: "table replica", from: key("primary", LOGICAL.table), to: key("secondary", LOGICAL.tableReplica) },
    // Each region's bucket replicates to the other's (see the storage block), and its backups are copied to the other's vault.
    ...roles.map(([from, to]) => ({
      kind: "bucket replication" as const,
      from: key(from, LOGICAL.bucketReplication),
      to: key(to, LOGICAL.bucket),
    })),
    ...roles.map(([from, to]) => ({ kind: "backup copy" as const, from: key(from, LOGICAL.backupPlan), to: key(to, LOGICAL.backupVault) })),
  ];
  // Failover records exist only on the team's own DNS (spec.dns).
  if (env.spec.dns)
    links.push({ kind: "failover pair", from: key("primary", LOGICAL.failoverAlias), to: key("secondary", LOGICAL.failoverAlias) });
  // Each region's API sends every message to the other region's queue too (and to its own).
  if (env.spec.messaging.enabled)
    links.push(
      ...roles.map(([from, to]) => ({
        kind: "queue fan-out" as const,
        from: key(from, functionLogical("api")),
        to: key(to, LOGICAL.queue),
      })),
    );
  return links;
}
