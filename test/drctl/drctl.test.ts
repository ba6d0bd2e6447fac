/**
 * drctl below the e2e: the real @kubernetes/client-node against a loopback stand-in for the
 * Kubernetes API paths drctl reads and patches (test/drctl/kube-api-standin.ts), with a claim, its
 * composite and composed resources as Crossplane would have them.
 */
import { Drctl, describeChanges, main } from "../../tools/drctl/drctl.js";
import { KubeApiStandIn, type KubeObject } from "./kube-api-standin.js";

const NS = "team-payments";
const XR = "payments-x7k2p";
const ready = (status: "True" | "False", reason = status === "True" ? "Available" : "Creating") => ({ type: "Ready", status, reason });
const synced = (generation?: number) => ({ type: "Synced", status: "True", reason: "ReconcileSuccess", observedGeneration: generation });

function record(role: "primary" | "secondary", region: string, type: string, isReady: boolean): KubeObject {
  return {
    apiVersion: "route53.aws.upbound.io/v1beta1",
    kind: "Record",
    metadata: { name: `${XR}-${role}-rec`, annotations: { "crossplane.io/composition-resource-name": `${role}-dns-failover-record` } },
    spec: { forProvider: { region, failoverRoutingPolicy: [{ type }] } },
    status: { conditions: [ready(isReady ? "True" : "False"), synced()] },
  };
}

function seed(api: KubeApiStandIn, tier = "warm-standby"): void {
  api.put({
    apiVersion: "dr.platform.io/v1alpha1",
    kind: "DisasterRecoveryEnvironment",
    metadata: { name: "payments", namespace: NS, generation: 1 },
    spec: {
      tier,
      primaryRegion: "us-east-1",
      ...(tier === "backup-restore" ? {} : { secondaryRegion: "us-west-2" }),
      failover: { activeRegion: "primary" },
      resourceRef: { apiVersion: "dr.platform.io/v1alpha1", kind: "XDisasterRecoveryEnvironment", name: XR },
    },
    status: { conditions: [ready("False"), synced(1)], recovery: { strategy: tier, rpoSeconds: 1, rtoSeconds: 600 } },
  });
  api.put({
    apiVersion: "dr.platform.io/v1alpha1",
    kind: "XDisasterRecoveryEnvironment",
    metadata: { name: XR, generation: 1 },
    spec: {
      failover: { activeRegion: "primary" },
      crossplane: {
        resourceRefs: [
          { apiVersion: "route53.aws.upbound.io/v1beta1", kind: "Record", name: `${XR}-primary-rec` },
          { apiVersion: "route53.aws.upbound.io/v1beta1", kind: "Record", name: `${XR}-secondary-rec` },
          { apiVersion: "dynamodb.aws.upbound.io/v1beta1", kind: "Table", name: `${XR}-table` },
          { apiVersion: "sqs.aws.upbound.io/v1beta1", kind: "Queue", name: `${XR}-deleted-queue` },
        ],
      },
    },
    status: { conditions: [ready("False"), synced(1)] },
  });
  api.put(record("primary", "us-east-1", "PRIMARY", true));
  api.put(record("secondary", "us-west-2", "SECONDARY", false));
  api.put({
    apiVersion: "dynamodb.aws.upbound.io/v1beta1",
    kind: "Table",
    metadata: { name: `${XR}-table`, annotations: { "crossplane.io/composition-resource-name": "primary-table" } },
    spec: { deletionPolicy: "Orphan", forProvider: { region: "us-east-1" } },
    status: { conditions: [ready("True"), synced()] },
  });
  // Something else in the queue's group version, so discovery knows the kind but the object is gone.
  api.put({ apiVersion: "sqs.aws.upbound.io/v1beta1", kind: "Queue", metadata: { name: "another-environments-queue" }, spec: {} });
}

let api: KubeApiStandIn;
beforeEach(async () => {
  api = new KubeApiStandIn();
  await api.start();
  seed(api);
});
afterEach(async () => {
  await api.stop();
});

describe("drctl status", () => {
  it("prints the claim, the composite and the composed resources by region with readiness", async () => {
    const lines = await new Drctl(api.kubeConfig()).status("payments", NS);
    expect(lines[0]).toBe(
      "DisasterRecoveryEnvironment team-payments/payments  tier=warm-standby  active=primary  Ready=False (Creating)  Synced=True",
    );
    expect(lines[1]).toBe(`└─ XDisasterRecoveryEnvironment ${XR}  Ready=False (Creating)  Synced=True`);
    // Primary, secondary, then what has no region role; the deleted queue is reported, not skipped.
    expect(lines.filter((l) => /^\s+[├└]─ (primary|secondary|global)/.test(l)).map((l) => l.trim())).toEqual([
      "├─ primary us-east-1, active: 2/2 ready",
      "├─ secondary us-west-2: 0/1 ready",
      "├─ global: 0/1 ready",
    ]);
    expect(lines).toContainEqual(
      expect.stringMatching(/✓ primary-table {2}Table\.dynamodb\.aws\.upbound\.io {2}Ready=True {2}\[orphan on delete\]$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/· secondary-dns-failover-record {2}Record\.route53\.aws\.upbound\.io {2}Ready=False \(Creating\)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/· \? {2}Queue\.sqs\.aws\.upbound\.io {2}Ready=Missing$/));
    expect(lines.at(-1)).toBe("   └─ recovery: warm-standby, RPO 1s, RTO 600s");
    expect(api.requests.every((r) => r.method === "GET")).toBe(true);
  });

  it("main exits 1 naming a claim that does not exist, and 2 on bad usage", async () => {
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(await main(["status", "nobody", "-n", NS], api.kubeConfig())).toBe(1);
      expect(await main(["status"], api.kubeConfig())).toBe(2);
      expect(await main(["failover", "payments", "-n", NS, "--to", "sideways"], api.kubeConfig())).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(errors[0]).toBe("drctl status: DisasterRecoveryEnvironment team-payments/nobody not found\n");
    expect(errors[1]).toMatch(/^error: a claim name is required\nusage:/);
    expect(errors[2]).toMatch(/^--to must be primary or secondary/);
    expect(api.requests.some((r) => r.method === "PATCH")).toBe(false);
  });
});

