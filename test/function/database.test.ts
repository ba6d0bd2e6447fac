import { database, parameterGroupFamily } from "../../functions/src/blocks/database.js";
import { EXTERNAL_NAME } from "../../functions/src/scope.js";
import { BASE_SPEC, TWO_REGION_SPEC, observedWith, runBlock } from "../support/block-scope.js";

const CLUSTER_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:dr-aurora-stage-2b07edd8-us-west-2";

const fp = (resource: any) => resource.spec.forProvider;
/** A global cluster AWS reports: the secondary's cluster joins it once it exists. */
const observed = {
  "primary-aurora-global-cluster": observedWith({ arn: "arn:aws:rds::123456789012:global-cluster:dr-aurora-global-stage-2b07edd8" }),
};

describe("database block", () => {
  it("composes the key, subnet group, parameter group, cluster and instance, every model schema-valid", () => {
    const { out, models } = runBlock(database, BASE_SPEC, { observed: { "primary-aurora-cluster": observedWith({ arn: CLUSTER_ARN }) } });
    expect(Object.keys(out).sort()).toEqual([
      "aurora-cluster",
      "aurora-instance-1",
      "aurora-log-group",
      "aurora-master-secret",
      "aurora-master-secret-version",
      "aurora-parameter-group",
      "aurora-subnet-group",
      "database-key",
      "database-key-alias",
    ]);
    for (const model of Object.values(models)) expect(() => model.validate()).not.toThrow();
  });

  it.each(["backup-restore", "pilot-light", "warm-standby"])(
    "%s: one password mode, never a password: the provider generates it into a Secret, copied to Secrets Manager by reference",
    (tier) => {
      const { out } = runBlock(database, { ...TWO_REGION_SPEC, tier });
      const cluster = fp(out["aurora-cluster"]);
      // RDS-managed passwords are not allowed in a Global Database: no tier uses them, so no upgrade switches modes.
      expect(cluster.manageMasterUserPassword).toBeUndefined();
      expect(cluster).toMatchObject({ masterUsername: "dradmin", autoGeneratePassword: true });
      const ref = { namespace: "crossplane-system", name: "dr-aurora-master-stage-2b07edd8", key: "password" };
      expect(cluster.masterPasswordSecretRef).toEqual(ref);
      const version = fp(out["aurora-master-secret-version"]);
      expect(version.secretStringSecretRef).toEqual(ref);
      expect(version.secretIdSelector.matchLabels["dr.platform.io/resource"]).toBe("aurora-master-secret");
      const secret = fp(out["aurora-master-secret"]);
      expect(secret).toMatchObject({ region: "us-west-2", name: "dr-aurora-master-stage-2b07edd8-us-west-2" });
      expect(secret.kmsKeyIdSelector.matchLabels).toEqual({
        "dr.platform.io/region-role": "primary",
        "dr.platform.io/resource": "database-key",
      });
      const passwordFields: string[] = [];
      const walk = (value: unknown, path: string) => {
        if (value && typeof value === "object") {
          for (const [k, v] of Object.entries(value)) {
            if (/password/i.test(k) && !["autoGeneratePassword", "masterPasswordSecretRef"].includes(k))
              passwordFields.push(`${path}.${k}`);
            walk(v, `${path}.${k}`);
          }
        }
      };
      walk(out, "database");
      expect(passwordFields).toEqual([]);
    },
  );

  it("replicates the password secret to the secondary region under that region's database key, once AWS reports the key", () => {
    const waiting = runBlock(database, TWO_REGION_SPEC);
    expect(fp(waiting.out["aurora-master-secret"]).replica).toBeUndefined();
    expect(waiting.pending).toContainEqual({ resource: "primary-aurora-master-secret", reason: "waits for arn of secondary-database-key" });
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/secondary";
    const { out } = runBlock(database, TWO_REGION_SPEC, { observed: { "secondary-database-key": observedWith({ arn: keyArn }) } });
    expect(fp(out["aurora-master-secret"]).replica).toEqual([{ region: "us-east-1", kmsKeyId: keyArn }]);
    // backup-restore has one region: nothing to replicate to, nothing to wait for.
    const single = runBlock(database, BASE_SPEC);
    expect(fp(single.out["aurora-master-secret"]).replica).toBeUndefined();
    expect(single.pending.map((p) => p.resource)).not.toContain("primary-aurora-master-secret");
    // The secondary region composes no secret of its own: it reads the replica.
    const secondary = runBlock(database, TWO_REGION_SPEC, { role: "secondary" });
    expect(secondary.out["aurora-master-secret"]).toBeUndefined();
  });

  it("is Aurora PostgreSQL Serverless v2 sized, retained and encrypted as the claim says", () => {
    const spec = {
      ...BASE_SPEC,
      database: { engineVersion: "15.8", minCapacity: 2, maxCapacity: 16, backupRetentionDays: 21, databaseName: "orders" },
    };
    const { out } = runBlock(database, spec);
    const cluster = fp(out["aurora-cluster"]);
    expect(cluster).toMatchObject({
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion: "15.8",
      databaseName: "orders",
      serverlessv2ScalingConfiguration: { minCapacity: 2, maxCapacity: 16 },
      backupRetentionPeriod: 21,
      storageEncrypted: true,
      iamDatabaseAuthenticationEnabled: true,
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: ["postgresql"],
    });
    expect(cluster.kmsKeyIdSelector.matchLabels).toEqual({
      "dr.platform.io/region-role": "primary",
      "dr.platform.io/resource": "database-key",
    });
    expect(cluster.vpcSecurityGroupIdSelector.matchLabels["dr.platform.io/resource"]).toBe("security-group-database");
    expect(fp(out["aurora-instance-1"])).toMatchObject({
      instanceClass: "db.serverless",
      engine: "aurora-postgresql",
      publiclyAccessible: false,
    });
    expect(fp(out["database-key"]).enableKeyRotation).toBe(true);
  });

  it.each(["primary", "secondary"] as const)(
    "keeps the %s's instance in the region's first zone whatever the zone count, promoted first and patched",
    (role) => {
      const spec = { ...TWO_REGION_SPEC, tier: "warm-standby" };
      const runs = [2, 3].map((availabilityZones) => runBlock(database, { ...spec, network: { availabilityZones } }, { role, observed }));
      for (const { out, scope } of runs) {
        const instance = fp(out["aurora-instance-1"]);
        // An instance's zone cannot change without replacing it, so it follows n, not the zone count.
        expect(instance.availabilityZone).toBe(scope.region.zones[0]);
        // Aurora promotes the lowest tier first, and readers in tiers 0 and 1 scale with the
        // writer's capacity (Serverless v2), so the one promoted already has it.
        expect(instance.promotionTier).toBe(0);
        // Minor versions carry the engine's security fixes; RDS applies them in the maintenance window.
        expect(instance.autoMinorVersionUpgrade).toBe(true);
      }
      expect(runs[0]!.scope.region.zones[0]).toBe(runs[1]!.scope.region.zones[0]);
    },
  );

  it("forces TLS through the cluster parameter group of the engine's major version", () => {
    const { out } = runBlock(database, BASE_SPEC);
    const group = fp(out["aurora-parameter-group"]);
    expect(group.family).toBe("aurora-postgresql16");
    // rds.force_ssl is dynamic, so it applies at once rather than at the next reboot.
    expect(group.parameter).toContainEqual({ name: "rds.force_ssl", value: "1", applyMethod: "immediate" });
    expect(fp(out["aurora-cluster"]).dbClusterParameterGroupNameSelector.matchLabels["dr.platform.io/resource"]).toBe(
      "aurora-parameter-group",
    );
    expect(parameterGroupFamily("13.12")).toBe("aurora-postgresql13");
  });

  it("places the subnet group in all private subnets of its own region", () => {
    const primary = fp(runBlock(database, TWO_REGION_SPEC).out["aurora-subnet-group"]).subnetIdSelector;
    const secondary = fp(runBlock(database, TWO_REGION_SPEC, { role: "secondary" }).out["aurora-subnet-group"]).subnetIdSelector;
    expect(primary).toEqual({
      matchControllerRef: true,
      matchLabels: { "dr.platform.io/region-role": "primary", "dr.platform.io/subnet-tier": "private" },
    });
    expect(secondary.matchLabels["dr.platform.io/region-role"]).toBe("secondary");
  });

  it.each([
    [true, { policy: "Orphan", deletionProtection: true, skipFinalSnapshot: false }],
    [false, { policy: "Delete", deletionProtection: false, skipFinalSnapshot: true }],
  ])("with protection %s keeps or releases the data accordingly", (protection, want) => {
    const { out } = runBlock(database, { ...BASE_SPEC, protection });
    const cluster = out["aurora-cluster"];
    expect(cluster.spec.deletionPolicy).toBe(want.policy);
    expect(fp(cluster).deletionProtection).toBe(want.deletionProtection);
    expect(fp(cluster).skipFinalSnapshot).toBe(want.skipFinalSnapshot);
    expect(fp(cluster).finalSnapshotIdentifier).toBe(protection ? "dr-aurora-stage-2b07edd8-us-west-2-final" : undefined);
    expect(out["database-key"].spec.deletionPolicy).toBe(want.policy);
    for (const secret of ["aurora-master-secret", "aurora-master-secret-version"])
      expect(out[secret].spec.deletionPolicy).toBe(want.policy);
    expect(fp(out["aurora-master-secret"]).recoveryWindowInDays).toBe(protection ? 30 : 0);
  });

  it("names every AWS resource with the environment suffix and tags everything that takes tags", () => {
    const { out } = runBlock(database, BASE_SPEC, { observed: { "primary-aurora-cluster": observedWith({ arn: CLUSTER_ARN }) } });
    const untaggable = ["database-key-alias", "aurora-master-secret-version"];
    for (const [name, resource] of Object.entries(out)) {
      const external = resource.metadata?.annotations?.[EXTERNAL_NAME];
      if (external) expect({ name, external }).toEqual({ name, external: expect.stringContaining("-stage") });
      if (!untaggable.includes(name))
        expect({ name, env: fp(resource).tags?.["dr.platform.io/environment"] }).toEqual({ name, env: "stage" });
    }
    expect(out["aurora-cluster"].metadata.annotations[EXTERNAL_NAME]).toBe("dr-aurora-stage-2b07edd8-us-west-2");
  });

  it("joins a secondary cluster to the global database in its own region once the global cluster exists", () => {
    const { out, scope } = runBlock(database, TWO_REGION_SPEC, {
      role: "secondary",
      observed: {
        // A secondary cluster joins the global database once it exists (made from the primary cluster).
        "primary-aurora-global-cluster": observedWith({
          arn: "arn:aws:rds::123456789012:global-cluster:dr-aurora-global-stage-2b07edd8",
        }),
      },
    });
    expect(fp(out["aurora-cluster"]).region).toBe(scope.region.name);
    expect(out["aurora-cluster"].metadata.annotations[EXTERNAL_NAME]).toBe("dr-aurora-stage-2b07edd8-us-east-1");
  });
});
