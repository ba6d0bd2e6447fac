/**
 * The namespaced flavor: a namespaced composite composes the provider's namespaced kinds from the
 * same blocks, in its own namespace, with deletion order held by Usages, and the package's
 * activation policy lists exactly the kinds the function can compose. Every shipped claim is
 * settled in both flavors and compared.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { API_VERSION, flavorOf, NAMESPACED_API_GROUP, NAMESPACED_KIND, validateSpec } from "../../src/api/index.js";
import { COMPOSED_KINDS, activatedResources } from "../../src/composed-kinds.js";
import { namespacedApiVersion, ORPHAN_MANAGEMENT_POLICIES, toNamespaced } from "../../functions/src/flavor.js";
import { USAGE_RULES, USES_BY_VALUE } from "../../functions/src/usages.js";
import { fromCompose, RunFunctionRequest, RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { compose } from "../../functions/src/function.js";
import { compositeOf, render, requestFor, type Claim } from "../../functions/src/render.js";
import { nextObserved, settle, type Manifest, type RenderedJson, type Resources } from "../../tools/policy/index.js";
import { evaluate, failures } from "../../tools/policy/evaluate.js";
import { CRDS_DIR, KINDS_FILE, MODELS_FILE, generated, importedKinds } from "../../tools/kinds/generate.js";
import { shippedClaims } from "../security/claims.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const RESOURCE = "dr.platform.io/resource";
const ROLE = "dr.platform.io/region-role";

const asNamespaced = (claim: Claim): Claim => ({
  ...claim,
  apiVersion: `${NAMESPACED_API_GROUP}/${API_VERSION}`,
  kind: NAMESPACED_KIND,
  metadata: { ...claim.metadata, namespace: claim.metadata?.namespace ?? "default" },
});

/** Every claim-flavor claim the project ships, settled as it is and as a namespaced composite. */
const CLAIMS = shippedClaims().filter(({ claim }) => flavorOf(claim.apiVersion) === "cluster");
const settledBoth = new Map<string, { cluster: Resources; namespaced: Resources; protection: boolean; namespace: string }>();

beforeAll(async () => {
  for (const { source, claim } of CLAIMS) {
    const [cluster, namespaced] = [await settle(claim), await settle(asNamespaced(claim))];
    if (cluster.fatal || namespaced.fatal) throw new Error(`${source}: ${cluster.fatal ?? namespaced.fatal}`);
    settledBoth.set(source, {
      cluster: cluster.resources,
      namespaced: namespaced.resources,
      protection: validateSpec(claim.spec).protection,
      namespace: claim.metadata?.namespace ?? "default",
    });
  }
}, 240_000);

const providerResources = (res: Resources) => Object.entries(res).filter(([, r]) => r.apiVersion.includes(".upbound.io/"));
const labelOf = (r: Manifest, label: string) => r.metadata?.labels?.[label] ?? "";

/** What the namespaced twin's parameters must be: the same, with no namespace in a secret reference. */
function withoutSecretNamespaces(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretNamespaces);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (!k.endsWith("SecretRef") || !v || typeof v !== "object") return [k, withoutSecretNamespaces(v)];
      return [k, Object.fromEntries(Object.entries(v).filter(([field]) => field !== "namespace"))];
    }),
  );
}

it("every claim-flavor claim the project ships is compared", () => {
  expect(CLAIMS.length).toBeGreaterThanOrEqual(10);
});

