/**
 * The crossplane-render shape built from a function response, and the graph's selector edges,
 * on small hand-made responses where the expected output is obvious.
 */
import { Ready, Severity, type RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { childName, FatalResultError, renderedOf, renderUid, type K8sObject } from "../../tools/render/output.js";
import { selectorEdges, toDot } from "../../tools/render/graph.js";

const xr: K8sObject = {
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "XDisasterRecoveryEnvironment",
  metadata: { name: "payments", uid: "u-1", labels: { "crossplane.io/claim-name": "payments", "crossplane.io/claim-namespace": "team" } },
  spec: {},
};

function response(ready: Record<string, Ready>, results: Array<{ severity: Severity; message: string }> = []): RunFunctionResponse {
  const resources = Object.fromEntries(
    Object.entries(ready).map(([name, r]) => [
      name,
      { resource: { apiVersion: "v1", kind: "Thing", metadata: { labels: { own: name } }, spec: {} }, ready: r, connectionDetails: {} },
    ]),
  );
  return {
    desired: { composite: { resource: { status: { x: 1 } }, connectionDetails: {} }, resources },
    results,
    conditions: [],
    context: undefined,
    meta: undefined,
    requirements: undefined,
  } as unknown as RunFunctionResponse;
}

test("the XR is Creating and names its first three unready resources in byte order", () => {
  const r = renderedOf(
    xr,
    {},
    response({ e: Ready.READY_FALSE, "b-x": Ready.READY_FALSE, a: Ready.READY_TRUE, c: Ready.READY_FALSE, bz: Ready.READY_FALSE }),
    "compose",
  );
  expect(r.composite.status).toEqual({
    x: 1,
    conditions: [
      { type: "Responsive", status: "True", reason: "WatchCircuitClosed", lastTransitionTime: "2024-01-01T00:00:00Z" },
      { type: "Synced", status: "True", reason: "ReconcileSuccess", lastTransitionTime: "2024-01-01T00:00:00Z" },
      {
        type: "Ready",
        status: "False",
        reason: "Creating",
        lastTransitionTime: "2024-01-01T00:00:00Z",
        message: "Unready resources: b-x, bz, c, and 1 more",
      },
    ],
  });
  expect(r.composed.map((c) => c.metadata?.annotations?.["crossplane.io/composition-resource-name"])).toEqual(["a", "b-x", "bz", "c", "e"]);
});

test("the XR is Available when every composed resource is ready", () => {
  const r = renderedOf(xr, {}, response({ a: Ready.READY_TRUE }), "compose");
  expect((r.composite.status?.conditions as Array<{ type: string; reason: string }>).find((c) => c.type === "Ready")!.reason).toBe(
    "Available",
  );
});

test("composed resources get Crossplane's names, labels and controller reference; observed names are kept", () => {
  const observed = { b: { metadata: { name: "payments-abc12" } } };
  const r = renderedOf(xr, observed, response({ a: Ready.READY_FALSE, b: Ready.READY_TRUE }), "compose");
  const [a, b] = r.composed;
  expect(a!.metadata).toEqual({
    name: childName("payments-", "u-1", "a"),
    generateName: "payments-",
    labels: {
      own: "a",
      "crossplane.io/composite": "payments",
      "crossplane.io/claim-name": "payments",
      "crossplane.io/claim-namespace": "team",
    },
    annotations: { "crossplane.io/composition-resource-name": "a" },
    ownerReferences: [
      { apiVersion: xr.apiVersion, kind: xr.kind, name: "payments", uid: "u-1", controller: true, blockOwnerDeletion: true },
    ],
  });
  expect(b!.metadata?.name).toBe("payments-abc12");
  expect(b!.metadata?.generateName).toBeUndefined();
  expect(r.composite.spec).toEqual({
    resourceRefs: [
      { apiVersion: "v1", kind: "Thing", name: a!.metadata!.name! },
      { apiVersion: "v1", kind: "Thing", name: "payments-abc12" },
    ].sort((x, y) => (x.name < y.name ? -1 : 1)),
  });
});

test("names and uid as Crossplane v2.4's render gives them (values from its output for the backup-restore case)", () => {
  const reports = { apiVersion: "dr.platform.io/v1alpha1", kind: "XDisasterRecoveryEnvironment", metadata: { name: "reports" } };
  expect(renderUid(reports)).toBe("7f1d50e5-2eee-560a-9a90-7a6d33cf2182");
  expect(childName("reports-", "7f1d50e5-2eee-560a-9a90-7a6d33cf2182", "primary-vpc")).toBe("reports-a0a200622e91");
  const long = childName(`${"x".repeat(70)}-`, "u", "r");
  expect(long).toHaveLength(63);
  expect(long).toMatch(/^x{50}-[0-9a-f]{12}$/);
  // Without a uid of its own the XR gets that one, and its resources are named from it.
  const r = renderedOf(reports, {}, response({ "primary-vpc": Ready.READY_FALSE }), "compose");
  expect(r.composed[0]!.metadata?.name).toBe("reports-a0a200622e91");
});

test("results become the reconciler's events in order: the composition, each function result with its step; a Fatal result is an error naming the step", () => {
  const r = renderedOf(
    xr,
    {},
    response({}, [
      { severity: Severity.SEVERITY_WARNING, message: "w" },
      { severity: Severity.SEVERITY_NORMAL, message: "n" },
    ]),
    "compose",
  );
  const result = (reason: string, message: string, severity = "Normal") => ({
    apiVersion: "render.crossplane.io/v1beta1",
    kind: "Result",
    reason,
    message,
    severity,
  });
  expect(r.results).toEqual([
    result("SelectComposition", "Successfully selected composition: dr-environment-aws"),
    result("ComposeResources", 'Pipeline step "compose": w', "Warning"),
    result("ComposeResources", 'Pipeline step "compose": n'),
  ]);
  expect(() => renderedOf(xr, {}, response({}, [{ severity: Severity.SEVERITY_FATAL, message: "spec.x is wrong" }]), "compose")).toThrow(
    new FatalResultError("compose", "spec.x is wrong"),
  );
});

test("selector edges follow label-selector rules: every matching sibling, nothing else", () => {
  const res = (name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): K8sObject => ({
    kind: "K",
    metadata: { labels, annotations: { "crossplane.io/composition-resource-name": name } },
    spec,
  });
  const role = "dr.platform.io/region-role";
  const composed = [
    res("primary-vpc", { [role]: "primary", "dr.platform.io/resource": "vpc" }),
    res("secondary-vpc", { [role]: "secondary", "dr.platform.io/resource": "vpc" }),
    res("primary-subnet-a", { [role]: "primary", tier: "private" }),
    res("primary-subnet-b", { [role]: "primary", tier: "private" }),
    res(
      "primary-sg",
      { [role]: "primary" },
      {
        forProvider: {
          vpcIdSelector: { matchControllerRef: true, matchLabels: { [role]: "primary", "dr.platform.io/resource": "vpc" } },
          rules: [{ subnetIdSelector: { matchLabels: { [role]: "primary", tier: "private" } } }],
          otherSelector: { matchControllerRef: true },
        },
      },
    ),
  ];
  expect(selectorEdges(composed)).toEqual([
    { from: "primary-sg", to: "primary-vpc", field: "vpcIdSelector" },
    { from: "primary-sg", to: "primary-subnet-a", field: "subnetIdSelector" },
    { from: "primary-sg", to: "primary-subnet-b", field: "subnetIdSelector" },
  ]);
  const dot = toDot(composed, "t");
  expect(dot).toContain('subgraph "cluster_primary"');
  expect(dot).toContain('subgraph "cluster_secondary"');
  expect(dot).toContain('"primary-vpc" -> "primary-sg" [dir=back');
});
