/**
 * AWS names that more than one block needs: the block that creates a resource and the blocks
 * that point at it by name (alarm dimensions, environment variables, policies) read them here.
 */
import { awsName } from "../../../src/naming.js";
import type { Environment, RegionRole } from "../environment.js";
import type { RegionScope } from "../scope.js";

/** Lambda handlers per region; the secondary of a DR tier adds the failover orchestrator. */
export type Handler = "api" | "dr-check" | "failover";

export function handlersFor(scope: RegionScope): Handler[] {
  return scope.region.role === "secondary" ? ["api", "dr-check", "failover"] : ["api", "dr-check"];
}

/** Logical names other blocks point at (selectors, observed values); the owning block uses these too. */
export const LOGICAL = {
  restApi: "rest-api",
  apiStage: "api-stage",
  globalCluster: "aurora-global-cluster",
  auroraCluster: "aurora-cluster",
  auroraInstance: (n: number) => `aurora-instance-${n}`,
  masterSecret: "aurora-master-secret",
  table: "table",
  tableReplica: "table-replica",
  bucket: "bucket",
  storageKey: "storage-key",
  alertsTopic: "alerts-topic",
  alertsKey: "alerts-key",
  healthCheck: "health-check",
  teamZone: "team-zone",
  certificate: "certificate",
  certificateValidationRecord: "certificate-validation-record",
  certificateValidation: "certificate-validation",
  domainName: "domain-name",
  basePathMapping: "base-path-mapping",
  failoverAlias: "failover-alias",
  healthAlarm: "health-check-alarm",
  queue: "queue",
  deadLetterQueue: "queue-dlq",
  vpc: "vpc",
  bucketReplication: "bucket-replication",
  backupPlan: "backup-plan",
  backupVault: "backup-vault",
} as const;

/** The table in a region: the primary holds the table, the secondary a replica of it. */
export function tableLogical(role: RegionRole): string {
  return role === "primary" ? LOGICAL.table : LOGICAL.tableReplica;
}

/** The Aurora Global Database's identifier: one per environment, so not regional. */
export function globalClusterName(env: Environment): string {
  return awsName("aurora-global", { suffix: env.suffix, owner: env.ownerId });
}

/**
 * The secondary's alarm on its canary's probe of the primary database (monitoring composes it,
 * events routes its state changes to the orchestrator in the same region).
 */
export const PRIMARY_DOWN_ALARM = "primary-database-down";

/** The Route 53 health check alarm of a region; an EventBridge rule matches state changes by this name. */
export function healthAlarmName(env: Environment, role: RegionRole): string {
  const region = role === "primary" ? env.primary : env.secondary;
  return awsName("health", { suffix: env.suffix, owner: env.ownerId, region: region?.name });
}

export function resourceNames(scope: RegionScope) {
  return {
    auroraCluster: scope.name("aurora", true),
    globalCluster: globalClusterName(scope.env),
    table: scope.name("table"),
    restApi: scope.name("api", true),
    apiStage: "live",
    queue: scope.name("queue", true),
    deadLetterQueue: scope.name("queue-dlq", true),
    functions: handlersFor(scope).map((handler) => ({ handler, name: scope.name(handler, true) })),
  };
}
