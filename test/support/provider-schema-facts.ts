/**
 * What the default tests need of the provider's CRD schemas when `../shared/provider-crds` is not
 * at hand: for every kind and version the shipped claims compose, each spec field they set (its
 * path, with `[]` for list items and `*` for map values) that BOTH tested releases' schemas hold
 * with the same type, and the parameters the CRDs' CEL rules require. Derived from the real CRDs
 * into `test/provider/schema-facts.generated.json`; a test re-derives it when the CRDs are present
 * and fails when the committed copy differs, so the facts cannot drift from the CRDs or from what
 * the function composes.
 *
 *   tsx test/support/provider-schema-facts.ts [--check]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { PROVIDER_AWS_TESTED_RELEASES } from "../../src/provider.js";
import type { Resources } from "../../tools/policy/index.js";
import { findCrd, PROVIDER_CRDS_ROOT, type ComposedResource } from "./provider-crd-validator.js";
import type { Schema } from "./structural-schema.js";

export const FACTS_PATH = new URL("../provider/schema-facts.generated.json", import.meta.url).pathname;

/** `apiVersion/Kind` -> what both releases accept of the fields the shipped claims set. */
export type SchemaFacts = Record<string, KindFacts>;
export interface KindFacts {
  /** Field path -> its schema type: `string`, `number`, `integer`, `boolean`, `array` or `object` (empty), `opaque` (preserved). */
  fields: Record<string, string>;
  /** Parameters a CEL rule requires in `forProvider` or `initProvider` unless the resource only observes. */
  required: string[];
}

const PROVIDER_GROUP = /\.aws(\.m)?\.upbound\.io$/;
/** A provider-upjet-aws kind, cluster-scoped or `.m.` namespaced (not a Crossplane Usage or a core object). */
export const isProviderKind = (r: { apiVersion: string }): boolean => PROVIDER_GROUP.test(r.apiVersion.split("/")[0]!);
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const keyOf = (r: ComposedResource) => `${r.apiVersion}/${r.kind}`;
const REQUIRED = /^spec\.forProvider\.(\w+) is a required parameter$/;

/** Every field path `value` sets under `schema`, with the type the schema gives it; fields the schema lacks are left out. */
function schemaFields(value: unknown, schema: Schema, path: string, out: Map<string, string>): void {
  if (schema["x-kubernetes-preserve-unknown-fields"] && !schema.properties) return void out.set(path, "opaque");
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, "array");
    for (const item of value) schemaFields(item, (schema.items as Schema) ?? {}, `${path}[]`, out);
  } else if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, "object");
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    const values = isRecord(schema.additionalProperties) ? (schema.additionalProperties as Schema) : undefined;
    for (const [key, child] of entries) {
      if (properties[key]) schemaFields(child, properties[key], `${path}.${key}`, out);
      else if (values) schemaFields(child, values, `${path}.*`, out);
    }
  } else if (value !== undefined && value !== null) out.set(path, String(schema.type));
}

function specSchema(release: string, resource: ComposedResource, root: string): Schema | undefined {
  const [group, version] = resource.apiVersion.split("/");
  const crd = findCrd(release, group!, resource.kind, root);
  const served = crd?.spec.versions.find((v) => v.name === version && v.served);
  return (served?.schema?.openAPIV3Schema?.properties as Record<string, Schema> | undefined)?.spec;
}

/** Derives the facts from the CRDs of every tested release, for the provider resources of `resourceSets`. */
export function deriveFacts(resourceSets: Resources[], root = PROVIDER_CRDS_ROOT): SchemaFacts {
  const byKind = new Map<string, Map<string, Set<string>>>();
  const required = new Map<string, Set<string>>();
  for (const resources of resourceSets)
    for (const resource of Object.values(resources) as ComposedResource[]) {
      if (!isProviderKind(resource)) continue;
      const key = keyOf(resource);
      const paths = byKind.get(key) ?? new Map<string, Set<string>>();
      byKind.set(key, paths);
      const needs = required.get(key) ?? new Set<string>();
      required.set(key, needs);
      for (const release of PROVIDER_AWS_TESTED_RELEASES) {
        const schema = specSchema(release, resource, root);
        if (!schema) continue;
        const fields = new Map<string, string>();
        schemaFields(resource.spec, schema, "spec", fields);
        for (const [path, type] of fields) {
          const seen = paths.get(path) ?? new Set<string>();
          seen.add(`${release} ${type}`);
          paths.set(path, seen);
        }
        for (const rule of (schema["x-kubernetes-validations"] as Array<{ message?: string }> | undefined) ?? []) {
          const parameter = REQUIRED.exec(rule.message ?? "")?.[1];
          if (parameter) needs.add(parameter);
        }
      }
    }
  const facts: SchemaFacts = {};
  for (const key of [...byKind.keys()].sort()) {
    const fields: Record<string, string> = {};
    for (const [path, seen] of [...byKind.get(key)!].sort(([a], [b]) => a.localeCompare(b))) {
      const types = new Set([...seen].map((s) => s.split(" ")[1]));
      // Kept only when every tested release holds the field with one type.
      if (seen.size === PROVIDER_AWS_TESTED_RELEASES.length && types.size === 1) fields[path] = [...types][0]!;
    }
    facts[key] = { fields, required: [...required.get(key)!].sort() };
  }
  return facts;
}

