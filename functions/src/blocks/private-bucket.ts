/**
 * The controls every bucket of an environment has, written once: versioning, default encryption,
 * all four public access blocks (FSBP S3.1/S3.8), owner-enforced ownership (no ACLs) and a policy
 * that refuses plain HTTP (S3.5). Composed resources are `<logical>` and `<logical>-<control>`.
 */
import { Bucket } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta2/Bucket";
import { BucketVersioning } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta2/BucketVersioning";
import { BucketServerSideEncryptionConfiguration } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta2/BucketServerSideEncryptionConfiguration";
import { BucketPublicAccessBlock } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketPublicAccessBlock";
import { BucketOwnershipControls } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta2/BucketOwnershipControls";
import { BucketPolicy } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta1/BucketPolicy";
import type { ManagedResource } from "../block.js";
import type { RegionScope, Selector } from "../scope.js";
import { policyDocument } from "./iam.js";

export interface PrivateBucketProps {
  /** Globally unique AWS name. */
  name: string;
  /** Whether the bucket holds data the environment cannot write again (then protection applies). */
  stateful: boolean;
  /** KMS key to encrypt with; SSE-S3 (AES256) without one. */
  kmsKey?: Selector;
}

export function privateBucket(
  scope: RegionScope,
  logical: string,
  { name, stateful, kmsKey }: PrivateBucketProps,
): Record<string, ManagedResource> {
  const region = scope.region.name;
  const arn = `arn:aws:s3:::${name}`;
  const bucketSelector = scope.select(logical);
  // What guards a kept bucket is kept with it: deleting these would strip the guard off the orphaned bucket.
  const keep = stateful ? { deletionPolicy: scope.deletionPolicy } : {};
  const encryption = kmsKey
    ? // The bucket key cuts KMS requests (and their cost) to one per bucket and time window.
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyIdSelector: kmsKey }, bucketKeyEnabled: true }
    : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } };
  return {
    [logical]: new Bucket({
      metadata: scope.externalName(name),
      spec: {
        ...keep,
        forProvider: { region, forceDestroy: stateful ? !scope.protection : true, tags: scope.tags(name) },
      },
    }),
    [`${logical}-versioning`]: new BucketVersioning({
      spec: { ...keep, forProvider: { region, bucketSelector, versioningConfiguration: { status: "Enabled" } } },
    }),
    [`${logical}-encryption`]: new BucketServerSideEncryptionConfiguration({
      spec: { ...keep, forProvider: { region, bucketSelector, rule: [encryption] } },
    }),
    [`${logical}-public-access-block`]: new BucketPublicAccessBlock({
      spec: {
        ...keep,
        forProvider: {
          region,
          bucketSelector,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
      },
    }),
    [`${logical}-ownership-controls`]: new BucketOwnershipControls({
      spec: { ...keep, forProvider: { region, bucketSelector, rule: { objectOwnership: "BucketOwnerEnforced" } } },
    }),
    [`${logical}-policy`]: new BucketPolicy({
      spec: {
        ...keep,
        forProvider: {
          region,
          bucketSelector,
          policy: policyDocument([
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: { AWS: "*" },
              Action: "s3:*",
              Resource: [arn, `${arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ]),
        },
      },
    }),
  };
}
