/**
 * The namespaced flavor's translation of one manifest (apiVersion, management policies, provider
 * config, secret references) and the Usages it orders deletion with, on manifests written by hand.
 * Fast: nothing is rendered (namespaced.test.ts judges whole environments).
 */
import { Key } from "@crossplane-models/provider-upjet-aws/kms.aws.upbound.io/v1beta1/Key";
import { modelForFlavor, namespacedApiVersion, ORPHAN_MANAGEMENT_POLICIES, toNamespaced } from "../../functions/src/flavor.js";
import { USAGE_RULES, usagesFor } from "../../functions/src/usages.js";
import { LABELS } from "../../functions/src/scope.js";

type Json = Record<string, any>;

describe("namespacedApiVersion", () => {
  it("moves a provider group to its namespaced twin at the namespaced model version, and leaves other groups", () => {
    expect(namespacedApiVersion("ec2.aws.upbound.io/v1beta2")).toBe("ec2.aws.m.upbound.io/v1beta1");
    expect(namespacedApiVersion("protection.crossplane.io/v1beta1")).toBe("protection.crossplane.io/v1beta1");
    expect(namespacedApiVersion("aws.upbound.io/v1beta1")).toBe("aws.upbound.io/v1beta1");
  });
});

describe("toNamespaced", () => {
  const cluster = (spec: Json): Json => ({ apiVersion: "rds.aws.upbound.io/v1beta2", kind: "Cluster", metadata: { name: "x" }, spec });

  it("puts a resource of another group in the namespace and changes nothing else", () => {
    const usage = {
      apiVersion: "protection.crossplane.io/v1beta1",
      kind: "Usage",
      metadata: { name: "u" },
      spec: { deletionPolicy: "Orphan" },
    };
    expect(toNamespaced(usage, "team-a")).toEqual({ ...usage, metadata: { name: "u", namespace: "team-a" } });
  });

  it("keeps Orphan as every management policy but Delete, also from a wildcard or a list", () => {
    expect(ORPHAN_MANAGEMENT_POLICIES).toEqual(["Observe", "Create", "Update", "LateInitialize"]);
    expect(toNamespaced(cluster({ deletionPolicy: "Orphan" }), "n").spec).toEqual({ managementPolicies: ORPHAN_MANAGEMENT_POLICIES });
    expect(toNamespaced(cluster({ deletionPolicy: "Orphan", managementPolicies: ["*"] }), "n").spec).toEqual({
      managementPolicies: ORPHAN_MANAGEMENT_POLICIES,
    });
    expect(toNamespaced(cluster({ deletionPolicy: "Orphan", managementPolicies: ["Observe", "Delete", "Create"] }), "n").spec).toEqual({
      managementPolicies: ["Observe", "Create"],
    });
  });

  it("drops a Delete deletion policy, keeping management policies as they are", () => {
    expect(toNamespaced(cluster({ deletionPolicy: "Delete" }), "n").spec).toEqual({});
    expect(toNamespaced(cluster({ deletionPolicy: "Delete", managementPolicies: ["Observe"] }), "n").spec).toEqual({
      managementPolicies: ["Observe"],
    });
    expect(toNamespaced({ apiVersion: "rds.aws.upbound.io/v1beta2", kind: "Cluster" }, "n")).toEqual({
      apiVersion: "rds.aws.m.upbound.io/v1beta1",
      kind: "Cluster",
      metadata: { namespace: "n" },
      spec: {},
    });
  });

  it("names the provider config by kind and makes secret references local, at any depth", () => {
    const out = toNamespaced(
      cluster({
        providerConfigRef: { name: "aws" },
        writeConnectionSecretToRef: { name: "conn", namespace: "elsewhere" },
        forProvider: {
          region: "us-east-1",
          tags: null,
          passwordSecretRef: { name: "pw", namespace: "elsewhere", key: "k" },
          emptySecretRef: null,
          rule: [{ tokenSecretRef: { name: "t", namespace: "elsewhere" }, other: { namespace: "stays" } }, "text"],
        },
      }),
      "team-a",
      "ProviderConfig",
    );
    expect(out.spec).toEqual({
      providerConfigRef: { kind: "ProviderConfig", name: "aws" },
      writeConnectionSecretToRef: { name: "conn" },
      forProvider: {
        region: "us-east-1",
        tags: null,
        passwordSecretRef: { name: "pw", key: "k" },
        emptySecretRef: null,
        rule: [{ tokenSecretRef: { name: "t" }, other: { namespace: "stays" } }, "text"],
      },
    });
    expect((toNamespaced(cluster({ providerConfigRef: { name: "aws" } }), "n") as Json).spec.providerConfigRef).toEqual({
      kind: "ClusterProviderConfig",
      name: "aws",
    });
  });
});

