/**
 * The environment a composite gives (owner, flavor, regions, tags) and the scope helpers every
 * block names, labels, selects and waits through. Fast: nothing is rendered.
 */
import { buildEnvironment, ownerOf, type CompositeResource } from "../../functions/src/environment.js";
import { EXTERNAL_NAME, LABELS, RegionScope, type Pending } from "../../functions/src/scope.js";
import { ownerId } from "../../src/naming.js";

const SPEC = {
  environmentSuffix: "stage",
  tier: "pilot-light",
  primaryRegion: "us-west-2",
  secondaryRegion: "us-east-1",
  network: { cidr: "10.30.0.0/16", secondaryCidr: "10.31.0.0/16", availabilityZones: 2 },
  tags: { CostCenter: "Commerce", "dr.platform.io/tier": "warm-standby", "managed-by": "me", "dr.platform.io/environment": "x" },
};
const xr = (
  spec: Record<string, unknown> = SPEC,
  metadata: CompositeResource["metadata"] = { name: "orders-x7k2p" },
): CompositeResource => ({
  apiVersion: "dr.platform.io/v1alpha1",
  metadata,
  spec: {
    ...spec,
    claimRef: { apiVersion: "dr.platform.io/v1alpha1", kind: "DisasterRecoveryEnvironment", name: "orders", namespace: "team-a" },
  },
});

describe("ownerOf", () => {
  it("is the claim named by the claim reference", () => {
    expect(ownerOf(xr())).toEqual({ namespace: "team-a", name: "orders" });
  });

  it("falls back to the claim labels, then to the composite itself", () => {
    const labels = { "crossplane.io/claim-name": "orders", "crossplane.io/claim-namespace": "team-b" };
    expect(ownerOf({ metadata: { name: "orders-abc", labels }, spec: { claimRef: { name: "", namespace: "team-a" } } })).toEqual({
      namespace: "team-b",
      name: "orders",
    });
    expect(ownerOf({ metadata: { name: "orders-abc", labels }, spec: { claimRef: { name: "orders", namespace: 3 } } })).toEqual({
      namespace: "team-b",
      name: "orders",
    });
    expect(ownerOf({ metadata: { name: "v2", namespace: "team-c", labels: { "crossplane.io/claim-name": "orders" } } })).toEqual({
      namespace: "team-c",
      name: "v2",
    });
    expect(ownerOf({ metadata: { name: "v2", labels: { "crossplane.io/claim-namespace": "team-b" } } })).toEqual({
      namespace: undefined,
      name: "v2",
    });
    expect(ownerOf({})).toEqual({ namespace: undefined, name: "" });
  });
});

describe("buildEnvironment", () => {
  it("derives both regions, their zones, the owner id and the tags, the standard ones winning", () => {
    const env = buildEnvironment(xr(), { "primary-vpc": {} });
    expect(env.name).toBe("orders-x7k2p");
    expect(env.owner).toEqual({ namespace: "team-a", name: "orders" });
    expect(env.ownerId).toBe(ownerId({ namespace: "team-a", name: "orders" }));
    expect(env.flavor).toBe("cluster");
    expect(env).not.toHaveProperty("namespace");
    expect(env.tier).toBe("pilot-light");
    expect(env.suffix).toBe("stage");
    expect(env.primary).toEqual({
      role: "primary",
      name: "us-west-2",
      cidr: "10.30.0.0/16",
      zones: ["us-west-2a", "us-west-2b"],
      active: true,
    });
    expect(env.secondary).toEqual({
      role: "secondary",
      name: "us-east-1",
      cidr: "10.31.0.0/16",
      zones: ["us-east-1a", "us-east-1b"],
      active: false,
    });
    expect(env.regions).toEqual([env.primary, env.secondary]);
    expect(env.backupOnlyRegion).toBeUndefined();
    expect(env.tags).toEqual({
      CostCenter: "Commerce",
      "dr.platform.io/environment": "stage",
      "dr.platform.io/tier": "pilot-light",
      "managed-by": "crossplane",
    });
    expect(env.observed).toEqual({ "primary-vpc": {} });
    expect(buildEnvironment(xr()).observed).toEqual({});
  });

  it("makes the secondary active when the claim says so", () => {
    const env = buildEnvironment(xr({ ...SPEC, failover: { activeRegion: "secondary" } }));
    expect([env.primary.active, env.secondary?.active]).toEqual([false, true]);
  });

  it("gives backup-restore one region, and with a second region named a backup region that runs nothing", () => {
    const single = buildEnvironment(xr({ ...SPEC, tier: "backup-restore", secondaryRegion: undefined }));
    expect(single.regions).toEqual([single.primary]);
    expect(single.secondary).toBeUndefined();
    expect(single.backupOnlyRegion).toBeUndefined();
    const withBackup = buildEnvironment(xr({ ...SPEC, tier: "backup-restore" }));
    expect(withBackup.regions).toEqual([withBackup.primary]);
    expect(withBackup.secondary).toBeUndefined();
    expect(withBackup.backupOnlyRegion).toEqual({ role: "secondary", name: "us-east-1", cidr: "10.31.0.0/16", zones: [], active: false });
  });

  it("puts a namespaced composite in its namespace, and refuses a namespaced provider config for a claim", () => {
    const v2 = { ...xr(), apiVersion: "dr.m.platform.io/v1alpha1" };
    const env = buildEnvironment({ ...v2, metadata: { name: "v2", namespace: "team-n" } });
    expect(env.flavor).toBe("namespaced");
    expect(env.namespace).toBe("team-n");
    expect(buildEnvironment({ ...v2, metadata: { name: "v2" } }).namespace).toBe("default");
    expect(buildEnvironment({ ...v2, spec: { ...v2.spec, providerConfigKind: "ProviderConfig" } }).spec.providerConfigKind).toBe(
      "ProviderConfig",
    );
    expect(() => buildEnvironment(xr({ ...SPEC, providerConfigKind: "ProviderConfig" }))).toThrow(
      /^spec\.providerConfigKind: ProviderConfig is a provider config in a namespaced composite's namespace/,
    );
  });
});

