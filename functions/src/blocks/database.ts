/**
 * Database: Aurora PostgreSQL Serverless v2 in the region's private subnets, encrypted with the
 * region's own KMS key, TLS-only, IAM authentication on. Its backups are the backup block's.
 *
 * DR tiers make the two clusters one Aurora Global Database: the primary region's block composes
 * the GlobalCluster, both clusters join it by its identifier, and the secondary cluster is headless
 * in pilot light (no instances) and has one reader at minimum capacity in warm standby.
 *
 * How `spec.failover.activeRegion` maps onto the clusters: it does not. Which cluster writes is
 * state AWS owns and changes at run time (an unplanned FailoverGlobalCluster by the orchestrator,
 * or a planned SwitchoverGlobalCluster); the composition never expresses it. The cluster specs are
 * fixed by region role for the environment's life: the primary-role cluster is the one created
 * with the master user and database, the secondary-role cluster joined without credentials. If
 * the specs followed activeRegion, a switch would ask to move credentials between clusters, which
 * the provider can only do by replacing a cluster (master username forces a new one), and an
 * unplanned failover the claim has not caught up with would be reverted. activeRegion instead
 * drives what is declarative: the PRIMARY DNS record (dns), a writer instance in a pilot-light
 * secondary that is to take over (below), and one planned-switchover invocation of the
 * orchestrator per target region (events), which skips when that region already writes.
 */
import { Key } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Key";
import { Alias } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Alias";
import { SubnetGroup } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/SubnetGroup";
import { ClusterParameterGroup } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/ClusterParameterGroup";
import { Cluster } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta2/Cluster";
import { ClusterInstance } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/ClusterInstance";
import { Group as LogGroup } from "@crossplane-models/provider-upjet-aws/cloudwatchlogs.aws.upbound.io/v1beta1/Group";
import { GlobalCluster } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/GlobalCluster";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { DATABASE_PORT, subnetTierSelector } from "./network.js";
import { LOGICAL, resourceNames } from "./names.js";

export const AURORA_ENGINE = "aurora-postgresql";
export const MASTER_USERNAME = "dradmin";
/** Serverless v2 instances of a primary cluster; the first is the writer. Aurora storage spans three AZs already. */
export const AURORA_INSTANCES = 1;

/**
 * Where the provider keeps a generated master password for clusters RDS cannot manage one for;
 * the same namespace the Composition writes connection secrets to.
 */
export const MASTER_PASSWORD_SECRET_NAMESPACE = "crossplane-system";

/**
 * Instances of the region's cluster. A secondary has one reader in warm standby; in pilot light
 * none, until the claim makes it the active region: a headless cluster cannot take over.
 */
export function auroraInstanceCount(scope: RegionScope): number {
  const { env, region } = scope;
  if (region.role === "primary") return AURORA_INSTANCES;
  return env.tier === "warm-standby" || region.active ? 1 : 0;
}

/** Whether the environment's clusters form a Global Database (the DR tiers). */
export function isGlobal(scope: RegionScope): boolean {
  return scope.env.secondary !== undefined;
}
export const DATABASE_LOG_RETENTION_DAYS = 30;

// Windows in UTC that do not overlap: RDS's own backup, then maintenance, then the AWS Backup job (backup.ts).
export const PREFERRED_BACKUP_WINDOW = "03:00-04:00";
export const PREFERRED_MAINTENANCE_WINDOW = "sun:04:30-sun:05:30";

/** Cluster parameters; rds.force_ssl rejects every connection without TLS. */
export const CLUSTER_PARAMETERS = [{ name: "rds.force_ssl", value: "1" }] as const;

export function parameterGroupFamily(engineVersion: string): string {
  return `${AURORA_ENGINE}${engineVersion.split(".")[0]}`;
}

/**
 * The region's database key and its alias. It encrypts the backup vault as well, so the backup
 * block composes it in a backup-restore environment's backup region, where no cluster runs.
 */
export function databaseKey(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  return {
    "database-key": new Key({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          description: `Encrypts Aurora storage, its master user secret and backups of ${scope.env.suffix} in ${region}`,
          enableKeyRotation: true,
          deletionWindowInDays: scope.protection ? 30 : 7,
          tags: scope.tags(scope.name("database-key", true)),
        },
      },
    }),
    "database-key-alias": new Alias({
      metadata: scope.externalName(scope.kmsAlias("database").externalName),
      spec: { deletionPolicy: scope.deletionPolicy, forProvider: { region, targetKeyIdSelector: scope.select("database-key") } },
    }),
  };
}

