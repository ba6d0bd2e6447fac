/**
 * Every settled resource of the namespaced flavor, for every claim the project ships (and the
 * namespaced example), as the API server with the provider's released namespaced CRDs judges it:
 * schema, pruned fields, list types and every CEL rule; and every reference resolves as the
 * provider resolves it (tools/provider/references.ts over src/provider-references.json, which
 * covers the .m. groups).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { API_VERSION, flavorOf, NAMESPACED_API_GROUP, NAMESPACED_KIND } from "../../src/api/index.js";
import type { Claim } from "../../functions/src/render.js";
import { settle, type Manifest, type Resources } from "../../tools/policy/index.js";
import { referenceProblems } from "../../tools/provider/references.js";
import { shippedClaims } from "../security/claims.js";
import { validateAgainstCrd } from "../support/provider-crd-validator.js";

const CRDS = process.env.PROVIDER_CRDS ?? new URL("../../../shared/provider-crds", import.meta.url).pathname;
/** The release whose namespaced CRDs the issue names; the lowest tested one is judged too. */
const RELEASES = ["v2.6.0", "v2.2.0"];
const haveCrds = RELEASES.every((r) => existsSync(join(CRDS, r)));

const asNamespaced = (claim: Claim): Claim =>
  flavorOf(claim.apiVersion) === "namespaced"
    ? claim
    : { ...claim, apiVersion: `${NAMESPACED_API_GROUP}/${API_VERSION}`, kind: NAMESPACED_KIND };

const settled: Array<{ source: string; resources: Resources }> = [];
beforeAll(async () => {
  for (const { source, claim } of shippedClaims()) {
    const out = await settle(asNamespaced(claim));
    if (out.fatal) throw new Error(`${source}: ${out.fatal}`);
    settled.push({ source, resources: out.resources });
  }
}, 240_000);

const providerResources = (res: Resources) => Object.entries(res).filter(([, r]) => r.apiVersion.includes(".aws.m.upbound.io/"));

it("judges every shipped claim, the namespaced example among them", () => {
  expect(settled.map((s) => s.source)).toContain("examples/warm-standby-namespaced.yaml");
  expect(settled.length).toBeGreaterThanOrEqual(10);
});

describe.each(RELEASES)("against the namespaced CRDs of provider %s", (release) => {
  (haveCrds ? it : it.skip)(
    "every settled resource is stored as sent: valid, nothing pruned, every CEL rule holds",
    () => {
      const problems = settled.flatMap(({ source, resources }) =>
        providerResources(resources).flatMap(([name, r]) => validateAgainstCrd(r as never, release).map((p) => `${source}: ${name}: ${p}`)),
      );
      expect(providerResources(settled[0]!.resources).length).toBeGreaterThan(30);
      expect(problems).toEqual([]);
    },
    120_000,
  );
});

describe("the CRD check itself", () => {
  const warm = () => structuredClone(settled.find((s) => s.source === "examples/warm-standby-namespaced.yaml")!.resources);
  const problems = (r: Manifest) => validateAgainstCrd(r as never, "v2.6.0").map((p) => p.replace(/^\S+ \S+ \S+: /, ""));

  (haveCrds ? it : it.skip)("reports a field the schema does not list, which the API server would prune", () => {
    const cluster = warm()["primary-aurora-cluster"]!;
    cluster.spec!.deletionPolicy = "Orphan";
    expect(problems(cluster)).toEqual(["spec.deletionPolicy: not in the schema, the API server would prune it"]);
  });

  (haveCrds ? it : it.skip)("reports a CEL rule that fails: a cluster without an engine", () => {
    const cluster = warm()["primary-aurora-cluster"]!;
    delete cluster.spec!.forProvider!.engine;
    expect(problems(cluster)).toEqual([expect.stringMatching(/spec\.forProvider\.engine is a required parameter/)]);
  });

  (haveCrds ? it : it.skip)("reports a value of the wrong type, and a provider config reference without its kind", () => {
    const vpc = warm()["primary-vpc"]!;
    vpc.spec!.forProvider!.enableDnsSupport = "yes";
    vpc.spec!.providerConfigRef = { name: "default" };
    expect(problems(vpc)).toEqual(
      expect.arrayContaining([expect.stringMatching(/enableDnsSupport: must be boolean/), expect.stringMatching(/providerConfigRef.kind/)]),
    );
  });
});

describe("references of the namespaced flavor", () => {
  it("all resolve against the .m. kinds the provider's namespaced resolvers name", () => {
    expect(settled.flatMap(({ source, resources }) => referenceProblems(resources).map((p) => `${source}: ${p}`))).toEqual([]);
  });

  it("are checked against the namespaced table: a selector left pointing at a cluster-scoped kind fails", () => {
    const res = warm();
    const subnet = Object.entries(res).find(([, r]) => r.kind === "Subnet")!;
    // The sibling it selects, made cluster-scoped: the namespaced resolver lists only ec2.aws.m.upbound.io VPCs.
    res["primary-vpc"]!.apiVersion = "ec2.aws.upbound.io/v1beta1";
    expect(referenceProblems(res).filter((p) => p.startsWith(`${subnet[0]}: `))).toEqual([
      `${subnet[0]}: spec.forProvider.vpcIdSelector resolves against ec2.aws.m.upbound.io/VPC (the provider's resolver for vpcId), but matches primary-vpc (ec2.aws.upbound.io/VPC)`,
    ]);
  });

  const warm = () => structuredClone(settled.find((s) => s.source === "examples/warm-standby-namespaced.yaml")!.resources);
});
