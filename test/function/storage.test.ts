import { storage, dataBucketName } from "../../functions/src/blocks/storage.js";
import { EXTERNAL_NAME } from "../../functions/src/scope.js";
import { BASE_SPEC, TWO_REGION_SPEC, observedWith, runBlock } from "../support/block-scope.js";

const KEY_ARN = "arn:aws:kms:us-west-2:123456789012:key/5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f";
const withKey = { "primary-storage-key": observedWith({ arn: KEY_ARN }) };

const fp = (resource: any) => resource.spec.forProvider;

describe("storage block", () => {
  it("composes the key, the bucket with its six settings and the table, every model schema-valid", () => {
    const { out, models } = runBlock(storage, BASE_SPEC, { observed: withKey });
    expect(Object.keys(out).sort()).toEqual([
      "bucket",
      "bucket-encryption",
      "bucket-lifecycle",
      "bucket-ownership-controls",
      "bucket-policy",
      "bucket-public-access-block",
      "bucket-versioning",
      "storage-key",
      "storage-key-alias",
      "table",
    ]);
    for (const model of Object.values(models)) expect(() => model.validate()).not.toThrow();
  });

  describe("table", () => {
    it("waits for the storage key's ARN, the only form the table takes its key in", () => {
      const { out, pending } = runBlock(storage, BASE_SPEC);
      expect(out.table).toBeUndefined();
      expect(pending).toEqual([{ resource: "primary-table", reason: "waits for arn of primary-storage-key" }]);
    });

    it("is on demand, recoverable to a point in time, streamed with both images, KMS-encrypted and expires items", () => {
      const { out, pending } = runBlock(storage, { ...BASE_SPEC, database: { backupRetentionDays: 14 } }, { observed: withKey });
      expect(pending).toEqual([]);
      expect(out.table.metadata.annotations[EXTERNAL_NAME]).toBe("dr-table-stage-2b07edd8");
      expect(fp(out.table)).toMatchObject({
        billingMode: "PAY_PER_REQUEST",
        hashKey: "pk",
        attribute: [{ name: "pk", type: "S" }],
        pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 14 },
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
        ttl: { attributeName: "expiresAt", enabled: true },
      });
      expect(fp(out.table).rangeKey).toBeUndefined();
    });
  });

  describe("bucket", () => {
    it("has a name with the suffix and owner, the same for the claim created again and different in another namespace", () => {
      const first = runBlock(storage, BASE_SPEC);
      const recreated = runBlock(storage, BASE_SPEC, { uid: "9f9f9f9f-2222-4333-8444-955566667777" });
      const otherTeam = runBlock(storage, BASE_SPEC, { namespace: "team-other" });
      const name = first.out.bucket.metadata.annotations[EXTERNAL_NAME];
      expect(name).toMatch(/^dr-data-stage-2b07edd8-us-west-2$/);
      expect(name).toBe(dataBucketName(first.scope));
      expect(recreated.out.bucket.metadata.annotations[EXTERNAL_NAME]).toBe(name);
      expect(otherTeam.out.bucket.metadata.annotations[EXTERNAL_NAME]).not.toBe(name);
    });

    it("denies every request without TLS, on the bucket and on its objects", () => {
      const { out, scope } = runBlock(storage, BASE_SPEC);
      const arn = `arn:aws:s3:::${dataBucketName(scope)}`;
      const policy = JSON.parse(fp(out["bucket-policy"]).policy);
      expect(policy.Statement).toEqual([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:*",
          Resource: [arn, `${arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
    });

    it("is versioned, KMS-encrypted with a bucket key, private and owner-enforced", () => {
      const { out } = runBlock(storage, BASE_SPEC);
      expect(fp(out["bucket-versioning"]).versioningConfiguration).toEqual({ status: "Enabled" });
      const sse = fp(out["bucket-encryption"]).rule[0];
      expect(sse.bucketKeyEnabled).toBe(true);
      expect(sse.applyServerSideEncryptionByDefault.sseAlgorithm).toBe("aws:kms");
      expect(sse.applyServerSideEncryptionByDefault.kmsMasterKeyIdSelector.matchLabels["dr.platform.io/resource"]).toBe("storage-key");
      expect(fp(out["bucket-public-access-block"])).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(fp(out["bucket-ownership-controls"]).rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
      for (const setting of [
        "bucket-versioning",
        "bucket-encryption",
        "bucket-lifecycle",
        "bucket-public-access-block",
        "bucket-ownership-controls",
        "bucket-policy",
      ]) {
        expect({ setting, selector: fp(out[setting]).bucketSelector }).toEqual({
          setting,
          selector: {
            matchControllerRef: true,
            matchLabels: { "dr.platform.io/region-role": "primary", "dr.platform.io/resource": "bucket" },
          },
        });
      }
    });

    it("moves objects to infrequent access, expires old versions and aborts stale uploads", () => {
      const rules = fp(runBlock(storage, BASE_SPEC).out["bucket-lifecycle"]).rule;
      expect(rules.every((r: any) => r.status === "Enabled")).toBe(true);
      expect(rules).toContainEqual(expect.objectContaining({ transition: [{ days: 30, storageClass: "STANDARD_IA" }] }));
      // Delete markers left without versions go too, so listings of the versioned bucket stay fast.
      expect(rules).toContainEqual(
        expect.objectContaining({
          noncurrentVersionExpiration: [{ noncurrentDays: 90 }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        }),
      );
      expect(rules).toContainEqual(expect.objectContaining({ abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }));
    });
  });

  it.each([
    [true, { policy: "Orphan", forceDestroy: false, deletionProtection: true }],
    [false, { policy: "Delete", forceDestroy: true, deletionProtection: false }],
  ])("with protection %s keeps or releases the data accordingly", (protection, want) => {
    const { out } = runBlock(storage, { ...BASE_SPEC, protection }, { observed: withKey });
    const guards = ["bucket-policy", "bucket-public-access-block", "bucket-encryption", "bucket-versioning", "bucket-ownership-controls"];
    for (const stateful of ["table", "bucket", "storage-key", "storage-key-alias", "bucket-lifecycle", ...guards])
      expect({ stateful, policy: out[stateful].spec.deletionPolicy }).toEqual({ stateful, policy: want.policy });
    expect(fp(out.bucket).forceDestroy).toBe(want.forceDestroy);
    expect(fp(out.table).deletionProtectionEnabled).toBe(want.deletionProtection);
    // The guards of a kept bucket stay with it (DESIGN §7): deleting them would strip them off the bucket AWS keeps.
    for (const guard of ["policy", "public-access-block", "encryption", "versioning", "ownership-controls"])
      expect({ guard, policy: out[`bucket-${guard}`].spec.deletionPolicy }).toEqual({ guard, policy: want.policy });
  });

  it("tags everything that takes tags and names the key alias with the suffix", () => {
    const { out } = runBlock(storage, BASE_SPEC, { observed: withKey });
    for (const name of ["storage-key", "bucket", "table"]) {
      expect({ name, tags: fp(out[name]).tags }).toEqual({
        name,
        tags: expect.objectContaining({ "dr.platform.io/environment": "stage", "dr.platform.io/region-role": "primary" }),
      });
    }
    // The provider keeps an alias's external name without `alias/`; AWS and SNS/SQS see it with the prefix.
    expect(out["storage-key-alias"].metadata.annotations[EXTERNAL_NAME]).toBe("dr-storage-stage-2b07edd8-us-west-2");
    expect(fp(out["storage-key"]).enableKeyRotation).toBe(true);
  });

  it("replicates only once both regions' keys are reported: S3 re-encrypts replicas with the destination's key", () => {
    const bothKeys = { ...withKey, "secondary-storage-key": observedWith({ arn: KEY_ARN.replace("us-west-2", "us-east-1") }) };
    const waiting = runBlock(storage, TWO_REGION_SPEC, { observed: withKey });
    expect(waiting.out["bucket-replication"]).toBeUndefined();
    expect(waiting.out["replication-role-policy"]).toBeUndefined();
    expect(waiting.pending).toEqual(
      expect.arrayContaining([
        { resource: "primary-replication-role-policy", reason: "waits for arn of secondary-storage-key" },
        { resource: "primary-bucket-replication", reason: "waits for arn of secondary-storage-key" },
      ]),
    );
    const ready = runBlock(storage, TWO_REGION_SPEC, { observed: bothKeys });
    expect(fp(ready.out["bucket-replication"]).rule[0].destination.encryptionConfiguration).toEqual({
      replicaKmsKeyId: bothKeys["secondary-storage-key"].status!.atProvider!.arn,
    });
    expect(ready.pending).toEqual([]);
  });

  it("composes the secondary region's storage in that region, selecting that region's siblings", () => {
    const { out } = runBlock(storage, TWO_REGION_SPEC, { role: "secondary" });
    expect(fp(out.bucket).region).toBe("us-east-1");
    expect(out.bucket.metadata.annotations[EXTERNAL_NAME]).toMatch(/^dr-data-stage-2b07edd8-us-east-1$/);
    expect(fp(out["bucket-versioning"]).bucketSelector.matchLabels["dr.platform.io/region-role"]).toBe("secondary");
  });
});
