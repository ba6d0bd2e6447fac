/**
 * Storage: the DynamoDB table the API writes records to (on demand, point-in-time recovery,
 * streams for replication, KMS encryption, TTL) and the data bucket (versioned, KMS-encrypted,
 * lifecycle-managed, private, owner-enforced, TLS only).
 *
 * DR tiers: the secondary region holds a replica of the primary table (not a table of its own),
 * and each region's bucket replicates to the other's with Replication Time Control, so what is
 * written after a failover exists in both regions.
 */
import { Key } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Key";
import { Alias } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Alias";
import { Table } from "@crossplane-models/provider-upjet-aws/dynamodb.aws.upbound.io/v1beta2/Table";
import { BucketLifecycleConfiguration } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketLifecycleConfiguration";
import { BucketReplicationConfiguration } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta2/BucketReplicationConfiguration";
import { TableReplica } from "@crossplane-models/provider-upjet-aws/dynamodb.aws.upbound.io/v1beta1/TableReplica";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicy } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicy";
import type { ManagedResource } from "../block.js";
import type { RegionContext, RegionRole } from "../environment.js";
import type { RegionScope } from "../scope.js";
import { assumeRolePolicy, policyDocument } from "./iam.js";
import { privateBucket } from "./private-bucket.js";
import { LOGICAL, resourceNames } from "./names.js";

/** The API keys each record by one string `pk` (`record#<id>`, the id derived from the idempotency key); items may expire via `expiresAt`. */
export const TABLE_HASH_KEY = "pk";
export const TABLE_TTL_ATTRIBUTE = "expiresAt";

/** Lifecycle of the data bucket, as data: one rule each, applying to every object. */
export const LIFECYCLE_RULES = [
  { id: "transition-to-infrequent-access", transition: [{ days: 30, storageClass: "STANDARD_IA" }] },
  // Removing the delete markers left without versions keeps listings of a versioned bucket fast.
  {
    id: "expire-noncurrent-versions",
    noncurrentVersionExpiration: [{ noncurrentDays: 90 }],
    expiration: [{ expiredObjectDeleteMarker: true }],
  },
  { id: "abort-incomplete-multipart-uploads", abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
];

export function dataBucketName(scope: RegionScope, region: RegionContext = scope.region): string {
  return scope.bucketName("data", region);
}

/** The alias of the region's storage key: a name we choose, so queues can take it before AWS reports the key. */
export function storageKeyAlias(scope: RegionScope): string {
  return scope.kmsAlias("storage").alias;
}

/** Replication Time Control: S3 replicates 99.99% of objects within this, and alerts past it. */
export const REPLICATION_TIME_MINUTES = 15;
/** The rule of the bucket that replicates to `destination`: `replicate-all-to-secondary` from the primary. */
export function replicationRuleId(destination: RegionRole): string {
  return `replicate-all-to-${destination}`;
}

/** The region a region's bucket replicates to: the other one, in a DR tier (none without a secondary). */
export function replicationDestination(scope: RegionScope): RegionContext | undefined {
  const { env, region } = scope;
  return region.role === "primary" ? env.secondary : env.primary;
}

export function storage(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const bucketName = dataBucketName(scope);
  const bucketSelector = scope.select(LOGICAL.bucket);
  const key = scope.select(LOGICAL.storageKey);

  // A key of its own, not the database's: the block stands alone, and the data stores' keys can be
  // rotated, scheduled for deletion or given other grants without touching one another.
  const out: Record<string, ManagedResource> = {
    [LOGICAL.storageKey]: new Key({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          description: `Encrypts the table and data bucket of ${scope.env.suffix} in ${region}`,
          enableKeyRotation: true,
          deletionWindowInDays: scope.protection ? 30 : 7,
          tags: scope.tags(scope.name(LOGICAL.storageKey, true)),
        },
      },
    }),
    "storage-key-alias": new Alias({
      metadata: scope.externalName(scope.kmsAlias("storage").externalName),
      spec: { deletionPolicy: scope.deletionPolicy, forProvider: { region, targetKeyIdSelector: key } },
    }),
    ...privateBucket(scope, LOGICAL.bucket, { name: bucketName, stateful: true, kmsKey: key }),
    "bucket-lifecycle": new BucketLifecycleConfiguration({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: { region, bucketSelector, rule: LIFECYCLE_RULES.map((rule) => ({ ...rule, status: "Enabled", filter: [{}] })) },
      },
    }),
  };

  const destination = replicationDestination(scope);
  if (destination) Object.assign(out, replication(scope, destination));
  if (scope.region.role === "secondary") return { ...out, ...tableReplica(scope) };

  // The table takes its key only as an ARN, which AWS decides: the table follows once the key is observed.
  const keyArn = scope.atProvider(LOGICAL.storageKey, "arn", LOGICAL.table);
  if (keyArn) {
    const tableName = resourceNames(scope).table;
    out[LOGICAL.table] = new Table({
      metadata: scope.externalName(tableName),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          billingMode: "PAY_PER_REQUEST",
          hashKey: TABLE_HASH_KEY,
          attribute: [{ name: TABLE_HASH_KEY, type: "S" }],
          pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: scope.env.spec.database.backupRetentionDays },
          streamEnabled: true,
          streamViewType: "NEW_AND_OLD_IMAGES",
          serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
          ttl: { attributeName: TABLE_TTL_ATTRIBUTE, enabled: true },
          deletionProtectionEnabled: scope.protection,
          tags: scope.tags(tableName),
        },
      },
    });
  }
  return out;
}

