import { fromCompose, RunFunctionRequest, RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { VPC } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/VPC";
import { compose } from "../../functions/src/function.js";
import { compositeOf, render, requestFor, type Claim } from "../../functions/src/render.js";
import { REGIONAL_BLOCKS } from "../../functions/src/blocks/index.js";
import type { ManagedResource } from "../../functions/src/block.js";
import { ClaimValidationError, validateSpec } from "../../src/api/index.js";
import { nextObserved, settle, statefulResources, type RenderedJson } from "../../tools/policy/index.js";

const handler = fromCompose(compose);
const FATAL = Severity[Severity.SEVERITY_FATAL];

const claimOf = (spec: Record<string, unknown>): Claim => ({
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "ledger", namespace: "team-ledger", uid: "9a8b7c6d-0000-4000-8000-00000000abcd" },
  spec: { environmentSuffix: "led01", primaryRegion: "eu-west-1", alerts: { emails: ["oncall@example.com"] }, ...spec },
});
const BACKUP_RESTORE = { tier: "backup-restore" };
const PILOT_LIGHT = { tier: "pilot-light", secondaryRegion: "eu-central-1" };
const WARM_STANDBY = { tier: "warm-standby", secondaryRegion: "eu-central-1" };

const json = (rsp: RunFunctionResponse) => RunFunctionResponse.toJSON(rsp) as RenderedJson;
const fatals = (rsp: RenderedJson) => (rsp.results ?? []).filter((r: { severity: string }) => r.severity === FATAL);

/** The request Crossplane sends for an environment that exists: observed and desired from the last run. */
async function existing(spec: Record<string, unknown>) {
  const first = json(await render(claimOf(spec)));
  const observed = nextObserved(first);
  const desired = json(await render(claimOf(spec), observed)).desired;
  return { observed, desired };
}

async function runWith(
  claim: Claim,
  observed: Record<string, unknown>,
  desired: unknown,
): Promise<{ rsp: RenderedJson; request: RenderedJson }> {
  const request = RunFunctionRequest.toJSON(requestFor(compositeOf(claim), observed as never)) as RenderedJson;
  request.desired = desired;
  return { rsp: json(await handler.RunFunction(RunFunctionRequest.fromJSON(request))), request };
}

describe("failure safety: an error anywhere returns Fatal and the request's desired state untouched", () => {
  let before: Awaited<ReturnType<typeof existing>>;
  beforeAll(async () => {
    before = await existing(WARM_STANDBY);
  });

  const failing: Array<[string, () => Claim | Promise<Claim>, (() => () => void)?]> = [
    ["an invalid spec", () => claimOf({ ...WARM_STANDBY, database: { minCapacity: 8, maxCapacity: 2 } })],
    [
      "a rule only the function knows (3 zones in a 2-zone region)",
      () => claimOf({ ...WARM_STANDBY, primaryRegion: "us-west-1", network: { availabilityZones: 3 } }),
    ],
    ["a tier downgrade", () => claimOf(BACKUP_RESTORE)],
    ...Object.keys(REGIONAL_BLOCKS).map((block): [string, () => Claim, () => () => void] => [
      `the ${block} block throwing`,
      () => claimOf(WARM_STANDBY),
      () => {
        const original = REGIONAL_BLOCKS[block];
        REGIONAL_BLOCKS[block] = () => {
          throw new Error(`${block} failed`);
        };
        return () => {
          REGIONAL_BLOCKS[block] = original;
        };
      },
    ]),
    [
      "a resource its model rejects",
      () => claimOf(WARM_STANDBY),
      () => {
        const original = REGIONAL_BLOCKS.network;
        REGIONAL_BLOCKS.network = (scope) => ({
          ...original(scope),
          vpc: new VPC({ spec: { forProvider: { region: 42 } } } as never) as ManagedResource,
        });
        return () => {
          REGIONAL_BLOCKS.network = original;
        };
      },
    ],
  ];

  it.each(failing.map(([what, claim, inject]) => ({ what, claim, inject })))("$what", async ({ claim, inject }) => {
    const restore = inject?.();
    try {
      const { rsp, request } = await runWith(await claim(), before.observed, before.desired);
      expect(fatals(rsp)).toHaveLength(1);
      expect(Object.keys(rsp.desired.resources)).toHaveLength(Object.keys(before.desired.resources).length);
      expect(rsp.desired).toEqual(request.desired);
    } finally {
      restore?.();
    }
  });
});

