/**
 * A monthly cost floor per environment, for comparing tiers before applying a claim. Prices are
 * US East (N. Virginia) on-demand list prices in USD from the AWS pricing pages, rounded; usage
 * charges (requests, storage growth, data transfer) are left out, so real bills are higher.
 */
import type { EnvironmentSpec } from "./api/index.js";

export const PRICES_USD = {
  /** Aurora Serverless v2, per ACU-hour (Aurora Standard). */
  auroraAcuHour: 0.12,
  /** Aurora Global Database replicated write I/O, approximated per month for a small workload. */
  globalDatabaseReplicationMonth: 20,
  /** Route 53: hosted zone per month; health check per month (AWS endpoint, standard / fast interval). */
  healthCheckMonth: { 30: 0.5, 10: 1.5 } as Record<10 | 30, number>,
  /** CloudWatch: alarm per month, dashboard per month (beyond the free three). */
  alarmMonth: 0.1,
  dashboardMonth: 3,
  /** KMS customer managed key per month. */
  kmsKeyMonth: 1,
  /** S3 Replication Time Control per GB is usage; its metrics, one month of a few metrics. */
  replicationMetricsMonth: 0.9,
  /** AWS Backup cross-region copy of a small cluster snapshot per month. */
  backupCopyMonth: 5,
} as const;

const HOURS_PER_MONTH = 730;

export interface CostLine {
  item: string;
  usd: number;
}

export function monthlyCostLines(spec: EnvironmentSpec): CostLine[] {
  const p = PRICES_USD;
  const acuFloor = spec.database.minCapacity * p.auroraAcuHour * HOURS_PER_MONTH;
  const regions = spec.tier === "backup-restore" ? 1 : 2;
  const lines: CostLine[] = [
    { item: "Aurora writer at minimum capacity", usd: acuFloor },
    { item: "KMS keys (database, storage, alerts) per region", usd: 3 * p.kmsKeyMonth * regions },
    { item: "CloudWatch alarms and dashboard per region", usd: (12 * p.alarmMonth + p.dashboardMonth) * regions },
  ];
  if (spec.tier === "backup-restore" && spec.secondaryRegion)
    lines.push({ item: "AWS Backup cross-region copies", usd: p.backupCopyMonth });
  if (spec.tier === "warm-standby") lines.push({ item: "Aurora reader in the secondary region at minimum capacity", usd: acuFloor });
  if (regions === 2) {
    lines.push(
      { item: "Aurora Global Database replication", usd: p.globalDatabaseReplicationMonth },
      {
        // The hosted zone is the team's own (spec.dns); public ACM certificates and custom domains cost nothing.
        item: "Route 53 health checks, one per region",
        usd: 2 * p.healthCheckMonth[spec.failover.healthCheckIntervalSeconds],
      },
      { item: "S3 replication metrics", usd: p.replicationMetricsMonth },
    );
  }
  return lines;
}

export function estimatedMonthlyCostUSD(spec: EnvironmentSpec): number {
  return Math.round(monthlyCostLines(spec).reduce((sum, l) => sum + l.usd, 0) * 100) / 100;
}
