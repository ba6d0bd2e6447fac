/**
 * Database: Aurora PostgreSQL Serverless v2 in the region's private subnets, encrypted with the
 * region's own KMS key, TLS-only, IAM authentication on and the master password kept by RDS in
 * Secrets Manager; plus AWS Backup (vault, daily plan, selection) that copies each recovery point
 * to the other region's vault whenever the environment has two regions.
 */
import { Key } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Key";
import { Alias } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Alias";
import { SubnetGroup } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/SubnetGroup";
import { ClusterParameterGroup } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/ClusterParameterGroup";
import { Cluster } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/Cluster";
import { ClusterInstance } from "@crossplane-models/provider-upjet-aws/rds.aws.upbound.io/v1beta1/ClusterInstance";
import { Group as LogGroup } from "@crossplane-models/provider-upjet-aws/cloudwatchlogs.aws.upbound.io/v1beta1/Group";
import { Vault } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta1/Vault";
import { Plan } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta1/Plan";
import { Selection } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta1/Selection";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicyAttachment } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicyAttachment";
import type { ManagedResource } from "../compose.js";
import type { RegionContext } from "../environment.js";
import type { RegionScope } from "../scope.js";
import { assumeRolePolicy, awsManagedPolicyArn } from "./iam.js";
import { DATABASE_PORT, subnetTierSelector } from "./network.js";
import { LOGICAL, resourceNames } from "./names.js";

export const AURORA_ENGINE = "aurora-postgresql";
export const MASTER_USERNAME = "dradmin";
/** Serverless v2 instances per region; the first is the writer. Aurora storage spans three AZs already. */
export const AURORA_INSTANCES = 1;
export const DATABASE_LOG_RETENTION_DAYS = 30;

// Windows in UTC that do not overlap: RDS's own backup, then maintenance, then the AWS Backup job.
export const PREFERRED_BACKUP_WINDOW = "03:00-04:00";
export const PREFERRED_MAINTENANCE_WINDOW = "sun:04:30-sun:05:30";
export const BACKUP_SCHEDULE = "cron(0 6 * * ? *)";

/** Policies AWS maintains for the AWS Backup service role: taking and restoring recovery points. */
export const BACKUP_ROLE_POLICIES = {
  backup: awsManagedPolicyArn("service-role/AWSBackupServiceRolePolicyForBackup"),
  restores: awsManagedPolicyArn("service-role/AWSBackupServiceRolePolicyForRestores"),
} as const;

/** Cluster parameters; rds.force_ssl rejects every connection without TLS. */
export const CLUSTER_PARAMETERS = [{ name: "rds.force_ssl", value: "1" }] as const;

export function parameterGroupFamily(engineVersion: string): string {
  return `${AURORA_ENGINE}${engineVersion.split(".")[0]}`;
}