describe("deletion safety: protection", () => {
  /** What guards kept data: deleting it would strip a control off what stays. */
  const GUARDS = [
    "s3/BucketPublicAccessBlock",
    "s3/BucketPolicy",
    "s3/BucketServerSideEncryptionConfiguration",
    "s3/BucketVersioning",
    "s3/BucketOwnershipControls",
    "s3/BucketLifecycleConfiguration",
    "kms/Alias",
    "rds/ClusterParameterGroup",
    "rds/SubnetGroup",
    "secretsmanager/Secret",
    "secretsmanager/SecretVersion",
  ];
  const DR = ["rds/GlobalCluster", "dynamodb/TableReplica", "s3/BucketReplicationConfiguration"];
  const EXPECTED_KINDS: Record<string, string[]> = {
    "backup-restore": ["rds/Cluster", "dynamodb/Table", "s3/Bucket", "kms/Key", "backup/Vault", ...GUARDS],
    "pilot-light": ["rds/Cluster", "dynamodb/Table", "s3/Bucket", "kms/Key", "backup/Vault", ...GUARDS, ...DR],
    "warm-standby": ["rds/Cluster", "dynamodb/Table", "s3/Bucket", "kms/Key", "backup/Vault", ...GUARDS, ...DR],
  };
  /** What "protected" means per kind, beyond deletionPolicy Orphan. */
  const PROTECTED: Record<string, (fp: Record<string, any>) => boolean> = {
    "rds/Cluster": (fp) =>
      fp.deletionProtection === true && fp.skipFinalSnapshot === false && typeof fp.finalSnapshotIdentifier === "string",
    "rds/GlobalCluster": (fp) => fp.deletionProtection === true && fp.forceDestroy !== true,
    "dynamodb/Table": (fp) => fp.deletionProtectionEnabled === true,
    "dynamodb/TableReplica": (fp) => fp.deletionProtectionEnabled === true,
    "s3/Bucket": (fp) => fp.forceDestroy !== true,
    "kms/Key": (fp) => fp.deletionWindowInDays === 30,
    "backup/Vault": (fp) => fp.forceDestroy !== true,
    // A guard is protected by being Orphan.
    ...Object.fromEntries([...GUARDS, "s3/BucketReplicationConfiguration"].map((kind) => [kind, () => true])),
  };

  it.each([[BACKUP_RESTORE], [PILOT_LIGHT], [WARM_STANDBY]])(
    "protection: true makes every stateful resource of %j Orphan and protected",
    async (tier) => {
      const { resources } = await settle(claimOf({ ...tier, protection: true }));
      const stateful = statefulResources(resources);
      const kinds = new Set(stateful.map(([, r]) => `${r.apiVersion.split(".")[0]}/${r.kind}`));
      expect([...kinds].sort()).toEqual([...EXPECTED_KINDS[tier.tier]].sort());
      const unprotected = stateful
        .filter(
          ([, r]) =>
            r.spec?.deletionPolicy !== "Orphan" || !PROTECTED[`${r.apiVersion.split(".")[0]}/${r.kind}`](r.spec?.forProvider ?? {}),
        )
        .map(([name]) => name);
      expect(unprotected).toEqual([]);
    },
  );

  it("protection: false leaves every stateful resource destroyable", async () => {
    const { resources } = await settle(claimOf({ ...WARM_STANDBY, protection: false }));
    const kept = statefulResources(resources)
      .filter(([, r]) => r.spec?.deletionPolicy === "Orphan")
      .map(([name]) => name);
    expect(kept).toEqual([]);
  });
});

