/**
 * The synthesized XRD as the API server will judge it: the example claims pass, a table of broken
 * claims is refused with the field named, every CEL rule compiles, and the schema is structural.
 */
import { IMMUTABLE_CHANGES, INVALID_CLAIMS, VALID_SPEC } from "../support/invalid-claims.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { celEnv, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { API_VERSION_STRING, ClaimValidationError, CLAIM_KIND, validateSpec } from "../../src/api/index.js";
import { CROSSPLANE_CLAIM_COLUMNS, PRINTER_COLUMNS } from "../../charts/xrd.js";
import { REPO_ROOT } from "../../charts/main.js";
import { only } from "./support.js";
import { walk, xrdValidator, type Rule, type Schema } from "./xrd-schema.js";

const xrd = only("package/xrd.yaml") as unknown as {
  spec: { versions: Array<{ additionalPrinterColumns: Array<{ name: string; jsonPath: string }>; schema: { openAPIV3Schema: Schema } }> };
};
const root = xrd.spec.versions[0].schema.openAPIV3Schema;
const specSchema = (root.properties as Record<string, Schema>).spec;
const byXrd = xrdValidator(specSchema);

function refusal(spec: unknown, old?: unknown): string {
  try {
    validateSpec(spec, old);
  } catch (error) {
    if (error instanceof ClaimValidationError) return error.message;
    throw error;
  }
  return "";
}

const exampleDir = join(REPO_ROOT, "examples");
const claimFiles = ["backup-restore", "pilot-light", "warm-standby"].map((t) => `examples/${t}.yaml`);
const committedClaims = readdirSync(exampleDir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => [f, parseYaml(readFileSync(join(exampleDir, f), "utf8"))] as const)
  .filter(([, o]) => o.kind === CLAIM_KIND && o.apiVersion === API_VERSION_STRING);

describe("example claims", () => {
  it("exist for every tier, committed and synthesized", () => {
    expect(committedClaims.map(([, o]) => o.spec.tier).sort()).toEqual(["backup-restore", "pilot-light", "warm-standby"]);
  });

  it.each([...claimFiles.map((f) => [f, only(f)] as const), ...committedClaims.map(([f, o]) => [`committed ${f}`, o] as const)])(
    "%s passes the XRD's schema and CEL rules and validateSpec",
    (_, claim) => {
      const spec = (claim as { spec: unknown }).spec;
      expect(byXrd(spec)).toEqual([]);
      expect(refusal(spec)).toBe("");
    },
  );
});

/** The committed examples equal the synthesized ones (package.test.ts), so the shared table applies. */
const INVALID = INVALID_CLAIMS;
const IMMUTABLE = IMMUTABLE_CHANGES.map(([what, field, patch]) => [what, field, { ...VALID_SPEC, ...patch }, VALID_SPEC] as const);

describe("invalid claims are refused, naming the field", () => {
  it("by a table of at least a dozen cases", () => expect(INVALID.length).toBeGreaterThanOrEqual(12));

  it.each(INVALID)("%s → %s", (_, field, spec) => {
    expect(refusal(spec)).toContain(field);
    expect(byXrd(spec).some((e) => e.startsWith(field))).toBe(true);
  });

  it.each(IMMUTABLE)("changing %s → %s", (_, field, spec, old) => {
    expect(refusal(spec, old)).toContain(field);
    expect(byXrd(spec, old).some((e) => e.startsWith(field))).toBe(true);
    // The same spec is fine as a new object: only the change is refused.
    expect(byXrd(spec)).toEqual([]);
  });
});

describe("the XRD schema", () => {
  const nodes = [...walk(root)];
  const rules = nodes.flatMap(([path, s]) =>
    ((s["x-kubernetes-validations"] as Rule[] | undefined) ?? []).map((r) => [path || ".", r] as const),
  );

  it("has CEL rules, every one of which compiles", () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const env = celEnv({ funcs: strings });
    for (const [, r] of rules) expect(() => plan(env, parse(r.rule))).not.toThrow();
  });

  it("names the field in every CEL message or fieldPath", () => {
    for (const [path, r] of rules) expect(`${path} ${r.fieldPath ?? ""} ${r.message}`).toMatch(/spec\.|every key/);
  });

  it("is structural: no keywords the API server rejects", () => {
    const problems = nodes.flatMap(([path, s]) => [
      ...["const", "anyOf", "oneOf", "allOf", "not", "patternProperties", "$ref", "definitions", "$id"]
        .filter((k) => k in s)
        .map((k) => `${path}: ${k}`),
      ...(s.uniqueItems === true ? [`${path}: uniqueItems`] : []),
      ...(s.additionalProperties !== undefined && s.properties ? [`${path}: additionalProperties beside properties`] : []),
      ...(s.type === undefined ? [`${path}: no type`] : []),
    ]);
    expect(problems).toEqual([]);
  });

  it("has defaults that satisfy their own schema (the API server prunes or rejects others)", () => {
    const withDefault = nodes.filter(([, s]) => "default" in s);
    expect(withDefault.length).toBeGreaterThan(10);
    for (const [path, s] of withDefault) {
      const { default: value, ...schema } = s;
      expect([path, xrdValidator(schema)(value)]).toEqual([path, []]);
    }
  });

  it("documents every field", () => {
    const undocumented = nodes.filter(
      ([path, s]) => path.startsWith(".spec") && !path.includes("[]") && !path.endsWith("{}") && !s.description,
    );
    expect(undocumented.map(([p]) => p)).toEqual([]);
  });

  it("prints columns that exist in the schema and do not repeat Crossplane's own", () => {
    const paths = new Set(nodes.map(([p]) => p));
    const columns = xrd.spec.versions[0].additionalPrinterColumns;
    expect(columns.map((c) => c.name)).toEqual(PRINTER_COLUMNS.map((c) => c.name));
    for (const c of columns) expect(paths.has(c.jsonPath)).toBe(true);
    expect(columns.filter((c) => CROSSPLANE_CLAIM_COLUMNS.includes(c.name))).toEqual([]);
  });
});