describe.each(CLAIMS.map(({ source }) => source))("%s as a namespaced composite, settled", (source) => {
  const both = () => settledBoth.get(source)!;

  it("composes only namespaced provider kinds at v1beta1, all in the composite's namespace", () => {
    const problems = Object.entries(both().namespaced).flatMap(([key, r]) => {
      const ns = (r.metadata as { namespace?: string } | undefined)?.namespace;
      return [
        r.apiVersion.includes(".aws.upbound.io/") && `${key}: cluster-scoped ${r.apiVersion}`,
        r.apiVersion.includes(".aws.m.upbound.io/") && !r.apiVersion.endsWith("/v1beta1") && `${key}: ${r.apiVersion}`,
        ns !== both().namespace && `${key}: namespace ${ns}`,
      ].filter(Boolean);
    });
    expect(providerResources(both().namespaced).length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it("points every resource at the platform's ClusterProviderConfig and carries no deletionPolicy", () => {
    for (const [key, r] of providerResources(both().namespaced)) {
      expect([key, r.spec?.providerConfigRef]).toEqual([key, { kind: "ClusterProviderConfig", name: "default" }]);
      expect([key, r.spec?.deletionPolicy]).toEqual([key, undefined]);
    }
  });

  it("is the claim flavor's environment, resource for resource, plus the Usages", () => {
    const { cluster, namespaced } = both();
    const withoutUsages = Object.keys(namespaced).filter((k) => namespaced[k]!.kind !== "Usage");
    expect(withoutUsages.sort()).toEqual(Object.keys(cluster).sort());
    for (const [key, r] of Object.entries(cluster)) {
      expect([key, namespaced[key]!.kind, namespaced[key]!.apiVersion]).toEqual([key, r.kind, namespacedApiVersion(r.apiVersion)]);
      expect([key, namespaced[key]!.spec?.forProvider]).toEqual([key, withoutSecretNamespaces(r.spec?.forProvider)]);
      expect([key, namespaced[key]!.metadata?.annotations]).toEqual([key, r.metadata?.annotations]);
      expect([key, namespaced[key]!.metadata?.labels]).toEqual([key, r.metadata?.labels]);
    }
  });

  it("keeps what the claim flavor orphans: management policies without Delete exactly where the claim flavor says Orphan", () => {
    const { cluster, namespaced } = both();
    for (const [key, r] of Object.entries(cluster)) {
      const policies = namespaced[key]!.spec?.managementPolicies;
      const own = r.spec?.managementPolicies;
      if (r.spec?.deletionPolicy !== "Orphan") expect([key, policies]).toEqual([key, own]);
      else expect([key, policies]).toEqual([key, own ? own.filter((p) => p !== "Delete") : ORPHAN_MANAGEMENT_POLICIES]);
    }
  });

  it("passes every security control, the protection rule included", () => {
    expect(failures(evaluate(both().namespaced, { protection: both().protection }))).toEqual([]);
  });

  it("orders deletion with Usages whose selectors each match exactly one sibling of the named kind", () => {
    const res = both().namespaced;
    const usages = Object.entries(res).filter(([, r]) => r.kind === "Usage");
    expect(usages.length).toBeGreaterThan(5);
    for (const [key, usage] of usages) {
      const spec = usage.spec as unknown as Record<
        "of" | "by",
        { apiVersion: string; kind: string; resourceSelector: { matchControllerRef: boolean; matchLabels: Record<string, string> } }
      > & { replayDeletion: boolean; reason: string };
      expect([key, spec.replayDeletion, spec.reason.length > 20]).toEqual([key, true, true]);
      for (const side of ["of", "by"] as const) {
        const { apiVersion, kind, resourceSelector } = spec[side];
        const matches = Object.values(res).filter(
          (r) =>
            r.apiVersion === apiVersion &&
            r.kind === kind &&
            Object.entries(resourceSelector.matchLabels).every(([l, v]) => r.metadata?.labels?.[l] === v),
        );
        expect([key, side, resourceSelector.matchControllerRef, matches.length]).toEqual([key, side, true, 1]);
      }
    }
  });

  it("waits for every resource that names a KMS key by ARN or alias before deleting that key", () => {
    const res = both().namespaced;
    const usedBy = new Set(
      Object.values(res)
        .filter((r) => r.kind === "Usage" && (r.spec as { of: { kind: string } }).of.kind === "Key")
        .map((r) => JSON.stringify((r.spec as { by: { resourceSelector: { matchLabels: unknown } } }).by.resourceSelector.matchLabels)),
    );
    const byValue = Object.entries(res).filter(([, r]) =>
      Object.entries(r.spec?.forProvider ?? {}).some(([field, v]) => /^kms(Master)?Key(Id|Arn)$/.test(field) && typeof v === "string"),
    );
    const missing = byValue
      .filter(([, r]) => !usedBy.has(JSON.stringify({ [ROLE]: labelOf(r, ROLE), [RESOURCE]: labelOf(r, RESOURCE) })))
      .map(([key]) => key);
    expect(missing).toEqual([]);
  });
});

describe("Usages", () => {
  const warm = () => settledBoth.get("examples/warm-standby.yaml")!.namespaced;

  it("hold the database key until the cluster it encrypts is gone, and the subnets and security group until the cluster is", () => {
    const res = warm();
    for (const role of ["primary", "secondary"]) {
      for (const key of [
        `${role}-database-key-used-by-${role}-aurora-cluster`,
        `${role}-security-group-database-used-by-${role}-aurora-cluster`,
        `${role}-aurora-subnet-group-used-by-${role}-aurora-cluster`,
        `${role}-subnet-private-a-used-by-${role}-aurora-subnet-group`,
        `${role}-storage-key-used-by-${role}-${role === "primary" ? "table" : "table-replica"}`,
      ])
        expect([key, res[key]?.kind]).toEqual([key, "Usage"]);
    }
    // No function is in the VPC, so none holds a subnet or a security group.
    expect(Object.keys(res).filter((k) => /^\w+-(subnet|security-group)-.*-used-by-\w+-function-/.test(k))).toEqual([]);
  });

  it("are never composed for the claim flavor", () => {
    for (const { cluster } of settledBoth.values()) expect(Object.values(cluster).filter((r) => r.kind === "Usage")).toEqual([]);
  });

  it("every rule and every use by value protects something in some shipped claim", () => {
    const all = [...settledBoth.values()].flatMap(({ namespaced }) => Object.values(namespaced)).filter((r) => r.kind === "Usage");
    const ofs = all.map((u) => (u.spec as { of: { apiVersion: string; kind: string } }).of);
    for (const rule of USAGE_RULES)
      expect([rule.of, ofs.some((o) => `${o.apiVersion.split(".")[0]}/${o.kind}` === rule.of)]).toEqual([rule.of, true]);
    const logicals = [...settledBoth.values()].flatMap(({ namespaced }) => Object.values(namespaced).map((r) => labelOf(r, RESOURCE)));
    for (const use of USES_BY_VALUE) expect([String(use.by), logicals.some((l) => use.by.test(l))]).toEqual([String(use.by), true]);
  });
});

describe("the activation policy", () => {
  it("lists exactly the kinds the blocks import, in both scopes", () => {
    expect(COMPOSED_KINDS.map(({ group, kind }) => ({ group, kind }))).toEqual(importedKinds());
    expect(activatedResources()).toHaveLength(2 * COMPOSED_KINDS.length);
    expect(activatedResources()).toContain("clusters.rds.aws.m.upbound.io");
    expect(activatedResources()).toContain("clusters.rds.aws.upbound.io");
  });

  it("is the one in the package", () => {
    const policy = parse(readFileSync(`${ROOT}dist/package-namespaced/activation-policy.yaml`, "utf8")) as { spec: { activate: string[] } };
    expect(policy.spec.activate).toEqual(activatedResources());
  });

  it("covers every kind any shipped claim composes, and lists none that none composes", () => {
    const composed = new Set<string>();
    for (const { namespaced } of settledBoth.values())
      for (const r of Object.values(namespaced))
        if (r.apiVersion.includes(".aws.m.upbound.io/")) composed.add(`${r.apiVersion.split("/")[0]}/${r.kind}`);
    const listed = new Set(COMPOSED_KINDS.map((k) => `${k.namespacedGroup}/${k.kind}`));
    expect([...composed].filter((k) => !listed.has(k))).toEqual([]);
    expect([...listed].filter((k) => !composed.has(k))).toEqual([]);
  });

  it("is committed as generated from the blocks and the provider CRDs", async () => {
    if (!existsSync(CRDS_DIR)) return console.warn(`provider CRDs not found at ${CRDS_DIR}; regeneration check skipped`);
    const fresh = await generated();
    expect(readFileSync(KINDS_FILE, "utf8")).toBe(fresh.kinds);
    expect(readFileSync(MODELS_FILE, "utf8")).toBe(fresh.models);
  });
});

describe("the flavor itself", () => {
  it("follows the composite's group and refuses any other", () => {
    expect(flavorOf(`${NAMESPACED_API_GROUP}/v1alpha1`)).toBe("namespaced");
    expect(flavorOf("dr.platform.io/v1alpha1")).toBe("cluster");
    expect(() => flavorOf("example.org/v1")).toThrow(/neither dr.platform.io nor dr.m.platform.io/);
  });

  it("drops namespaces from secret references and keeps Orphan as management policies", () => {
    const out = toNamespaced(
      {
        apiVersion: "rds.aws.upbound.io/v1beta2",
        kind: "Cluster",
        metadata: { name: "x" },
        spec: {
          deletionPolicy: "Orphan",
          providerConfigRef: { name: "default" },
          writeConnectionSecretToRef: { name: "conn", namespace: "crossplane-system" },
          forProvider: { masterPasswordSecretRef: { name: "pw", namespace: "crossplane-system", key: "password" } },
        },
      },
      "team-a",
    );
    expect(out).toEqual({
      apiVersion: "rds.aws.m.upbound.io/v1beta1",
      kind: "Cluster",
      metadata: { name: "x", namespace: "team-a" },
      spec: {
        forProvider: { masterPasswordSecretRef: { name: "pw", key: "password" } },
        managementPolicies: ORPHAN_MANAGEMENT_POLICIES,
        providerConfigRef: { kind: "ClusterProviderConfig", name: "default" },
        writeConnectionSecretToRef: { name: "conn" },
      },
    });
  });

  it("refuses a bad namespaced composite with a Fatal result and no desired resources", async () => {
    const claim = asNamespaced(parse(readFileSync(`${ROOT}examples/warm-standby.yaml`, "utf8")) as Claim);
    const rsp = await render({
      ...claim,
      spec: { ...claim.spec, secondaryRegion: (claim.spec as { primaryRegion: string }).primaryRegion },
    });
    expect(rsp.results.map((r) => r.message).join("\n")).toMatch(/secondaryRegion/);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual([]);
  });

  it("sends no connection details for a namespaced composite", async () => {
    const rsp = await render(asNamespaced(parse(readFileSync(`${ROOT}examples/backup-restore.yaml`, "utf8")) as Claim));
    expect(Object.keys(rsp.desired?.composite?.connectionDetails ?? {})).toEqual([]);
    expect(Object.keys(rsp.desired?.resources ?? {}).length).toBeGreaterThan(20);
  });
});

describe("the provider config kind", () => {
  const backup = () => parse(readFileSync(`${ROOT}examples/backup-restore.yaml`, "utf8")) as Claim;

  it("is a ProviderConfig in the composite's namespace when the composite asks for one", async () => {
    const claim = asNamespaced(backup());
    const rsp = await render({ ...claim, spec: { ...claim.spec, providerConfigKind: "ProviderConfig", providerConfigName: "team-aws" } });
    const refs = Object.values(rsp.desired?.resources ?? {})
      .map((r) => r.resource as unknown as Manifest)
      .filter((r) => r.apiVersion.includes(".aws.m.upbound.io/"))
      .map((r) => JSON.stringify(r.spec?.providerConfigRef));
    expect(refs.length).toBeGreaterThan(20);
    expect([...new Set(refs)]).toEqual([JSON.stringify({ kind: "ProviderConfig", name: "team-aws" })]);
  });

  it("is refused for a claim, whose cluster-scoped resources cannot name a namespaced ProviderConfig", async () => {
    const claim = backup();
    const rsp = await render({ ...claim, spec: { ...claim.spec, providerConfigKind: "ProviderConfig" } });
    expect(rsp.results.map((r) => r.message).join("\n")).toMatch(/spec.providerConfigKind: ProviderConfig/);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual([]);
  });
});

describe("the safety rules, unchanged for a namespaced composite", () => {
  const FATAL = "SEVERITY_FATAL";
  const composite = (spec: Record<string, unknown>): Claim => ({
    apiVersion: `${NAMESPACED_API_GROUP}/${API_VERSION}`,
    kind: NAMESPACED_KIND,
    metadata: { name: "ledger", namespace: "team-ledger", uid: "9a8b7c6d-0000-4000-8000-00000000abcd" },
    spec: { environmentSuffix: "led01", primaryRegion: "eu-west-1", alerts: { emails: ["oncall@example.com"] }, ...spec },
  });
  const WARM = { tier: "warm-standby", secondaryRegion: "eu-central-1" };
  const json = (rsp: RunFunctionResponse) => RunFunctionResponse.toJSON(rsp) as RenderedJson;

  /** Renders `next` as Crossplane would call the function once `before` exists: its observed and desired state in the request. */
  async function after(before: Claim, next: Claim) {
    const observed = nextObserved(json(await render(before)));
    const desired = json(await render(before, observed)).desired;
    const request = RunFunctionRequest.toJSON(requestFor(compositeOf(next), observed as never)) as RenderedJson;
    request.desired = desired;
    return { request, rsp: json(await fromCompose(compose).RunFunction(RunFunctionRequest.fromJSON(request))) };
  }

  it.each([
    ["an invalid spec", composite({ ...WARM, database: { minCapacity: 8, maxCapacity: 2 } }), "spec.database"],
    ["a tier downgrade it observes", composite({ tier: "backup-restore" }), "spec.tier"],
  ])("%s is Fatal and leaves the desired state as it was", async (_, next, field) => {
    const { request, rsp } = await after(composite(WARM), next);
    const fatal = (rsp.results ?? []).filter((r: { severity: string }) => r.severity === FATAL);
    expect(fatal.map((r: { message: string }) => r.message.includes(field))).toEqual([true]);
    expect(rsp.desired).toEqual(request.desired);
    expect(Object.keys((request.desired as { resources: object }).resources).length).toBeGreaterThan(100);
  });
});
