/**
 * What the API server would do with a composed resource, judged by the provider's released CRD for
 * its version: every OpenAPI keyword (ajv, with the schema's defaults filled in first, as the API
 * server does), every field the structural schema does not list (the API server prunes it
 * silently, so it is reported here), `x-kubernetes-list-type` uniqueness, and every
 * `x-kubernetes-validations` CEL rule (evaluated on the defaulted object).
 */
import { Ajv } from "ajv";
import { xrdValidator, type Schema } from "../package/xrd-schema.js";

export interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema?: Schema };
}
export interface Crd {
  spec: { group: string; scope: string; names: { kind: string }; versions: CrdVersion[] };
}

/** Fields of `value` its schema does not declare: the API server drops them without a word. */
function pruned(value: unknown, schema: Schema, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((v, i) => pruned(v, items, `${path}[${i}]`, out));
    return;
  }
  if (!value || typeof value !== "object" || schema.type !== "object") return;
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const additional = schema.additionalProperties as Schema | boolean | undefined;
  for (const [name, child] of Object.entries(value)) {
    if (properties[name]) pruned(child, properties[name], `${path}.${name}`, out);
    else if (additional && typeof additional === "object") pruned(child, additional, `${path}.${name}`, out);
    else if (additional !== true) out.push(`${path}.${name}: not in the schema, pruned`);
  }
}

/** `x-kubernetes-list-type: set` lists hold no duplicate; `map` lists no two items with the same keys. */
function listTypes(value: unknown, schema: Schema, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    const type = schema["x-kubernetes-list-type"];
    const keys = (schema["x-kubernetes-list-map-keys"] as string[] | undefined) ?? [];
    const identities = value.map((v) => JSON.stringify(type === "map" ? keys.map((k) => (v as Record<string, unknown>)?.[k]) : v));
    if ((type === "set" || type === "map") && new Set(identities).size !== identities.length)
      out.push(`${path}: duplicate items in a list of type ${type as string}`);
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((v, i) => listTypes(v, items, `${path}[${i}]`, out));
    return;
  }
  if (!value || typeof value !== "object") return;
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  for (const [name, child] of Object.entries(value)) if (properties[name]) listTypes(child, properties[name], `${path}.${name}`, out);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Validators per CRD and version, built once: compiling a provider schema is the expensive part. */
const cache = new WeakMap<Crd, Map<string, (spec: unknown) => string[]>>();

function specValidator(crd: Crd, version: CrdVersion): (spec: unknown) => string[] {
  const perCrd = cache.get(crd) ?? new Map<string, (spec: unknown) => string[]>();
  cache.set(crd, perCrd);
  const known = perCrd.get(version.name);
  if (known) return known;
  const schema = (version.schema?.openAPIV3Schema?.properties as Record<string, Schema> | undefined)?.spec;
  if (!schema) throw new Error(`${crd.spec.group}/${crd.spec.names.kind} ${version.name} has no spec schema`);
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, formats: { int64: true, "date-time": RFC3339 } });
  const validate = xrdValidator(schema, ajv);
  perCrd.set(version.name, validate);
  return validate;
}

/** Everything the API server would refuse, prune or reject by rule in `manifest`; empty when it stores it as sent. */
export function crdProblems(manifest: { apiVersion: string; kind: string; spec?: unknown }, crd: Crd): string[] {
  const version = crd.spec.versions.find((v) => v.name === manifest.apiVersion.split("/")[1]);
  if (!version?.served) return [`${manifest.apiVersion} is not served by the CRD of ${crd.spec.group}/${crd.spec.names.kind}`];
  const schema = (version.schema?.openAPIV3Schema?.properties as Record<string, Schema> | undefined)?.spec ?? {};
  const out: string[] = [];
  pruned(manifest.spec, schema, "spec", out);
  listTypes(manifest.spec, schema, "spec", out);
  out.push(...specValidator(crd, version)(manifest.spec));
  return out;
}