describe("modelForFlavor", () => {
  const key = () =>
    new Key({ spec: { forProvider: { region: "us-east-1" }, providerConfigRef: { name: "aws" }, deletionPolicy: "Orphan" } });

  it("is the block's own model for the claim flavor", () => {
    const model = key();
    expect(modelForFlavor(model, { flavor: "cluster", spec: { providerConfigKind: "ClusterProviderConfig" } })).toBe(model);
  });

  it("is the namespaced twin for the namespaced flavor, in the namespace, valid", () => {
    const twin = modelForFlavor(key(), { flavor: "namespaced", namespace: "team-a", spec: { providerConfigKind: "ProviderConfig" } });
    const out = twin.toJSON() as Json;
    expect(out.apiVersion).toBe("kms.aws.m.upbound.io/v1beta1");
    expect(out.metadata).toEqual({ namespace: "team-a" });
    expect(out.spec.providerConfigRef).toEqual({ kind: "ProviderConfig", name: "aws" });
    expect(out.spec.managementPolicies).toEqual(ORPHAN_MANAGEMENT_POLICIES);
    expect(() => twin.validate()).not.toThrow();
    expect(
      (modelForFlavor(key(), { flavor: "namespaced", spec: { providerConfigKind: "ProviderConfig" } }).toJSON() as Json).metadata,
    ).toEqual({
      namespace: "",
    });
  });

  it("refuses a kind without a namespaced model, saying how to regenerate them", () => {
    const model = { toJSON: () => ({ apiVersion: "sqs.aws.upbound.io/v1beta1", kind: "Nothing", spec: {} }) } as never;
    expect(() =>
      modelForFlavor(model, { flavor: "namespaced", namespace: "n", spec: { providerConfigKind: "ClusterProviderConfig" } }),
    ).toThrow(
      "no namespaced model for sqs.aws.m.upbound.io/v1beta1/Nothing: regenerate functions/src/namespaced-models.generated.ts (npm run generate:kinds)",
    );
  });
});

