/**
 * Storage: the DynamoDB table the API writes records to (on demand, point-in-time recovery,
 * streams for replication, KMS encryption, TTL) and the data bucket (versioned, KMS-encrypted,
 * lifecycle-managed, private, owner-enforced, TLS only).
 */
import { Key } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Key";
import { Alias } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Alias";
import { Table } from "@crossplane-models/provider-upjet-aws/dynamodb.aws.upbound.io/v1beta1/Table";
import { Bucket } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/Bucket";
import { BucketVersioning } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketVersioning";
import { BucketServerSideEncryptionConfiguration } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketServerSideEncryptionConfiguration";
import { BucketLifecycleConfiguration } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketLifecycleConfiguration";
import { BucketPublicAccessBlock } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketPublicAccessBlock";
import { BucketOwnershipControls } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketOwnershipControls";
import { BucketPolicy } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketPolicy";
import type { ManagedResource } from "../compose.js";
import type { RegionScope } from "../scope.js";
import { policyDocument } from "./iam.js";
import { LOGICAL, resourceNames } from "./names.js";

/** The API keys each record by one string `pk` (`record#<id>`, the id derived from the idempotency key); items may expire via `expiresAt`. */
export const TABLE_HASH_KEY = "pk";
export const TABLE_TTL_ATTRIBUTE = "expiresAt";

/** Lifecycle of the data bucket, as data: one rule each, applying to every object. */
export const LIFECYCLE_RULES = [
  { id: "transition-to-infrequent-access", transition: [{ days: 30, storageClass: "STANDARD_IA" }] },
  // Removing the delete markers left without versions keeps listings of a versioned bucket fast.
  { id: "expire-noncurrent-versions", noncurrentVersionExpiration: [{ noncurrentDays: 90 }], expiration: [{ expiredObjectDeleteMarker: true }] },
  { id: "abort-incomplete-multipart-uploads", abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
];

export function dataBucketName(scope: RegionScope): string {
  return scope.bucketName("data");
}

export function storage(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const bucketName = dataBucketName(scope);
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  const bucketSelector = scope.select(LOGICAL.bucket);
  const key = scope.select("storage-key");

  // A key of its own, not the database's: the block stands alone, and the data stores' keys can be
  // rotated, scheduled for deletion or given other grants without touching one another.
  const out: Record<string, ManagedResource> = {
    "storage-key": new Key({
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region, description: `Encrypts the table and data bucket of ${scope.env.suffix} in ${region}`,
          enableKeyRotation: true, deletionWindowInDays: scope.protection ? 30 : 7,
          tags: scope.tags(scope.name("storage-key", true)),
        },
      },
    }),
    "storage-key-alias": new Alias({
      metadata: scope.externalName(`alias/${scope.name("storage", true)}`),
      spec: { forProvider: { region, targetKeyIdSelector: key } },
    }),
    [LOGICAL.bucket]: new Bucket({
      metadata: scope.externalName(bucketName),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: { region, forceDestroy: !scope.protection, tags: scope.tags(bucketName) },
      },
    }),
    "bucket-versioning": new BucketVersioning({
      spec: { forProvider: { region, bucketSelector, versioningConfiguration: [{ status: "Enabled" }] } },
    }),
    // The bucket key cuts KMS requests (and their cost) to one per bucket and time window.
    "bucket-encryption": new BucketServerSideEncryptionConfiguration({
      spec: {
        forProvider: {
          region, bucketSelector,
          rule: [{ applyServerSideEncryptionByDefault: [{ sseAlgorithm: "aws:kms", kmsMasterKeyIdSelector: key }], bucketKeyEnabled: true }],
        },
      },
    }),
    "bucket-lifecycle": new BucketLifecycleConfiguration({
      spec: { forProvider: { region, bucketSelector, rule: LIFECYCLE_RULES.map((rule) => ({ ...rule, status: "Enabled", filter: [{}] })) } },
    }),
    "bucket-public-access-block": new BucketPublicAccessBlock({
      spec: {
        forProvider: { region, bucketSelector, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      },
    }),
    "bucket-ownership-controls": new BucketOwnershipControls({
      spec: { forProvider: { region, bucketSelector, rule: [{ objectOwnership: "BucketOwnerEnforced" }] } },
    }),
    "bucket-policy": new BucketPolicy({
      spec: {
        forProvider: {
          region, bucketSelector,
          policy: policyDocument([{
            Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } },
          }]),
        },
      },
    }),
  };

  // The table takes its key only as an ARN, which AWS decides: the table follows once the key is observed.
  const keyArn = scope.atProvider("storage-key", "arn", LOGICAL.table);
  if (keyArn) {
    const tableName = resourceNames(scope).table;
    out[LOGICAL.table] = new Table({
      metadata: scope.externalName(tableName),
      spec: {
        deletionPolicy: scope.deletionPolicy,
        forProvider: {
          region, billingMode: "PAY_PER_REQUEST",
          hashKey: TABLE_HASH_KEY, attribute: [{ name: TABLE_HASH_KEY, type: "S" }],
          pointInTimeRecovery: [{ enabled: true, recoveryPeriodInDays: scope.env.spec.database.backupRetentionDays }],
          streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES",
          serverSideEncryption: [{ enabled: true, kmsKeyArn: keyArn }],
          ttl: [{ attributeName: TABLE_TTL_ATTRIBUTE, enabled: true }],
          deletionProtectionEnabled: scope.protection,
          tags: scope.tags(tableName),
        },
      },
    });
  }
  return out;
}
