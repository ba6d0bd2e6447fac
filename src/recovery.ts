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
 *   region, takes hours; continuous backups give a recovery point of about 5 minutes, but only in
 *   their own region. What leaves the region is the daily recovery point AWS Backup copies to the
 *   backup region after each daily backup, so a regional disaster can lose up to a day.
 */
import type { EnvironmentSpec, Tier } from "./api/index.js";

/** The steps of a recovery; the orchestrator's steps carry the same names (test/drill checks they match). */
export type Step = "detect" | "add-writer" | "promote" | "dns" | "restore";

export interface Term {
  name: string;
  step: Step;
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
  /** Adding a writer instance to a headless secondary cluster (pilot light) before it can be promoted. */
  pilotLightScaleUpSeconds: 900,
  continuousBackupRpoSeconds: 300,
  /** backup-restore in a regional disaster: the newest recovery point in the backup region is the last daily copy. */
  dailyCopyRpoSeconds: 24 * 3600,
  /**
   * How long the secondary's canary must see the primary database unavailable before automatic
   * promotion: longer than Aurora's own in-region failover (about 30-120 s) and a transient API or
   * network blip, since promoting may lose the writes not yet replicated.
   */
  automaticPromotionSustainSeconds: 300,
  /** Without automatic promotion: a person is paged, decides, and runs drctl failover --unplanned. */
  onCallDecisionSeconds: 900,
  restoreFromBackupSeconds: 4 * 3600,
  aliasTtlSeconds: 60,
  /** Re-pointing clients at the other region's URL by hand, when there is no failover hostname. */
  clientRepointSeconds: 1800,
} as const;

const STRATEGIES: Record<Tier, string> = {
  "backup-restore": "Backup and restore: continuous backups, restored into a new stack on disaster",
  "pilot-light": "Pilot light: data replicated to a secondary region with no running compute for the database",
  "warm-standby": "Warm standby: a scaled-down, running copy in the secondary region with a reader ready to promote",
};

export function recoveryObjectives(spec: EnvironmentSpec): RecoveryObjectives {
  const f = PLANNING_FIGURES;
  if (spec.tier === "backup-restore") {
    // With a backup region the model is the regional disaster; without one no backup survives it,
    // so the figures are those of an in-region restore (status.backups.note says so).
    return spec.secondaryRegion
      ? {
          strategy: `${STRATEGIES[spec.tier]}; daily recovery points copied to ${spec.secondaryRegion}`,
          rpoSeconds: f.dailyCopyRpoSeconds,
          rtoSeconds: f.restoreFromBackupSeconds,
          terms: [
            {
              name: `restore the last copied recovery points and rebuild the stack in ${spec.secondaryRegion}`,
              step: "restore",
              seconds: f.restoreFromBackupSeconds,
            },
          ],
        }
      : {
          strategy: `${STRATEGIES[spec.tier]}; backups stay in ${spec.primaryRegion}, so a regional outage waits for its return`,
          rpoSeconds: f.continuousBackupRpoSeconds,
          rtoSeconds: f.restoreFromBackupSeconds,
          terms: [
            { name: `restore from continuous backups in ${spec.primaryRegion}`, step: "restore", seconds: f.restoreFromBackupSeconds },
          ],
        };
  }
  const { automaticPromotion } = spec.failover;
  const terms: Term[] = [
    automaticPromotion
      ? {
          name: "the secondary's canary sees the primary database down, minutes in a row",
          step: "detect",
          seconds: f.automaticPromotionSustainSeconds,
        }
      : { name: "on-call is paged, decides, and runs drctl failover --unplanned", step: "detect", seconds: f.onCallDecisionSeconds },
    ...(spec.tier === "pilot-light"
      ? [
          {
            name: "the orchestrator adds a writer instance to the headless secondary cluster",
            step: "add-writer" as const,
            seconds: f.pilotLightScaleUpSeconds,
          },
        ]
      : []),
    { name: "Aurora Global Database managed failover", step: "promote", seconds: f.globalDatabaseFailoverSeconds },
    // Route 53 health checks move PRIMARY while the database is recovered, so only the alias TTL adds up.
    spec.dns
      ? { name: "DNS resolvers follow the failover alias record (alias TTL)", step: "dns", seconds: f.aliasTtlSeconds }
      : {
          name: "clients are re-pointed at the surviving region's URL (no failover hostname)",
          step: "dns",
          seconds: f.clientRepointSeconds,
        },
  ];
  return {
    strategy: STRATEGIES[spec.tier],
    rpoSeconds: f.globalDatabaseLagSeconds,
    rtoSeconds: terms.reduce((sum, t) => sum + t.seconds, 0),
    terms,
  };
}