describe("deletion safety: tier downgrades", () => {
  const spec = (s: Record<string, unknown>) => claimOf(s).spec;
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as ClaimValidationError).errors?.map((e) => e.field);
    }
    return [];
  };

  it.each([
    ["warm-standby", WARM_STANDBY, "backup-restore", BACKUP_RESTORE],
    ["warm-standby", WARM_STANDBY, "pilot-light", PILOT_LIGHT],
    ["pilot-light", PILOT_LIGHT, "backup-restore", BACKUP_RESTORE],
  ])("the API refuses %s -> %s unless spec.allowTierDowngrade", (_from, from, _to, to) => {
    expect(refusal(() => validateSpec(spec(to), spec(from)))).toEqual(["spec.tier"]);
    expect(refusal(() => validateSpec(spec({ ...to, allowTierDowngrade: true }), spec(from)))).toEqual([]);
  });

  it.each([
    [BACKUP_RESTORE, PILOT_LIGHT],
    [BACKUP_RESTORE, WARM_STANDBY],
    [PILOT_LIGHT, WARM_STANDBY],
    [WARM_STANDBY, WARM_STANDBY],
  ])("the API allows %j -> %j", (from, to) => {
    expect(refusal(() => validateSpec(spec(to), spec(from)))).toEqual([]);
  });

  it.each([
    ["warm-standby", WARM_STANDBY, "backup-restore", BACKUP_RESTORE],
    ["warm-standby", WARM_STANDBY, "pilot-light", PILOT_LIGHT],
    ["pilot-light", PILOT_LIGHT, "backup-restore", BACKUP_RESTORE],
  ])("the function refuses %s -> %s it observes, naming spec.tier, unless allowed", async (_from, from, _to, to) => {
    const { observed, desired } = await existing(from);
    const refused = await runWith(claimOf(to), observed, desired);
    expect(fatals(refused.rsp)).toHaveLength(1);
    expect(fatals(refused.rsp)[0].message).toContain("spec.tier");
    expect(refused.rsp.desired).toEqual(refused.request.desired);

    const allowed = await runWith(claimOf({ ...to, allowTierDowngrade: true }), observed, {});
    expect(fatals(allowed.rsp)).toEqual([]);
    expect(Object.keys(allowed.rsp.desired.resources).length).toBeGreaterThan(0);
  });

  it("the function is not fooled by a claim that tries to override the tier tag: the standard tags win", async () => {
    const pinned = { ...BACKUP_RESTORE, tags: { "dr.platform.io/tier": "warm-standby" } };
    const { observed } = await existing(pinned);
    const { rsp } = await runWith(claimOf(pinned), observed, {});
    expect(fatals(rsp)).toEqual([]);
    const tiers = Object.values<any>(rsp.desired.resources)
      .map((r) => r.resource.spec.forProvider.tags?.["dr.platform.io/tier"])
      .filter(Boolean);
    expect(new Set(tiers)).toEqual(new Set(["backup-restore"]));
  });

  it("the function lets an upgrade through", async () => {
    const { observed } = await existing(BACKUP_RESTORE);
    const { rsp } = await runWith(claimOf(WARM_STANDBY), observed, {});
    expect(fatals(rsp)).toEqual([]);
  });
});

describe("immutability (CEL transition rules)", () => {
  const base = claimOf(WARM_STANDBY).spec!;
  it.each([
    ["spec.environmentSuffix", { environmentSuffix: "led02" }],
    ["spec.primaryRegion", { primaryRegion: "eu-west-2" }],
    ["spec.secondaryRegion", { secondaryRegion: "eu-north-1" }],
  ])("%s cannot change after creation", (field, change) => {
    let fields: string[] = [];
    try {
      validateSpec({ ...base, ...change }, base);
    } catch (error) {
      fields = (error as ClaimValidationError).errors.map((e) => e.field);
    }
    expect(fields).toEqual([field]);
    expect(() => validateSpec({ ...base, ...change })).not.toThrow();
  });
});
