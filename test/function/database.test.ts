import { database, parameterGroupFamily } from "../../functions/src/blocks/database.js";
import { EXTERNAL_NAME } from "../../functions/src/scope.js";
import { BASE_SPEC, TWO_REGION_SPEC, observedWith, runBlock } from "../support/block-scope.js";

const CLUSTER_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:dr-aurora-stage-2b07edd8-us-west-2";

const fp = (resource: any) => resource.spec.forProvider;

describe("database block", () => {
  it("composes the key, subnet group, parameter group, cluster and instance, every model schema-valid", () => {
    const { out, models } = runBlock(database, BASE_SPEC, { observed: { "primary-aurora-cluster": observedWith({ arn: CLUSTER_ARN }) } });
    expect(Object.keys(out).sort()).toEqual([
      "aurora-cluster",
      "aurora-instance-1",
      "aurora-log-group",
      "aurora-parameter-group",
      "aurora-subnet-group",
      "database-key",
      "database-key-alias",
    ]);
    for (const model of Object.values(models)) expect(() => model.validate()).not.toThrow();
  });

  it("never carries a password: RDS manages the master password in Secrets Manager, encrypted with the block's key", () => {
    const { out } = runBlock(database, BASE_SPEC);
    const cluster = fp(out["aurora-cluster"]);
    expect(cluster.manageMasterUserPassword).toBe(true);
    expect(cluster.masterUserSecretKmsKeyIdSelector.matchLabels["dr.platform.io/resource"]).toBe("database-key");
    const passwordFields: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
          if (/password/i.test(k) && k !== "manageMasterUserPassword") passwordFields.push(`${path}.${k}`);
          walk(v, `${path}.${k}`);
        }
      }
    };
    walk(out, "database");
    expect(passwordFields).toEqual([]);
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

  it("forces TLS through the cluster parameter group of the engine's major version", () => {
    const { out } = runBlock(database, BASE_SPEC);
    const group = fp(out["aurora-parameter-group"]);
    expect(group.family).toBe("aurora-postgresql16");
    expect(group.parameter).toContainEqual(expect.objectContaining({ name: "rds.force_ssl", value: "1" }));
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
  });

  it("names every AWS resource with the environment suffix and tags everything that takes tags", () => {
    const { out } = runBlock(database, BASE_SPEC, { observed: { "primary-aurora-cluster": observedWith({ arn: CLUSTER_ARN }) } });
    const untaggable = ["database-key-alias"];
    for (const [name, resource] of Object.entries(out)) {
      const external = resource.metadata?.annotations?.[EXTERNAL_NAME];
      if (external) expect({ name, external }).toEqual({ name, external: expect.stringContaining("-stage") });
      if (!untaggable.includes(name))
        expect({ name, env: fp(resource).tags?.["dr.platform.io/environment"] }).toEqual({ name, env: "stage" });
    }
    expect(out["aurora-cluster"].metadata.annotations[EXTERNAL_NAME]).toBe("dr-aurora-stage-2b07edd8-us-west-2");
  });

  it("joins a secondary cluster to the global database in its own region once the primary cluster exists", () => {
    const { out, scope } = runBlock(database, TWO_REGION_SPEC, {
      role: "secondary",
      observed: { "primary-aurora-cluster": observedWith({ arn: CLUSTER_ARN }) },
    });
    expect(fp(out["aurora-cluster"]).region).toBe(scope.region.name);
    expect(out["aurora-cluster"].metadata.annotations[EXTERNAL_NAME]).toBe("dr-aurora-stage-2b07edd8-us-east-1");
  });
});
