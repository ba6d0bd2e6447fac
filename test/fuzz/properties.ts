/**
 * The fuzzed properties of the composition function, shared by the test suite (1,000 cases each)
 * and `npm run fuzz` (10,000 each). Each returns fast-check's run details; nothing here asserts
 * through jest, so the same code runs outside it.
 */
import fc from "fast-check";
import { fromCompose, RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { compose } from "../../functions/src/function.js";
import { compositeOf, render, requestFor, type Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { settle } from "../../tools/policy/settle.js";
import { evaluate, failures } from "../../tools/policy/evaluate.js";
import { validateSpec } from "../../src/api/index.js";
import { referenceProblems } from "../../tools/provider/references.js";
import { factProblems } from "../support/provider-schema-facts.js";
import { unknownFailures } from "../security/known.js";
import { inventoryProblems } from "../support/inventory.js";
import { anySpecArb, invalidClaimArb, permutationArb, validClaimArb } from "./arbitraries.js";

const FATAL = Severity[Severity.SEVERITY_FATAL];
const handler = fromCompose(compose);

type Json = Record<string, any>;
const toJson = (rsp: RunFunctionResponse) => RunFunctionResponse.toJSON(rsp) as Json;
const fatals = (rsp: Json) => ((rsp.results ?? []) as Array<{ severity: string; message: string }>).filter((r) => r.severity === FATAL);

type ModelClass = { kind: string; apiVersion: string; new (data: unknown): { validate(): void } };
const models = new Map<string, ModelClass | undefined>();

/** The typed model of a kind: exports are named apart from kinds (kind Object is S3Object), so match the static `kind`. */
export async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    let found: ModelClass | undefined;
    try {
      const module = await import(`@crossplane-models/provider-upjet-aws/${apiVersion}/${kind}`);
      found = Object.values(module).find((m: any) => m?.kind === kind && m?.apiVersion === apiVersion) as ModelClass | undefined;
    } catch {
      found = undefined;
    }
    models.set(key, found);
  }
  return models.get(key);
}

