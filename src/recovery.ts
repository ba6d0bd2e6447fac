/**
 * Recovery objectives modeled from an environment's configuration, term by term, so a team can
 * see why a tier recovers as fast as it does. The constants are planning figures from AWS's
 * published behaviour, not measurements of a particular environment:
 * - Aurora Global Database replicates with typical lag under 1 s; a managed failover of a
 *   secondary cluster completes in about a minute (AWS Aurora User Guide, "Using Amazon Aurora
 *   global databases").
 * - Route 53 marks an endpoint unhealthy after `failureThreshold` consecutive failed checks at the
 *   chosen interval; resolvers then follow the failover alias record within the TTL Route 53 gives
 *   alias answers (the target's, 60 s for AWS endpoints; an alias has no TTL of its own).
 * - Without a failover hostname (no `spec.dns`) clients must be re-pointed at the surviving
 *   region's URL themselves: a configuration change and rollout, planned at half an hour.
 * - DynamoDB global tables replicate within about a second; S3 Replication Time Control
 *   replicates 99.99% of objects within 15 minutes.
 * - Restoring Aurora from a snapshot or point in time, and rebuilding the stack in another
 *   region, takes hours; continuous backups give a recovery point of about 5 minutes.
 */
import type { EnvironmentSpec, Tier } from "./api/index.js";

export interface Term {
  name: string;
  seconds: number;
}

export interface RecoveryObjectives {
  strategy: string;
  rpoSeconds: number;
  rtoSeconds: number;
  terms: Term[];
}

export const PLANNING_FIGURES = {
  globalDatabaseLagSeconds: 1,
  globalDatabaseFailoverSeconds: 60,
  /** Starting a reader in a headless secondary cluster (pilot light) before it can take writes. */
  pilotLightScaleUpSeconds: 900,
  continuousBackupRpoSeconds: 300,
  restoreFromBackupSeconds: 4 * 3600,
  aliasTtlSeconds: 60,
  /** Re-pointing clients at the other region's URL by hand, when there is no failover hostname. */
  clientRepointSeconds: 1800,
} as const;

const STRATEGIES: Record<Tier, string> = {
  "backup-restore": "Backup and restore: continuous backups, restored into a new stack on disaster",
  "pilot-light": "Pilot light: data replicated to a secondary region with no running compute for the database",
  "warm-standby": "Warm standby: a scaled-down, running copy in the secondary region, failed over automatically",
};

export function recoveryObjectives(spec: EnvironmentSpec): RecoveryObjectives {
  const f = PLANNING_FIGURES;
  if (spec.tier === "backup-restore") {
    return {
      strategy: STRATEGIES[spec.tier],
      rpoSeconds: f.continuousBackupRpoSeconds,
      rtoSeconds: f.restoreFromBackupSeconds,
      terms: [{ name: "restore database and rebuild the stack in another region", seconds: f.restoreFromBackupSeconds }],
    };
  }
  const { healthCheckIntervalSeconds, failureThreshold } = spec.failover;
  const terms: Term[] = [
    { name: "health checks detect the failure (interval x threshold)", seconds: healthCheckIntervalSeconds * failureThreshold },
    { name: "Aurora Global Database managed failover", seconds: f.globalDatabaseFailoverSeconds },
    ...(spec.tier === "pilot-light"
      ? [{ name: "start a writer instance in the secondary cluster", seconds: f.pilotLightScaleUpSeconds }]
      : []),
    spec.dns
      ? { name: "DNS resolvers follow the failover alias record (alias TTL)", seconds: f.aliasTtlSeconds }
      : { name: "clients are re-pointed at the surviving region's URL (no failover hostname)", seconds: f.clientRepointSeconds },
  ];
  return {
    strategy: STRATEGIES[spec.tier],
    rpoSeconds: f.globalDatabaseLagSeconds,
    rtoSeconds: terms.reduce((sum, t) => sum + t.seconds, 0),
    terms,
  };
}