describe("drctl wait", () => {
  it("times out naming the condition and what is not ready", async () => {
    await expect(new Drctl(api.kubeConfig()).wait("payments", NS, "Ready", 0)).rejects.toThrow(
      "DisasterRecoveryEnvironment team-payments/payments not Ready after 0s (False Creating:); not ready: ?, secondary-dns-failover-record",
    );
  });

  it("returns once the condition is True", async () => {
    const snap = await new Drctl(api.kubeConfig()).wait("payments", NS, "Synced", 0);
    expect(snap.composed.map((c) => c.resourceName)).toEqual([
      "?",
      "primary-dns-failover-record",
      "primary-table",
      "secondary-dns-failover-record",
    ]);
  });
});

describe("drctl failover", () => {
  it("merge-patches spec.failover.activeRegion and reports what Crossplane changed", async () => {
    // The test's Crossplane: the composite takes the new region, and the records swap roles.
    api.onPatch = (claim) => {
      const xr = api.get("dr.platform.io/v1alpha1", "XDisasterRecoveryEnvironment", XR)!;
      const generation = xr.metadata.generation + 1;
      api.put({
        ...xr,
        metadata: { ...xr.metadata, generation },
        spec: { ...xr.spec, failover: claim.spec.failover },
        status: { conditions: [ready("False"), synced(generation)] },
      });
      api.put(record("primary", "us-east-1", "SECONDARY", true));
      api.put(record("secondary", "us-west-2", "PRIMARY", true));
    };
    const lines = await new Drctl(api.kubeConfig()).failover("payments", NS, "secondary", 30);
    const patches = api.requests.filter((r) => r.method === "PATCH");
    expect(patches).toEqual([
      {
        method: "PATCH",
        path: `/apis/dr.platform.io/v1alpha1/namespaces/${NS}/disasterrecoveryenvironments/payments`,
        contentType: "application/merge-patch+json",
        body: { spec: { failover: { activeRegion: "secondary" } } },
      },
    ]);
    expect(lines).toEqual([
      "activeRegion: primary -> secondary",
      '~ primary-dns-failover-record (Record) forProvider.failoverRoutingPolicy: [{"type":"PRIMARY"}] -> [{"type":"SECONDARY"}]',
      '~ secondary-dns-failover-record (Record) forProvider.failoverRoutingPolicy: [{"type":"SECONDARY"}] -> [{"type":"PRIMARY"}]',
    ]);
  }, 60_000);

  it("changes nothing when the region is already active, and refuses a tier without a secondary", async () => {
    const drctl = new Drctl(api.kubeConfig());
    expect(await drctl.failover("payments", NS, "primary")).toEqual([
      "team-payments/payments is already active in primary; nothing changed",
    ]);
    seed(api, "backup-restore");
    await expect(drctl.failover("payments", NS, "secondary")).rejects.toThrow(
      "team-payments/payments has no secondary region (tier backup-restore)",
    );
    expect(api.requests.some((r) => r.method === "PATCH")).toBe(false);
  });
});

it("describeChanges lists added, removed and changed resources, or says nothing changed", () => {
  const composed = (resourceName: string, forProvider: unknown) => ({
    resourceName,
    apiVersion: "v1",
    kind: "K",
    name: resourceName,
    role: "primary",
    ready: "True",
    synced: "True",
    forProvider,
  });
  const before = { claim: {}, composed: [composed("a", { x: 1 }), composed("gone", {})] };
  const after = { claim: {}, composed: [composed("a", { x: 2, y: "new" }), composed("added", {})] };
  expect(describeChanges(before as never, after as never, "secondary", "primary")).toEqual([
    "activeRegion: primary -> secondary",
    "~ a (K) forProvider.x: 1 -> 2",
    '~ a (K) forProvider.y: (unset) -> "new"',
    "+ added (K)",
    "- gone (K)",
  ]);
  expect(describeChanges(before as never, before as never, "primary", "primary")).toEqual([
    "activeRegion: primary -> primary",
    "no composed resource changed",
  ]);
});