export function database(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const { database: db } = scope.env.spec;
  const protection = scope.protection;
  const clusterId = resourceNames(scope).auroraCluster;
  const key = scope.select("database-key");
  const subnetGroupName = scope.name("aurora", true);
  const major = db.engineVersion.split(".")[0];
  const parameterGroupName = scope.name(`aurora-pg${major}`, true);
  const logGroupName = `/aws/rds/cluster/${clusterId}/postgresql`;

  const out: Record<string, ManagedResource> = {
    ...databaseKey(scope),
    // A kept cluster keeps its subnet group and its parameters (rds.force_ssl); AWS refuses to
    // delete either while a cluster uses them.
    "aurora-subnet-group": new SubnetGroup({
      metadata: scope.externalName(subnetGroupName),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          description: `Private subnets of ${scope.env.suffix} for Aurora`,
          subnetIdSelector: subnetTierSelector(scope, "private"),
          tags: scope.tags(subnetGroupName),
        },
      },
    }),
    // The name carries the major version: a major upgrade needs a group of the new family beside the old one.
    "aurora-parameter-group": new ClusterParameterGroup({
      metadata: scope.externalName(parameterGroupName),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          family: parameterGroupFamily(db.engineVersion),
          description: `Aurora PostgreSQL ${major} parameters of ${scope.env.suffix}`,
          parameter: CLUSTER_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" })),
          tags: scope.tags(parameterGroupName),
        },
      },
    }),
    // RDS would create this group itself with no retention; composing it first bounds what the logs keep.
    "aurora-log-group": new LogGroup({
      metadata: scope.externalName(logGroupName),
      spec: { forProvider: { region, retentionInDays: DATABASE_LOG_RETENTION_DAYS, tags: scope.tags(logGroupName) } },
    }),
  };

  const global = isGlobal(scope);
  const primary = scope.region.role === "primary";
  if (global && primary) {
    out[LOGICAL.globalCluster] = new GlobalCluster({
      metadata: scope.externalName(resourceNames(scope).globalCluster),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          engine: AURORA_ENGINE,
          engineVersion: db.engineVersion,
          storageEncrypted: true,
          // Members leave the global cluster before it is deleted, so an unprotected environment can go.
          deletionProtection: protection,
          forceDestroy: !protection,
          tags: scope.tags(resourceNames(scope).globalCluster),
        },
      },
    });
  }

  // A secondary cluster joins a global cluster that has its primary already; until AWS reports
  // the primary cluster, this region's cluster (and its instances) wait.
  const joinable = !global || primary || scope.atProvider(LOGICAL.auroraCluster, "arn", LOGICAL.auroraCluster, "primary");
  if (!joinable) return out;

  out[LOGICAL.auroraCluster] = new Cluster({
    metadata: scope.externalName(clusterId),
    spec: {
      deletionPolicy: scope.deletionPolicy,
      forProvider: {
        region,
        engine: AURORA_ENGINE,
        engineMode: "provisioned",
        engineVersion: db.engineVersion,
        port: DATABASE_PORT,
        ...credentials(scope),
        ...(global ? { globalClusterIdentifier: resourceNames(scope).globalCluster } : {}),
        serverlessv2ScalingConfiguration: { minCapacity: db.minCapacity, maxCapacity: db.maxCapacity },
        storageEncrypted: true,
        kmsKeyIdSelector: key,
        iamDatabaseAuthenticationEnabled: true,
        backupRetentionPeriod: db.backupRetentionDays,
        preferredBackupWindow: PREFERRED_BACKUP_WINDOW,
        preferredMaintenanceWindow: PREFERRED_MAINTENANCE_WINDOW,
        copyTagsToSnapshot: true,
        deletionProtection: protection,
        skipFinalSnapshot: !protection,
        deleteAutomatedBackups: !protection,
        ...(protection ? { finalSnapshotIdentifier: `${clusterId}-final` } : {}),
        dbSubnetGroupNameSelector: scope.select("aurora-subnet-group"),
        dbClusterParameterGroupNameSelector: scope.select("aurora-parameter-group"),
        vpcSecurityGroupIdSelector: scope.select("security-group-database"),
        enabledCloudwatchLogsExports: ["postgresql"],
        tags: scope.tags(clusterId),
      },
    },
  });

  for (let n = 1; n <= auroraInstanceCount(scope); n++) {
    const instanceId = `${clusterId}-${n}`;
    out[LOGICAL.auroraInstance(n)] = new ClusterInstance({
      metadata: scope.externalName(instanceId),
      spec: {
        forProvider: {
          region,
          engine: AURORA_ENGINE,
          instanceClass: "db.serverless",
          clusterIdentifierSelector: scope.select(LOGICAL.auroraCluster),
          dbSubnetGroupNameSelector: scope.select("aurora-subnet-group"),
          // Spread over the zones; the position in the list is fixed by n, not by user input.
          availabilityZone: scope.region.zones[(n - 1) % scope.region.zones.length],
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          promotionTier: n - 1,
          tags: scope.tags(instanceId),
        },
      },
    });
  }

  return out;
}

/**
 * The master user. A standalone cluster lets RDS generate and rotate the password in Secrets
 * Manager. RDS does not manage passwords of global database members, so there the provider
 * generates one into a Kubernetes Secret: still no literal password in any spec. A secondary
 * cluster takes user, password and database from the global database and must set none of them.
 */
function credentials(scope: RegionScope): Record<string, unknown> {
  const { env, region } = scope;
  if (region.role === "secondary") return {};
  const user = { databaseName: env.spec.database.databaseName, masterUsername: MASTER_USERNAME };
  if (!isGlobal(scope)) {
    return { ...user, manageMasterUserPassword: true, masterUserSecretKmsKeyIdSelector: scope.select("database-key") };
  }
  return {
    ...user,
    autoGeneratePassword: true,
    masterPasswordSecretRef: {
      namespace: MASTER_PASSWORD_SECRET_NAMESPACE,
      name: `${env.name || env.suffix}-aurora-master`,
      key: "password",
    },
  };
}