describe("usagesFor", () => {
  const labels = (role: string, resource: string) => ({ [LABELS.regionRole]: role, [LABELS.resource]: resource, [LABELS.block]: "b" });
  const selector = (role: string, resource: string) => ({
    matchControllerRef: true,
    matchLabels: { [LABELS.regionRole]: role, [LABELS.resource]: resource },
  });
  const manifest = (group: string, kind: string, role: string, logical: string, spec: Json = {}): Json => ({
    apiVersion: `${group}.aws.m.upbound.io/v1beta1`,
    kind,
    metadata: { labels: labels(role, logical) },
    spec,
  });
  const why = (of: string) => USAGE_RULES.find((r) => r.of === of)!.why;

  it("holds a key until each resource that selects it is gone, in the key's region, but not for its alias", () => {
    const resources = {
      "primary-database-key": manifest("kms", "Key", "primary", "database-key"),
      "primary-database-key-alias": manifest("kms", "Alias", "primary", "database-key-alias", {
        forProvider: { targetKeyIdSelector: selector("primary", "database-key") },
      }),
      "primary-aurora-cluster": manifest("rds", "Cluster", "primary", "aurora-cluster", {
        initProvider: { kmsKeyIdSelector: selector("primary", "database-key") },
      }),
    };
    const out = usagesFor(resources, "team-a");
    expect(Object.keys(out)).toEqual(["primary-database-key-used-by-primary-aurora-cluster"]);
    expect(out["primary-database-key-used-by-primary-aurora-cluster"]).toEqual({
      apiVersion: "protection.crossplane.io/v1beta1",
      kind: "Usage",
      metadata: { namespace: "team-a", labels: { [LABELS.regionRole]: "primary", [LABELS.block]: "usages" } },
      spec: {
        of: { apiVersion: "kms.aws.m.upbound.io/v1beta1", kind: "Key", resourceSelector: selector("primary", "database-key") },
        by: { apiVersion: "rds.aws.m.upbound.io/v1beta1", kind: "Cluster", resourceSelector: selector("primary", "aurora-cluster") },
        reason: why("kms/Key"),
        replayDeletion: true,
      },
    });
  });

  it("reads selectors in lists and only under *Selector fields, and follows the table of kinds", () => {
    const resources = {
      "secondary-subnet-a": manifest("ec2", "Subnet", "secondary", "subnet-a"),
      "secondary-subnet-b": manifest("ec2", "Subnet", "secondary", "subnet-b"),
      "secondary-db-subnets": manifest("rds", "SubnetGroup", "secondary", "db-subnets", {
        forProvider: {
          rule: [{ subnetIdSelector: selector("secondary", "subnet-a") }],
          subnetIdRefs: { matchLabels: labels("secondary", "subnet-b") },
        },
      }),
      // A security group selecting a subnet is no rule's business.
      "secondary-sg": manifest("ec2", "SecurityGroup", "secondary", "sg", {
        forProvider: { subnetSelector: selector("secondary", "subnet-b") },
      }),
      unlabelled: { apiVersion: "ec2.aws.m.upbound.io/v1beta1", kind: "Subnet", metadata: {}, spec: {} },
    };
    const out = usagesFor(resources, "n") as Json;
    expect(Object.keys(out)).toEqual(["secondary-subnet-a-used-by-secondary-db-subnets"]);
    expect(out["secondary-subnet-a-used-by-secondary-db-subnets"]!.spec.reason).toBe(why("ec2/Subnet"));
    expect(out["secondary-subnet-a-used-by-secondary-db-subnets"]!.metadata.labels[LABELS.regionRole]).toBe("secondary");
  });

  it("holds the storage key for the table and queues that name it by ARN, in the same region only", () => {
    const resources = {
      "primary-storage-key": manifest("kms", "Key", "primary", "storage-key"),
      "secondary-storage-key": manifest("kms", "Key", "secondary", "storage-key"),
      "primary-table": manifest("dynamodb", "Table", "primary", "table"),
      "primary-queue-dlq": manifest("sqs", "Queue", "primary", "queue-dlq"),
      "primary-queue-other": manifest("sqs", "Queue", "primary", "queue-other"),
      "primary-alerts-key": manifest("kms", "Key", "primary", "alerts-key"),
      "primary-alerts-topic": manifest("sns", "Topic", "primary", "alerts-topic"),
    };
    expect(Object.keys(usagesFor(resources, "n")).sort()).toEqual([
      "primary-alerts-key-used-by-primary-alerts-topic",
      "primary-storage-key-used-by-primary-queue-dlq",
      "primary-storage-key-used-by-primary-table",
    ]);
  });

  it("orders the database's own chain: instances before the cluster, the cluster before its groups", () => {
    const resources = {
      "primary-params": manifest("rds", "ClusterParameterGroup", "primary", "params"),
      "primary-subnets": manifest("rds", "SubnetGroup", "primary", "subnets"),
      "primary-sg": manifest("ec2", "SecurityGroup", "primary", "sg"),
      "primary-cluster": manifest("rds", "Cluster", "primary", "cluster", {
        forProvider: {
          dbClusterParameterGroupNameSelector: selector("primary", "params"),
          dbSubnetGroupNameSelector: selector("primary", "subnets"),
          vpcSecurityGroupIdSelector: selector("primary", "sg"),
        },
      }),
      "primary-instance": manifest("rds", "ClusterInstance", "primary", "instance", {
        forProvider: {
          clusterIdentifierSelector: selector("primary", "cluster"),
          dbSubnetGroupNameSelector: selector("primary", "subnets"),
        },
      }),
    };
    expect(Object.keys(usagesFor(resources, "n")).sort()).toEqual([
      "primary-cluster-used-by-primary-instance",
      "primary-params-used-by-primary-cluster",
      "primary-sg-used-by-primary-cluster",
      "primary-subnets-used-by-primary-cluster",
      "primary-subnets-used-by-primary-instance",
    ]);
  });
});