/** The region backups are copied to: the environment's other region, if it has one. */
export function backupCopyRegion(scope: RegionScope): RegionContext | undefined {
  const { env, region } = scope;
  if (!env.secondary) return undefined;
  return region.role === "primary" ? env.secondary : env.primary;
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
    "database-key": new Key({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region, description: `Encrypts Aurora storage, its master user secret and backups of ${scope.env.suffix} in ${region}`,
          enableKeyRotation: true, deletionWindowInDays: protection ? 30 : 7,
          tags: scope.tags(scope.name("database-key", true)),
        },
      },
    }),
    "database-key-alias": new Alias({
      metadata: scope.externalName(`alias/${scope.name("database", true)}`),
      spec: { forProvider: { region, targetKeyIdSelector: key } },
    }),
    "aurora-subnet-group": new SubnetGroup({
      metadata: scope.externalName(subnetGroupName),
      spec: {
        forProvider: {
          region, description: `Private subnets of ${scope.env.suffix} for Aurora`,
          subnetIdSelector: subnetTierSelector(scope, "private"), tags: scope.tags(subnetGroupName),
        },
      },
    }),
    // The name carries the major version: a major upgrade needs a group of the new family beside the old one.
    "aurora-parameter-group": new ClusterParameterGroup({
      metadata: scope.externalName(parameterGroupName),
      spec: {
        forProvider: {
          region, family: parameterGroupFamily(db.engineVersion), description: `Aurora PostgreSQL ${major} parameters of ${scope.env.suffix}`,
          parameter: CLUSTER_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" })), tags: scope.tags(parameterGroupName),
        },
      },
    }),
    // RDS would create this group itself with no retention; composing it first bounds what the logs keep.
    "aurora-log-group": new LogGroup({
      metadata: scope.externalName(logGroupName),
      spec: { forProvider: { region, retentionInDays: DATABASE_LOG_RETENTION_DAYS, tags: scope.tags(logGroupName) } },
    }),
    [LOGICAL.auroraCluster]: new Cluster({
      metadata: scope.externalName(clusterId),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region, engine: AURORA_ENGINE, engineMode: "provisioned", engineVersion: db.engineVersion,
          databaseName: db.databaseName, masterUsername: MASTER_USERNAME, port: DATABASE_PORT,
          // RDS generates and rotates the password in Secrets Manager: no secret passes through this spec.
          manageMasterUserPassword: true, masterUserSecretKmsKeyIdSelector: key,
          serverlessv2ScalingConfiguration: [{ minCapacity: db.minCapacity, maxCapacity: db.maxCapacity }],
          storageEncrypted: true, kmsKeyIdSelector: key,
          iamDatabaseAuthenticationEnabled: true,
          backupRetentionPeriod: db.backupRetentionDays, preferredBackupWindow: PREFERRED_BACKUP_WINDOW,
          preferredMaintenanceWindow: PREFERRED_MAINTENANCE_WINDOW, copyTagsToSnapshot: true,
          deletionProtection: protection, skipFinalSnapshot: !protection, deleteAutomatedBackups: !protection,
          ...(protection ? { finalSnapshotIdentifier: `${clusterId}-final` } : {}),
          dbSubnetGroupNameSelector: scope.select("aurora-subnet-group"),
          dbClusterParameterGroupNameSelector: scope.select("aurora-parameter-group"),
          vpcSecurityGroupIdSelector: scope.select("security-group-database"),
          enabledCloudwatchLogsExports: ["postgresql"],
          tags: scope.tags(clusterId),
        },
      },
    }),
  };

  for (let n = 1; n <= AURORA_INSTANCES; n++) {
    const instanceId = `${clusterId}-${n}`;
    out[`aurora-instance-${n}`] = new ClusterInstance({
      metadata: scope.externalName(instanceId),
      spec: {
        forProvider: {
          region, engine: AURORA_ENGINE, instanceClass: "db.serverless",
          clusterIdentifierSelector: scope.select(LOGICAL.auroraCluster),
          dbSubnetGroupNameSelector: scope.select("aurora-subnet-group"),
          // Spread over the zones; the position in the list is fixed by n, not by user input.
          availabilityZone: scope.region.zones[(n - 1) % scope.region.zones.length],
          publiclyAccessible: false, autoMinorVersionUpgrade: true, promotionTier: n - 1,
          tags: scope.tags(instanceId),
        },
      },
    });
  }

  Object.assign(out, backup(scope));
  return out;
}

/** AWS Backup: daily recovery points of the cluster in a KMS-encrypted vault, copied to the other region. */
function backup(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const retention = scope.env.spec.database.backupRetentionDays;
  const vaultName = scope.name("backup", true);
  const roleName = scope.name("backup", true);
  const planName = scope.name("daily-backup", true);

  const out: Record<string, ManagedResource> = {
    // The vault holds the recovery points: it stays with the data when the environment goes.
    "backup-vault": new Vault({
      metadata: scope.externalName(vaultName),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: { region, kmsKeyArnSelector: scope.select("database-key"), forceDestroy: !scope.protection, tags: scope.tags(vaultName) },
      },
    }),
    "backup-role": new Role({
      metadata: scope.externalName(roleName),
      spec: { forProvider: { assumeRolePolicy: assumeRolePolicy("backup.amazonaws.com"), tags: scope.tags(roleName) } },
    }),
  };
  for (const [purpose, policyArn] of Object.entries(BACKUP_ROLE_POLICIES)) {
    out[`backup-role-policy-${purpose}`] = new RolePolicyAttachment({
      spec: { forProvider: { roleSelector: scope.select("backup-role"), policyArn } },
    });
  }

  // The copy target's ARN carries the account id, AWS's to tell: the copy rule follows once the vault is observed.
  const copyRegion = backupCopyRegion(scope);
  const copyVaultArn = copyRegion && scope.atProvider("backup-vault", "arn", "backup-plan", copyRegion.role);
  out["backup-plan"] = new Plan({
    spec: {
      forProvider: {
        region, name: planName,
        rule: [{
          ruleName: "daily", schedule: BACKUP_SCHEDULE, startWindow: 60, completionWindow: 180,
          targetVaultNameSelector: scope.select("backup-vault"),
          lifecycle: [{ deleteAfter: retention }],
          recoveryPointTags: scope.tags(),
          ...(copyVaultArn ? { copyAction: [{ destinationVaultArn: copyVaultArn, lifecycle: [{ deleteAfter: retention }] }] } : {}),
        }],
        tags: scope.tags(planName),
      },
    },
  });

  // Selection's resource selector resolves RDS instances, not clusters: the cluster's ARN is read once AWS reports it.
  const clusterArn = scope.atProvider(LOGICAL.auroraCluster, "arn", "backup-selection");
  if (clusterArn) {
    out["backup-selection"] = new Selection({
      spec: {
        forProvider: {
          region, name: scope.name("aurora-backup", true), resources: [clusterArn],
          planIdSelector: scope.select("backup-plan"), iamRoleArnSelector: scope.select("backup-role"),
        },
      },
    });
  }
  return out;
}
