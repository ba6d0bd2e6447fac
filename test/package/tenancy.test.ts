/** App teams get claims in their namespaces and nothing else of the platform's API. */
import { API_GROUP, CLAIM_PLURAL, COMPOSITE_PLURAL } from "../../src/api/index.js";
import { EXAMPLE_TEAM, QUOTA_RESOURCE } from "../../charts/tenancy.js";
import { file, type Manifest } from "./support.js";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
const roles = file("tenancy/rbac.yaml").objects.filter((o) => o.kind === "ClusterRole") as Array<Manifest & { rules: Rule[] }>;
const team = file(`tenancy/${EXAMPLE_TEAM.namespace}.yaml`).objects;

describe("claim roles", () => {
  it("aggregate into the built-in view and edit roles", () => {
    const aggregated = roles
      .flatMap((r) =>
        Object.entries(r.metadata.labels ?? {})
          .filter(([, v]) => v === "true")
          .map(([k]) => k),
      )
      .sort();
    expect(aggregated).toEqual(["rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-view"]);
  });

  it("grant only the claim resource, never composites or anything else", () => {
    const rules = roles.flatMap((r) => r.rules);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.apiGroups).toEqual([API_GROUP]);
      expect(rule.resources).toEqual([CLAIM_PLURAL]);
      expect(rule.resources).not.toContain(COMPOSITE_PLURAL);
      expect(rule.verbs).not.toContain("*");
    }
  });

  it("let view read and edit create, change and delete", () => {
    const verbs = (level: string) =>
      roles
        .find((r) => r.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${level}`])!
        .rules.flatMap((r) => r.verbs)
        .sort();
    expect(verbs("view")).toEqual(["get", "list", "watch"]);
    expect(verbs("edit")).toEqual(expect.arrayContaining(["create", "delete"]));
    expect(verbs("edit")).not.toContain("deletecollection");
  });
});

describe("team namespace onboarding", () => {
  const byKind = (kind: string) => team.filter((o) => o.kind === kind);

  it("creates the namespace and keeps everything else inside it", () => {
    expect(byKind("Namespace").map((n) => n.metadata.name)).toEqual([EXAMPLE_TEAM.namespace]);
    for (const o of team.filter((o) => o.kind !== "Namespace")) expect(o.metadata.namespace).toBe(EXAMPLE_TEAM.namespace);
  });

  it("binds the team's group to edit", () => {
    const [binding] = byKind("RoleBinding") as Array<
      Manifest & { roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string }> }
    >;
    expect(binding.roleRef).toMatchObject({ kind: "ClusterRole", name: "edit" });
    expect(binding.subjects).toEqual([expect.objectContaining({ kind: "Group", name: EXAMPLE_TEAM.group })]);
  });

  it("caps the number of claims", () => {
    const [quota] = byKind("ResourceQuota") as Array<Manifest & { spec: { hard: Record<string, unknown> } }>;
    expect(QUOTA_RESOURCE).toBe(`count/${CLAIM_PLURAL}.${API_GROUP}`);
    expect(Number(quota.spec.hard[QUOTA_RESOURCE])).toBe(EXAMPLE_TEAM.maxEnvironments);
  });
});