describe("RegionScope", () => {
  const observed = {
    "primary-cert": { status: { atProvider: { arn: "arn:cert", empty: "", options: [{ name: "a" }], none: [] } } },
    "secondary-cert": { status: { atProvider: { arn: "arn:cert-2" } } },
    "primary-odd": { status: { atProvider: { options: [null, "text", { name: "c" }] } } },
  };
  const env = buildEnvironment(xr(), observed);
  const pending: Pending[] = [];
  const scope = new RegionScope(env, env.secondary!, "network", pending);
  const primary = new RegionScope(buildEnvironment(xr({ ...SPEC, protection: false })), env.primary, "storage");

  it("names composed resources by region role, and labels and selects them the same way", () => {
    expect(scope.key("vpc")).toBe("secondary-vpc");
    expect(scope.key("vpc", "primary")).toBe("primary-vpc");
    expect(scope.labels("vpc")).toEqual({
      [LABELS.regionRole]: "secondary",
      [LABELS.block]: "network",
      [LABELS.resource]: "vpc",
      [LABELS.tier]: "pilot-light",
    });
    expect(scope.select("vpc")).toEqual({
      matchControllerRef: true,
      matchLabels: { [LABELS.regionRole]: "secondary", [LABELS.resource]: "vpc" },
    });
    expect(scope.select("vpc", "primary").matchLabels[LABELS.regionRole]).toBe("primary");
  });

  it("names AWS resources with the suffix and owner id, regional names and buckets with the region", () => {
    const owner = env.ownerId;
    expect(scope.name("app")).toBe(`dr-app-stage-${owner}`);
    expect(scope.name("app", true)).toBe(`dr-app-stage-${owner}-us-east-1`);
    expect(scope.bucketName("data")).toBe(`dr-data-stage-${owner}-us-east-1`);
    expect(scope.bucketName("data", env.primary)).toBe(`dr-data-stage-${owner}-us-west-2`);
    expect(scope.path).toBe(`stage-${owner}`);
    expect(scope.nameParts()).toEqual({ suffix: "stage", owner, region: undefined });
    expect(scope.kmsAlias("key")).toEqual({
      alias: `alias/dr-key-stage-${owner}-us-east-1`,
      externalName: `dr-key-stage-${owner}-us-east-1`,
    });
    expect(scope.externalName("n")).toEqual({ annotations: { [EXTERNAL_NAME]: "n" } });
  });

  it("tags with the environment's tags and the region role, and a Name when given", () => {
    expect(scope.tags()).toEqual({ ...env.tags, "dr.platform.io/region-role": "secondary" });
    expect(scope.tags("n")).toEqual({ ...env.tags, "dr.platform.io/region-role": "secondary", Name: "n" });
  });

  it("orphans stateful resources under protection, deletes them without", () => {
    expect([scope.protection, scope.deletionPolicy]).toEqual([true, "Orphan"]);
    expect([primary.protection, primary.deletionPolicy]).toEqual([false, "Delete"]);
  });

  it("reads values AWS decided, recording what waits when they are not there yet", () => {
    expect(scope.observed("cert")).toBe(observed["secondary-cert"]);
    expect(scope.observed("cert", "primary")).toBe(observed["primary-cert"]);
    expect(scope.atProvider("cert", "arn", "record")).toBe("arn:cert-2");
    expect(scope.atProvider("cert", "arn", "record", "primary")).toBe("arn:cert");
    expect(pending).toEqual([]);
    expect(scope.atProvider("cert", "empty", "record", "primary")).toBeUndefined();
    expect(scope.atProvider("missing", "arn", "record")).toBeUndefined();
    const named = (item: Record<string, unknown>) => typeof item["name"] === "string";
    expect(scope.atProviderItem("cert", "options", "validation", named, "primary")).toEqual({ name: "a" });
    expect(scope.atProviderItem("cert", "none", "validation", named, "primary")).toBeUndefined();
    expect(scope.atProviderItem("cert", "arn", "validation", named)).toBeUndefined();
    // Anything but an object in the list is passed over, not read.
    expect(scope.atProviderItem("odd", "options", "validation", named, "primary")).toEqual({ name: "c" });
    // Listed but not filled in yet counts as not there.
    expect(scope.atProviderItem("cert", "options", "validation", (item) => item["name"] === "b", "primary")).toBeUndefined();
    expect(pending).toEqual([
      { resource: "secondary-record", reason: "waits for empty of primary-cert" },
      { resource: "secondary-record", reason: "waits for arn of secondary-missing" },
      { resource: "secondary-validation", reason: "waits for none of primary-cert" },
      { resource: "secondary-validation", reason: "waits for arn of secondary-cert" },
      { resource: "secondary-validation", reason: "waits for options of primary-cert" },
    ]);
  });
});