/** Problems of every resource against its model; empty when all are valid. */
export async function modelProblems(resources: Record<string, Json>): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, resource] of Object.entries(resources)) {
    const Model = await modelFor(resource.apiVersion, resource.kind);
    if (!Model) {
      problems.push(`${name}: no model for ${resource.apiVersion} ${resource.kind}`);
      continue;
    }
    try {
      new Model(resource).validate();
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** JSON with object keys sorted: equal for values that differ only in key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function reorder(claim: Claim, emailOrder: number[], tagOrder: number[]): Claim {
  const spec = structuredClone(claim.spec ?? {}) as Json;
  const emails: string[] = spec.alerts?.emails ?? [];
  if (spec.alerts) spec.alerts.emails = emailOrder.map((i) => emails[i]);
  const tags = Object.entries(spec.tags ?? {});
  spec.tags = Object.fromEntries(tagOrder.map((i) => tags[i]));
  // Key order of the spec itself is a list order too, as far as a YAML editor is concerned.
  return { ...claim, spec: Object.fromEntries(Object.entries(spec).reverse()) };
}

const fail = (message: string): never => {
  throw new Error(message);
};

/** The envelope of a claim whose spec the never-throws property replaces. */
const envelope: Claim = {
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "fuzz", namespace: "fuzz" },
};

export interface PropertyDef {
  name: string;
  /** What each case is checked for: one property each. */
  checks: string[];
  run(params: fc.Parameters<any>): Promise<fc.RunDetails<any>>;
}

export const PROPERTIES: PropertyDef[] = [
  {
    name: "never throws: any spec and any observed JSON get a response",
    checks: ["the handler returns a response"],
    run: (params) =>
      fc.check(
        fc.asyncProperty(
          // Valid claims are the slow ones to render and are fuzzed at length below; here they are one in six.
          fc.oneof(
            { arbitrary: validClaimArb, weight: 1 },
            { arbitrary: invalidClaimArb.map((c) => c.claim), weight: 2 },
            { arbitrary: anySpecArb.map((spec) => ({ ...envelope, spec }) as Claim), weight: 3 },
          ),
          fc.option(
            fc.dictionary(
              fc.constantFrom("primary-vpc", "primary-table", "secondary-aurora-cluster", "primary-storage-key"),
              fc.jsonValue(),
            ),
            { nil: undefined },
          ),
          async (claim, observed) => {
            const rsp = await handler.RunFunction(requestFor(compositeOf(claim), observed as Record<string, ObservedResource> | undefined));
            if (!rsp?.desired) fail("no response");
          },
        ),
        params,
      ),
  },
  {
    name: "invalid claims are refused",
    checks: ["exactly one Fatal result, naming the broken field", "no desired resources"],
    run: (params) =>
      fc.check(
        fc.asyncProperty(invalidClaimArb, async ({ claim, breakage }) => {
          const rsp = toJson(await render(claim));
          const fatal = fatals(rsp);
          if (fatal.length !== 1) fail(`${breakage.label}: ${fatal.length} Fatal results`);
          if (!fatal[0].message.includes(breakage.field))
            fail(`${breakage.label}: Fatal does not name ${breakage.field}: ${fatal[0].message}`);
          const count = Object.keys(rsp.desired?.resources ?? {}).length;
          if (count !== 0) fail(`${breakage.label}: ${count} desired resources`);
        }),
        params,
      ),
  },
  {
    name: "valid claims compose valid, secure resources",
    checks: [
      "no Fatal result, first render and settled",
      "every resource of the settled state passes its model's validate()",
      "every security control holds once settled",
      "the settled state holds its tier's inventory: each kind, counted by region role",
      "every reference resolves against the kind the provider lists for it",
      "every provider resource keeps to both tested releases' schema facts",
    ],
    run: (params) =>
      fc.check(
        fc.asyncProperty(validClaimArb, async (claim) => {
          const settled = await settle(claim);
          if (settled.fatal) fail(`valid claim refused: ${settled.fatal}`);
          // Every rule below is "for every resource of this kind": only this catches resources that are missing.
          const missing = inventoryProblems(settled.resources, validateSpec(claim.spec));
          if (missing.length) fail(missing.slice(0, 8).join("\n"));
          const problems = await modelProblems(settled.resources);
          if (problems.length) fail(problems.slice(0, 5).join("\n"));
          const violations = unknownFailures(failures(evaluate(settled.resources, { protection: validateSpec(claim.spec).protection })));
          if (violations.length) fail(violations.slice(0, 5).join("\n"));
          const unresolved = referenceProblems(settled.resources);
          if (unresolved.length) fail(unresolved.slice(0, 5).join("\n"));
          const unschematic = factProblems(settled.resources);
          if (unschematic.length) fail(unschematic.slice(0, 5).join("\n"));
        }),
        params,
      ),
  },
  {
    // Both are judged against the same first render: a render costs tens of milliseconds.
    name: "valid claims compose stably",
    checks: [
      "deterministic: a second render is byte-identical",
      "names (and contents) unchanged when emails, tags and fields are reordered",
    ],
    run: (params) =>
      fc.check(
        fc.asyncProperty(
          validClaimArb.chain((claim) =>
            fc.tuple(
              fc.constant(claim),
              permutationArb((claim.spec as Json).alerts.emails.length),
              permutationArb(Object.keys((claim.spec as Json).tags).length),
            ),
          ),
          async ([claim, emailOrder, tagOrder]) => {
            const first = toJson(await render(claim));
            if (JSON.stringify(toJson(await render(structuredClone(claim)))) !== JSON.stringify(first))
              fail("two renders of the same claim differ");
            const a = first.desired?.resources ?? {};
            const b = toJson(await render(reorder(claim, emailOrder, tagOrder))).desired?.resources ?? {};
            const names = (r: Json) => Object.keys(r).sort().join(",");
            if (names(a) !== names(b)) fail(`names differ after reordering:\n${names(a)}\n${names(b)}`);
            for (const name of Object.keys(a)) if (canonical(a[name]) !== canonical(b[name])) fail(`${name} differs after reordering`);
          },
        ),
        params,
      ),
  },
];
