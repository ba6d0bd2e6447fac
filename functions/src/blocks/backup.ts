/**
 * Backups: AWS Backup takes a daily recovery point of the region's database cluster, table and
 * data bucket into a KMS-encrypted vault, and copies every recovery point to the backup region's
 * own vault, encrypted with that region's own key. DR tiers keep backups too: replication copies
 * a corruption or a bad delete to the other region within seconds, a recovery point does not.
 *
 * The backup region is the environment's other region: the secondary (or, from the secondary, the
 * primary) in DR tiers; in backup-restore the claim's `secondaryRegion`, where only the vault and
 * its key are composed. A backup-restore claim without `secondaryRegion` is accepted (a team may
 * have to keep its data in one region) and its status says that its backups never leave the
 * region; refusing it would break every such claim applied so far.
 */
import { Vault } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta1/Vault";
import { Plan } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta2/Plan";
import { Selection } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta1/Selection";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicyAttachment } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicyAttachment";
import type { ManagedResource } from "../block.js";
import type { Environment, RegionContext } from "../environment.js";
import type { RegionScope } from "../scope.js";
import { assumeRolePolicy, awsManagedPolicyArn } from "./iam.js";
import { databaseKey } from "./database.js";
import { LOGICAL, tableLogical } from "./names.js";

export const BACKUP_SCHEDULE = "cron(0 6 * * ? *)";

/**
 * Policies AWS maintains for the AWS Backup service role: taking and restoring recovery points of
 * Aurora and DynamoDB, and of S3, which has policies of its own (they add reading every object
 * version and decrypting through S3 with the bucket's key).
 */
export const BACKUP_ROLE_POLICIES = {
  backup: awsManagedPolicyArn("service-role/AWSBackupServiceRolePolicyForBackup"),
  restores: awsManagedPolicyArn("service-role/AWSBackupServiceRolePolicyForRestores"),
  "s3-backup": awsManagedPolicyArn("AWSBackupServiceRolePolicyForS3Backup"),
  "s3-restore": awsManagedPolicyArn("AWSBackupServiceRolePolicyForS3Restore"),
} as const;

/**
 * What each region backs up: a selection per data store, so each follows its own ARN as AWS
 * reports it, and the cluster's selection keeps the composed name and AWS name it always had (a
 * selection cannot be changed in place). S3 backups need versioning, which every data bucket has.
 */
export const BACKUP_SELECTIONS = [
  { logical: "backup-selection", what: "aurora", resource: (): string => LOGICAL.auroraCluster },
  { logical: "backup-selection-table", what: "table", resource: (scope: RegionScope): string => tableLogical(scope.region.role) },
  { logical: "backup-selection-bucket", what: "bucket", resource: (): string => LOGICAL.bucket },
] as const;

/** The region every recovery point of `region` is copied to, if the environment has one. */
export function backupCopyRegion(env: Environment, region: RegionContext): RegionContext | undefined {
  if (region.role === "secondary") return env.secondary ? env.primary : undefined;
  return env.secondary ?? env.backupOnlyRegion;
}

/** Where the environment's backups are kept, for its status. */
export function backupStatus(env: Environment): { vaultRegion: string; copyRegion?: string; note: string } {
  const copy = backupCopyRegion(env, env.primary);
  if (!copy)
    return {
      vaultRegion: env.primary.name,
      note: `backups never leave ${env.primary.name}: a regional disaster there loses them; set spec.secondaryRegion to copy every recovery point to a second region`,
    };
  return {
    vaultRegion: env.primary.name,
    copyRegion: copy.name,
    note: `every recovery point of ${env.primary.name} is copied to the vault in ${copy.name}, encrypted with that region's key`,
  };
}

function vault(scope: RegionScope): ManagedResource {
  const vaultName = scope.name("backup", true);
  // The vault holds the recovery points: it stays with the data when the environment goes.
  return new Vault({
    metadata: scope.externalName(vaultName),
    spec: {
      deletionPolicy: scope.deletionPolicy,
      forProvider: {
        region: scope.region.name,
        kmsKeyArnSelector: scope.select("database-key"),
        forceDestroy: !scope.protection,
        tags: scope.tags(vaultName),
      },
    },
  });
}

/**
 * The backup region of a backup-restore environment: a vault and the key it encrypts with, under
 * the names a DR tier's secondary gives them, so an upgrade to pilot light keeps both.
 */
function backupOnly(scope: RegionScope): Record<string, ManagedResource> {
  return { ...databaseKey(scope), [LOGICAL.backupVault]: vault(scope) };
}

/** The composed resource names of a backup-restore environment's backup region (what backupOnly returns). */
export const BACKUP_REGION_RESOURCES: readonly string[] = [
  "secondary-database-key",
  "secondary-database-key-alias",
  `secondary-${LOGICAL.backupVault}`,
];

export function backup(scope: RegionScope): Record<string, ManagedResource> {
  if (scope.region === scope.env.backupOnlyRegion) return backupOnly(scope);
  const region = scope.region.name;
  const retention = scope.env.spec.database.backupRetentionDays;
  const roleName = scope.name("backup", true);
  // Plan and selection names are at most 50 characters: the longest suffix, owner and region fit.
  const planName = scope.name("daily", true);

  const out: Record<string, ManagedResource> = {
    [LOGICAL.backupVault]: vault(scope),
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

  // The copy target's ARN carries the account id, AWS's to tell: the copy rule follows once the vault
  // is observed. copyAction takes the ARN only; the provider offers no reference for it.
  const copyRegion = backupCopyRegion(scope.env, scope.region);
  const copyVaultArn = copyRegion && scope.atProvider(LOGICAL.backupVault, "arn", LOGICAL.backupPlan, copyRegion.role);
  out[LOGICAL.backupPlan] = new Plan({
    spec: {
      forProvider: {
        region,
        name: planName,
        rule: [
          {
            ruleName: "daily",
            schedule: BACKUP_SCHEDULE,
            startWindow: 60,
            completionWindow: 180,
            targetVaultNameSelector: scope.select(LOGICAL.backupVault),
            lifecycle: { deleteAfter: retention },
            recoveryPointTags: scope.tags(),
            ...(copyVaultArn ? { copyAction: [{ destinationVaultArn: copyVaultArn, lifecycle: { deleteAfter: retention } }] } : {}),
          },
        ],
        tags: scope.tags(planName),
      },
    },
  });

  // A selection's resource selector resolves RDS instances only: each data store's ARN is read once AWS reports it.
  for (const selection of BACKUP_SELECTIONS) {
    const arn = scope.atProvider(selection.resource(scope), "arn", selection.logical);
    if (!arn) continue;
    out[selection.logical] = new Selection({
      spec: {
        forProvider: {
          region,
          name: scope.name(selection.what, true),
          resources: [arn],
          planIdSelector: scope.select(LOGICAL.backupPlan),
          iamRoleArnSelector: scope.select("backup-role"),
        },
      },
    });
  }
  return out;
}
