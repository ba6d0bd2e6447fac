import { privateBucket, type PrivateBucketProps } from "../../functions/src/blocks/private-bucket.js";
import { EXTERNAL_NAME, type RegionScope } from "../../functions/src/scope.js";
import { BASE_SPEC, TWO_REGION_SPEC, runBlock } from "../support/block-scope.js";

const fp = (resource: any) => resource.spec.forProvider;
const CONTROLS = ["versioning", "encryption", "public-access-block", "ownership-controls", "policy"];

const bucketOf = (
  props: Omit<PrivateBucketProps, "name">,
  spec: Record<string, unknown> = BASE_SPEC,
  role: "primary" | "secondary" = "primary",
) => {
  const archive = (scope: RegionScope) => privateBucket(scope, "archive", { name: `dr-archive-${scope.region.name}`, ...props });
  return runBlock(archive, spec, { role });
};

describe("a private bucket", () => {
  it("is the bucket under its AWS name and one resource per control, each on that bucket in the region, every model schema-valid", () => {
    const { out, models } = bucketOf({ stateful: true }, TWO_REGION_SPEC, "secondary");
    expect(Object.keys(out).sort()).toEqual(["archive", ...CONTROLS.map((c) => `archive-${c}`)].sort());
    for (const model of Object.values(models)) expect(() => model.validate()).not.toThrow();
    expect(out.archive.metadata.annotations[EXTERNAL_NAME]).toBe("dr-archive-us-east-1");
    expect(fp(out.archive).tags).toMatchObject({ Name: "dr-archive-us-east-1", "dr.platform.io/region-role": "secondary" });
    for (const [name, r] of Object.entries<any>(out)) expect({ name, region: fp(r).region }).toEqual({ name, region: "us-east-1" });
    for (const control of CONTROLS)
      expect({ control, selector: fp(out[`archive-${control}`]).bucketSelector }).toEqual({
        control,
        selector: {
          matchControllerRef: true,
          matchLabels: { "dr.platform.io/region-role": "secondary", "dr.platform.io/resource": "archive" },
        },
      });
  });

  it("keeps every object version, refuses public access and ACLs (S3.1, S3.8), and plain HTTP on the bucket and its objects (S3.5)", () => {
    const { out } = bucketOf({ stateful: false });
    expect(fp(out["archive-versioning"]).versioningConfiguration).toEqual({ status: "Enabled" });
    expect(fp(out["archive-public-access-block"])).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(fp(out["archive-ownership-controls"]).rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(JSON.parse(fp(out["archive-policy"]).policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:*",
          Resource: ["arn:aws:s3:::dr-archive-us-west-2", "arn:aws:s3:::dr-archive-us-west-2/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("encrypts with S3-managed keys without a KMS key, and with the key and a bucket key given one", () => {
    expect(fp(bucketOf({ stateful: false }).out["archive-encryption"]).rule).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    const kmsKey = { matchControllerRef: true as const, matchLabels: { "dr.platform.io/resource": "archive-key" } };
    expect(fp(bucketOf({ stateful: false, kmsKey }).out["archive-encryption"]).rule).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyIdSelector: kmsKey }, bucketKeyEnabled: true },
    ]);
  });

  it.each([
    ["stateful, protected", true, true, { policy: "Orphan", forceDestroy: false }],
    ["stateful, unprotected", true, false, { policy: "Delete", forceDestroy: true }],
    // What the composition can write again is destroyable even in a protected environment, and follows Crossplane's default.
    ["rebuildable, protected", false, true, { policy: undefined, forceDestroy: true }],
    ["rebuildable, unprotected", false, false, { policy: undefined, forceDestroy: true }],
  ])("%s: the bucket and every guard of it share one deletion policy", (_name, stateful, protection, want) => {
    const { out } = bucketOf({ stateful }, { ...BASE_SPEC, protection });
    expect(fp(out.archive).forceDestroy).toBe(want.forceDestroy);
    for (const [name, r] of Object.entries<any>(out))
      expect({ name, policy: r.spec.deletionPolicy }).toEqual({ name, policy: want.policy });
  });
});