/**
 * The secondary's copy of the table: a replica of the primary table (DynamoDB global tables
 * version 2019.11.21), encrypted with this region's key and with its own point-in-time recovery.
 * The primary table is composed once the primary key's ARN is known; the replica follows it then,
 * so its reference always names a table in the desired state.
 */
function tableReplica(scope: RegionScope): Record<string, ManagedResource> {
  const primaryComposed = scope.atProvider(LOGICAL.storageKey, "arn", LOGICAL.tableReplica, "primary");
  // The provider resolves a key reference to its id, and the replica accepts only an ARN.
  const keyArn = scope.atProvider(LOGICAL.storageKey, "arn", LOGICAL.tableReplica);
  if (!primaryComposed || !keyArn) return {};
  return {
    [LOGICAL.tableReplica]: new TableReplica({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region: scope.region.name,
          globalTableArnSelector: scope.select(LOGICAL.table, "primary"),
          kmsKeyArn: keyArn,
          pointInTimeRecovery: true,
          deletionProtectionEnabled: scope.protection,
          tags: scope.tags(resourceNames(scope).table),
        },
      },
    }),
  };
}

/**
 * Cross-region replication of the data bucket to the other region's, composed in both regions, with
 * Replication Time Control and its metrics (which the S3 replication latency alarms watch).
 *
 * Both ways without a loop: S3 never replicates an object that is itself a replica, so each object
 * crosses once, from the bucket it was written to. Replica modification sync is on in both rules:
 * a change to a replica's metadata (tags, retention) flows back to its source, so after a failover
 * an object written in either region, and every later change to it, exists in both. Each direction
 * decrypts with its own region's key and encrypts with the destination's.
 *
 * Delete markers are replicated. After a failover the secondary must show what the primary
 * showed: the API deletes audit objects it could not commit, and without the markers those would
 * reappear in the recovered region. Nothing is lost by replicating them: both buckets are
 * versioned, a delete marker only hides the current version, and S3 never replicates the
 * deletion of a specific version, so an accidental or malicious delete stays recoverable from
 * noncurrent versions on either side for the lifecycle's 90 days.
 */
function replication(scope: RegionScope, destination: RegionContext): Record<string, ManagedResource> {
  const region = scope.region.name;
  const roleName = scope.name("s3-replication", true);
  const source = `arn:aws:s3:::${dataBucketName(scope)}`;
  const target = `arn:aws:s3:::${dataBucketName(scope, destination)}`;
  const out: Record<string, ManagedResource> = {
    "replication-role": new Role({
      metadata: scope.externalName(roleName),
      spec: {
        forProvider: {
          assumeRolePolicy: assumeRolePolicy("s3.amazonaws.com"),
          description: `Replicates ${dataBucketName(scope)} to ${destination.name}`,
          tags: scope.tags(roleName),
        },
      },
    }),
  };

  // Objects are KMS-encrypted on both sides: S3 decrypts with the source key and re-encrypts with
  // the destination's, whose ARN AWS decides.
  const sourceKey = scope.atProvider(LOGICAL.storageKey, "arn", "replication-role-policy");
  const targetKey = scope.atProvider(LOGICAL.storageKey, "arn", "replication-role-policy", destination.role);
  if (sourceKey && targetKey) {
    out["replication-role-policy"] = new RolePolicy({
      metadata: scope.externalName(roleName),
      spec: {
        forProvider: {
          roleSelector: scope.select("replication-role"),
          policy: policyDocument([
            {
              Sid: "ReadReplicationConfiguration",
              Effect: "Allow",
              Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
              Resource: source,
            },
            {
              Sid: "ReadSourceVersions",
              Effect: "Allow",
              Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
              Resource: `${source}/*`,
            },
            {
              Sid: "WriteReplicas",
              Effect: "Allow",
              Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
              Resource: `${target}/*`,
            },
            {
              Sid: "DecryptSource",
              Effect: "Allow",
              Action: "kms:Decrypt",
              Resource: sourceKey,
              Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
            },
            {
              Sid: "EncryptReplicas",
              Effect: "Allow",
              Action: ["kms:Encrypt", "kms:GenerateDataKey"],
              Resource: targetKey,
              Condition: { StringEquals: { "kms:ViaService": `s3.${destination.name}.amazonaws.com` } },
            },
          ]),
        },
      },
    });
  }
  const replicaKey = scope.atProvider(LOGICAL.storageKey, "arn", LOGICAL.bucketReplication, destination.role);
  if (replicaKey) {
    out[LOGICAL.bucketReplication] = new BucketReplicationConfiguration({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region,
          bucketSelector: scope.select(LOGICAL.bucket),
          roleSelector: scope.select("replication-role"),
          rule: [
            {
              id: replicationRuleId(destination.role),
              status: "Enabled",
              priority: 1,
              filter: {},
              deleteMarkerReplication: { status: "Enabled" },
              sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" }, replicaModifications: { status: "Enabled" } },
              destination: {
                bucketSelector: scope.select(LOGICAL.bucket, destination.role),
                storageClass: "STANDARD",
                encryptionConfiguration: { replicaKmsKeyId: replicaKey },
                replicationTime: { status: "Enabled", time: { minutes: REPLICATION_TIME_MINUTES } },
                metrics: { status: "Enabled", eventThreshold: { minutes: REPLICATION_TIME_MINUTES } },
              },
            },
          ],
        },
      },
    });
  }
  return out;
}