export const factsText = (facts: SchemaFacts): string => `${JSON.stringify(facts, null, 1)}\n`;
export const committedFacts = (): SchemaFacts => JSON.parse(readFileSync(FACTS_PATH, "utf8")) as SchemaFacts;

const TYPE_OF: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  array: (v) => Array.isArray(v),
  object: (v) => isRecord(v),
  opaque: () => true,
};

/** The paths `value` sets, read the way the facts were derived: a map is a field with `*` children, an opaque field a leaf. */
function factPaths(value: unknown, path: string, fields: Record<string, string>, out: Map<string, unknown>): void {
  if (fields[path] === "opaque") return void out.set(path, value);
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, value);
    for (const item of value) factPaths(item, `${path}[]`, fields, out);
  } else if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, value);
    const map = Object.keys(fields).some((f) => f.startsWith(`${path}.*`));
    for (const [key, child] of entries) factPaths(child, map ? `${path}.*` : `${path}.${key}`, fields, out);
  } else if (value !== undefined && value !== null) out.set(path, value);
}

const OBSERVE_ONLY = (policies: unknown) =>
  Array.isArray(policies) && !policies.some((p) => ["*", "Create", "Update"].includes(p as string));

/**
 * What the facts say the API servers of the tested releases would refuse or prune in `resources`:
 * a kind or version no fact covers, a field no release's schema holds (or of another type), a
 * required parameter left out. Empty when every provider resource keeps to the facts.
 */
export function factProblems(resources: Resources, facts: SchemaFacts = committedFacts()): string[] {
  const problems: string[] = [];
  for (const [name, resource] of Object.entries(resources) as Array<[string, ComposedResource]>) {
    if (!isProviderKind(resource)) continue;
    const kind = facts[keyOf(resource)];
    const where = `${name} (${resource.apiVersion} ${resource.kind})`;
    if (!kind) {
      problems.push(`${where}: no schema facts for this kind and version; run npm run provider:schema-facts with the CRDs at hand`);
      continue;
    }
    const paths = new Map<string, unknown>();
    factPaths(resource.spec, "spec", kind.fields, paths);
    for (const [path, value] of paths) {
      const type = kind.fields[path];
      if (!type) problems.push(`${where}: ${path} is not in both tested releases' schemas (the API server would prune it)`);
      else if (!TYPE_OF[type]!(value)) problems.push(`${where}: ${path} must be ${type}`);
    }
    const spec = (resource.spec ?? {}) as Record<string, Record<string, unknown> | undefined>;
    if (OBSERVE_ONLY(spec.managementPolicies)) continue;
    for (const parameter of kind.required)
      if (spec.forProvider?.[parameter] === undefined && spec.initProvider?.[parameter] === undefined)
        problems.push(`${where}: spec.forProvider.${parameter} is a required parameter`);
  }
  return problems;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  if (!existsSync(PROVIDER_CRDS_ROOT)) {
    console.error(`provider CRDs not found at ${PROVIDER_CRDS_ROOT}; set PROVIDER_CRDS_DIR`);
    process.exit(2);
  }
  const { settledClaims } = await import("../security/claims.js");
  const text = factsText(deriveFacts((await settledClaims()).map((c) => c.resources)));
  if (process.argv.includes("--check")) {
    const same = existsSync(FACTS_PATH) && readFileSync(FACTS_PATH, "utf8") === text;
    console.log(same ? `${FACTS_PATH} is current` : `${FACTS_PATH} differs from the CRDs; run npm run provider:schema-facts`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(FACTS_PATH, text);
  console.log(`wrote ${FACTS_PATH}`);
}
