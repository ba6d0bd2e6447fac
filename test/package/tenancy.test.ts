/** App teams get claims in their namespaces and nothing else of the platform's API. */
import { API_GROUP, CLAIM_PLURAL, COMPOSITE_PLURAL, NAMESPACED_API_GROUP, NAMESPACED_PLURAL } from "../../src/api/index.js";
import { EXAMPLE_TEAM, NAMESPACED_QUOTA_RESOURCE, QUOTA_RESOURCE } from "../../charts/tenancy.js";
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

  it("grant only claims and namespaced composites, never cluster-scoped composites, managed resources or anything else", () => {
    const rules = roles.flatMap((r) => r.rules);
    expect(rules.length).toBeGreaterThan(0);
    const granted = rules.flatMap((rule) => rule.apiGroups.flatMap((g) => rule.resources.map((r) => `${r}.${g}`)));
    expect([...new Set(granted)].sort()).toEqual([`${CLAIM_PLURAL}.${API_GROUP}`, `${NAMESPACED_PLURAL}.${NAMESPACED_API_GROUP}`].sort());
    for (const rule of rules) {
      expect(rule.resources).not.toContain(COMPOSITE_PLURAL);
      expect(rule.apiGroups.filter((g) => g.endsWith(".upbound.io") || g.endsWith(".crossplane.io"))).toEqual([]);
      expect(rule.verbs).not.toContain("*");
    }
  });

  it("let view read and edit create, change and delete", () => {
    // The same verbs on each flavor's resource.
    const verbs = (level: string) => {
      const rules = roles.find((r) => r.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${level}`])!.rules;
      expect(new Set(rules.map((r) => JSON.stringify([...r.verbs].sort()))).size).toBe(1);
      return [...rules[0]!.verbs].sort();
    };
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

  it("caps the number of claims, and of namespaced composites", () => {
    const [quota] = byKind("ResourceQuota") as Array<Manifest & { spec: { hard: Record<string, unknown> } }>;
    expect(QUOTA_RESOURCE).toBe(`count/${CLAIM_PLURAL}.${API_GROUP}`);
    expect(NAMESPACED_QUOTA_RESOURCE).toBe(`count/${NAMESPACED_PLURAL}.${NAMESPACED_API_GROUP}`);
    expect(Number(quota.spec.hard[QUOTA_RESOURCE])).toBe(EXAMPLE_TEAM.maxEnvironments);
    expect(Number(quota.spec.hard[NAMESPACED_QUOTA_RESOURCE])).toBe(EXAMPLE_TEAM.maxEnvironments);
  });
});
