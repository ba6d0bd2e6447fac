/**
 * Every provider resource the function composes, settled, is stored as sent by the API server of
 * every tested provider release: judged by the real CRDs (schema, pruning, list types, every CEL
 * rule, served and not deprecated) when `../shared/provider-crds` is present, and by the facts
 * derived from them (test/provider/schema-facts.generated.json) always, so a run without the CRDs
 * still catches a pruned field, a wrong type or a missing required parameter.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { PROVIDER_AWS_TESTED_RELEASES } from "../../src/provider.js";
import { settle, type Resources } from "../../tools/policy/index.js";
import { validClaimArb } from "../fuzz/arbitraries.js";
import { settledClaims, type SettledClaim } from "../security/claims.js";
import { providerCrdsPresent, validateAgainstCrd, type ComposedResource } from "../support/provider-crd-validator.js";
import { committedFacts, deriveFacts, factProblems, factsText, isProviderKind } from "../support/provider-schema-facts.js";

const INSTALL = new URL("../../dist/install", import.meta.url).pathname;
const withCrds = providerCrdsPresent() ? describe : describe.skip;
const crdProblems = (resources: Resources) =>
  Object.entries(resources as Record<string, ComposedResource>)
    .filter(([, r]) => isProviderKind(r))
    .flatMap(([name, r]) => PROVIDER_AWS_TESTED_RELEASES.flatMap((release) => validateAgainstCrd(r, release).map((p) => `${name}: ${p}`)));

let envs: SettledClaim[];
beforeAll(async () => {
  envs = await settledClaims();
}, 180_000);

const warmStandby = (): Resources => structuredClone(envs.find((e) => e.source === "examples/warm-standby.yaml")!.resources);

/** Planted breakages, each with what the facts report; the CRDs must report the same field. */
const BREAKAGES: Array<{ label: string; plant: (r: Resources) => void; fact: string; crd: RegExp }> = [
  {
    label: "a field the schema lacks",
    plant: (r) => ((r["primary-table"]!.spec!.forProvider as Record<string, unknown>).readCapacityUnit = 5),
    fact: "primary-table (dynamodb.aws.upbound.io/v1beta2 Table): spec.forProvider.readCapacityUnit is not in both tested releases' schemas (the API server would prune it)",
    crd: /primary-table: v2\.\d\.0 dynamodb\.aws\.upbound\.io\/v1beta2 Table: spec\.forProvider\.readCapacityUnit: not in the schema/,
  },
  {
    label: "a value of the wrong type",
    plant: (r) => ((r["primary-table"]!.spec!.forProvider as Record<string, unknown>).deletionProtectionEnabled = "true"),
    fact: "primary-table (dynamodb.aws.upbound.io/v1beta2 Table): spec.forProvider.deletionProtectionEnabled must be boolean",
    crd: /primary-table: v2\.\d\.0 dynamodb\.aws\.upbound\.io\/v1beta2 Table: spec\.forProvider\.deletionProtectionEnabled: must be boolean/,
  },
  {
    label: "a required parameter left out",
    plant: (r) => {
      const [, method] = Object.entries(r).find(([, m]) => m.kind === "Method")!;
      delete (method.spec!.forProvider as Record<string, unknown>).httpMethod;
    },
    fact: "spec.forProvider.httpMethod is a required parameter",
    crd: /spec: spec\.forProvider\.httpMethod is a required parameter \(CEL rule\)/,
  },
];

describe("the schema facts, always", () => {
  it("hold for every provider resource of every shipped claim, settled", () => {
    expect(envs.flatMap((e) => factProblems(e.resources).map((p) => `${e.source}: ${p}`))).toEqual([]);
  });

  it("cover every provider kind the shipped claims compose, with required parameters where the CRDs have them", () => {
    const facts = committedFacts();
    const kinds = new Set(
      envs.flatMap((e) =>
        Object.values(e.resources as Record<string, ComposedResource>)
          .filter(isProviderKind)
          .map((r) => `${r.apiVersion}/${r.kind}`),
      ),
    );
    expect([...kinds].filter((k) => !facts[k])).toEqual([]);
    expect(facts["apigateway.aws.upbound.io/v1beta1/Method"]?.required).toEqual(["authorization", "httpMethod"]);
  });

  it.each(BREAKAGES.map((b) => [b.label, b] as const))("report %s", (_, breakage) => {
    const resources = warmStandby();
    breakage.plant(resources);
    expect(factProblems(resources)).toEqual([expect.stringContaining(breakage.fact)]);
  });

  it("report a kind at a version no fact covers", () => {
    const resources = warmStandby();
    resources["primary-table"]!.apiVersion = "dynamodb.aws.upbound.io/v1beta1";
    expect(factProblems(resources)).toEqual([
      "primary-table (dynamodb.aws.upbound.io/v1beta1 Table): no schema facts for this kind and version; run npm run provider:schema-facts with the CRDs at hand",
    ]);
  });
});

withCrds("the real CRDs of every tested release", () => {
  it("give the committed schema facts", () => {
    expect(factsText(deriveFacts(envs.map((e) => e.resources)))).toEqual(factsText(committedFacts()));
  }, 120_000);

  it("accept every provider resource of every shipped claim, settled: no pruned field, every CEL rule, no deprecated version", () => {
    expect(envs.flatMap((e) => crdProblems(e.resources).map((p) => `${e.source}: ${p}`))).toEqual([]);
  }, 180_000);

  it("accept every provider object of the platform install (account settings)", () => {
    const docs = readdirSync(INSTALL)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => parseAllDocuments(readFileSync(join(INSTALL, f), "utf8")).map((d) => [f, d.toJSON() as ComposedResource] as const))
      .filter(([, d]) => d && isProviderKind(d));
    expect(docs.map(([, d]) => d.kind)).toEqual(expect.arrayContaining(["Account", "RegionSettings", "Role"]));
    expect(docs.flatMap(([f, d]) => crdProblems({ [`${f} ${d.metadata?.name}`]: d } as Resources))).toEqual([]);
  });

  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  it(`accept every provider resource of 20 fuzzed claims, settled (seed ${seed}; replay: FUZZ_SEED=${seed})`, async () => {
    const problems: string[] = [];
    for (const claim of fc.sample(validClaimArb, { numRuns: 20, seed })) {
      const settled = await settle(claim);
      if (settled.fatal) problems.push(`refused: ${settled.fatal}`);
      else problems.push(...crdProblems(settled.resources));
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it.each(BREAKAGES.map((b) => [b.label, b] as const))("report %s, as the facts do", (_, breakage) => {
    const resources = warmStandby();
    breakage.plant(resources);
    const problems = crdProblems(resources);
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatch(breakage.crd);
  });
});
