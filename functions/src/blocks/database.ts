/**
 * Database: Aurora PostgreSQL Serverless v2 in the region's private subnets, encrypted with the
 * region's own KMS key, TLS-only, IAM authentication on. Its backups are the backup block's.
 *
 * DR tiers make the two clusters one Aurora Global Database: the primary region's block composes
 * the GlobalCluster from the primary cluster (`sourceDbClusterIdentifier`), the secondary cluster
 * joins it by its identifier, and the secondary is headless in pilot light (no instances) and has
 * one reader at minimum capacity in warm standby. The primary cluster is composed the same way in
 * every tier, so a tier upgrade turns the existing cluster into the global database's writer in
 * place (see globalCluster below).
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
import { Secret } from "@crossplane-models/provider-upjet-aws/secretsmanager.aws.upbound.io/v1beta1/Secret";
import { SecretVersion } from "@crossplane-models/provider-upjet-aws/secretsmanager.aws.upbound.io/v1beta1/SecretVersion";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { DATABASE_PORT, subnetTierSelector } from "./network.js";
import { LOGICAL, resourceNames } from "./names.js";

export const AURORA_ENGINE = "aurora-postgresql";
export const MASTER_USERNAME = "dradmin";
/** Serverless v2 instances of a primary cluster; the first is the writer. Aurora storage spans three AZs already. */
export const AURORA_INSTANCES = 1;

/**
 * Where the provider keeps the master password it generates; the same namespace the Composition
 * writes connection secrets to.
 */
export const MASTER_PASSWORD_SECRET_NAMESPACE = "crossplane-system";
/** The key of that Secret that holds the password. */
export const MASTER_PASSWORD_KEY = "password";

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
  if (primary) Object.assign(out, masterSecret(scope));
  if (global && primary) out[LOGICAL.globalCluster] = globalCluster(scope);

  // A secondary cluster joins a global cluster that has its primary already: the GlobalCluster is
  // made from the primary cluster, so once AWS reports it, this region's cluster (and its instances) follow.
  const joinable = !global || primary || scope.atProvider(LOGICAL.globalCluster, "arn", LOGICAL.auroraCluster, "primary");
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
        // Only the secondary names the global cluster: the primary becomes its member by being its
        // source, and AWS then reports the membership (the provider late-initializes it into the spec).
        ...(global && !primary ? { globalClusterIdentifier: resourceNames(scope).globalCluster } : {}),
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
 * The Global Database, made from the primary cluster. Creating it from an existing cluster is the
 * only way AWS offers to put a cluster that already exists into a global database (the provider,
 * like Terraform, refuses to add one by setting its globalClusterIdentifier), so a new DR
 * environment and one upgraded from backup-restore are composed alike and converge to the same
 * state. With a source cluster AWS takes engine, engine version, database name and encryption from
 * it and must not be given them. The provider requires forceDestroy to be set beside a source:
 * unprotected, members leave before the global cluster goes; protected, it stays false (and the
 * global cluster is orphaned).
 */
function globalCluster(scope: RegionScope): GlobalCluster {
  const name = resourceNames(scope).globalCluster;
  return new GlobalCluster({
    metadata: scope.externalName(name),
    spec: {
      deletionPolicy: scope.deletionPolicy,
      forProvider: {
        region: scope.region.name,
        sourceDbClusterIdentifierSelector: scope.select(LOGICAL.auroraCluster),
        deletionProtection: scope.protection,
        forceDestroy: !scope.protection,
        tags: scope.tags(name),
      },
    },
  });
}

/**
 * The master user, the same in every tier so that no tier change switches the password mode (a
 * cluster that lets RDS manage its password cannot be in a Global Database, and switching modes
 * changes the password under every client). The provider generates the password into a Kubernetes
 * Secret (no literal password in any spec); a secondary cluster takes user, password and database
 * from the global database and must set none of them.
 */
function credentials(scope: RegionScope): Record<string, unknown> {
  const { env, region } = scope;
  if (region.role === "secondary") return {};
  return {
    databaseName: env.spec.database.databaseName,
    masterUsername: MASTER_USERNAME,
    autoGeneratePassword: true,
    masterPasswordSecretRef: masterPasswordSecretRef(scope),
  };
}

function masterPasswordSecretRef(scope: RegionScope) {
  // Named like the AWS resources: unique per claim in the shared namespace, the same when the claim comes back.
  return { namespace: MASTER_PASSWORD_SECRET_NAMESPACE, name: scope.name("aurora-master"), key: MASTER_PASSWORD_KEY };
}

/**
 * The master password in Secrets Manager, encrypted with the database key and, in the DR tiers,
 * replicated to the secondary region (same name and ARN but for the region, under that region's
 * database key), so it can be read where the database survives. Its value is copied from the
 * provider's Kubernetes Secret by reference; the user name is MASTER_USERNAME.
 */
function masterSecret(scope: RegionScope): Record<string, ManagedResource> {
  const name = scope.name("aurora-master", true);
  const secondary = scope.env.secondary;
  // A replica takes its key as a plain ARN (no selector): it follows once AWS reports the key.
  const replicaKey = secondary && scope.atProvider("database-key", "arn", LOGICAL.masterSecret, secondary.role);
  return {
    [LOGICAL.masterSecret]: new Secret({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region: scope.region.name,
          name,
          description: `Master password of the Aurora cluster of ${scope.env.suffix} (user ${MASTER_USERNAME})`,
          kmsKeyIdSelector: scope.select("database-key"),
          // Unprotected, the name is free again at once; protected, a deleted secret can be restored.
          recoveryWindowInDays: scope.protection ? 30 : 0,
          ...(secondary && replicaKey ? { replica: [{ region: secondary.name, kmsKeyId: replicaKey }] } : {}),
          tags: scope.tags(name),
        },
      },
    }),
    "aurora-master-secret-version": new SecretVersion({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region: scope.region.name,
          secretIdSelector: scope.select(LOGICAL.masterSecret),
          secretStringSecretRef: masterPasswordSecretRef(scope),
        },
      },
    }),
  };
}
