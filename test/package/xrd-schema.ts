/**
 * Judges a claim by the synthesized XRD alone, as an API server would: OpenAPI keywords and
 * defaults by ajv, then every `x-kubernetes-validations` rule by a CEL evaluator. Independent of
 * src/api/validate.ts, so the two agreeing means the XRD says what the TypeBox source says.
 */
import { Ajv, type ErrorObject } from "ajv";
import { celEnv, isCelError, parse, plan, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

export type Schema = { [key: string]: unknown };
export interface Rule {
  rule: string;
  message: string;
  fieldPath?: string;
}

const env = celEnv({ funcs: strings });
const K8S_KEYWORDS = [
  "x-kubernetes-validations",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-preserve-unknown-fields",
];

/** CEL tells int from double; YAML and JSON do not, the schema's type does. */
function typed(value: unknown, schema: Schema): CelInput {
  if (schema.type === "integer" && typeof value === "number") return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => typed(v, (schema.items as Schema) ?? {}));
  if (value !== null && typeof value === "object") {
    const props = (schema.properties as Record<string, Schema>) ?? {};
    const rest = (schema.additionalProperties as Schema) ?? {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typed(v, props[k] ?? rest)]));
  }
  return value as CelInput;
}

function celErrors(value: unknown, old: unknown, schema: Schema, path: string, out: string[]): void {
  if (value === undefined) return;
  for (const r of (schema["x-kubernetes-validations"] as Rule[] | undefined) ?? []) {
    const transition = r.rule.includes("oldSelf");
    if (transition && old === undefined) continue;
    const bindings = transition ? { self: typed(value, schema), oldSelf: typed(old, schema) } : { self: typed(value, schema) };
    const result = plan(env, parse(r.rule))(bindings as never);
    if (isCelError(result) || result !== true) out.push(`${path}${r.fieldPath ?? ""}: ${r.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  const oldRecord = (old ?? {}) as Record<string, unknown>;
  for (const [name, child] of Object.entries((schema.properties as Record<string, Schema>) ?? {})) {
    celErrors(record[name], oldRecord[name], child, `${path}.${name}`, out);
  }
}

function fieldOf(e: ErrorObject): string {
  const path =
    "spec" +
    e.instancePath
      .split("/")
      .filter(Boolean)
      .map((p) => `.${p}`)
      .join("");
  return e.keyword === "required" ? `${path}.${(e.params as { missingProperty: string }).missingProperty}` : path;
}

/** `ajv`: for schemas the project does not write (a provider's), one configured for their formats. */
export function xrdValidator(specSchema: Schema, ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true })) {
  for (const keyword of K8S_KEYWORDS) ajv.addKeyword(keyword);
  const check = ajv.compile(specSchema);
  /** Errors as `field: message`; empty when the API server would accept the spec. */
  return (spec: unknown, oldSpec?: unknown): string[] => {
    const value = structuredClone(spec);
    if (!check(value)) return (check.errors ?? []).map((e) => `${fieldOf(e)}: ${e.message}`);
    const old = oldSpec === undefined ? undefined : structuredClone(oldSpec);
    if (old !== undefined) check(old);
    const out: string[] = [];
    celErrors(value, old, specSchema, "spec", out);
    return out;
  };
}

/** Every node of a schema with its path, for structural checks. */
export function* walk(schema: Schema, path = ""): Generator<[string, Schema]> {
  yield [path, schema];
  for (const [name, child] of Object.entries((schema.properties as Record<string, Schema>) ?? {})) yield* walk(child, `${path}.${name}`);
  if (schema.items) yield* walk(schema.items as Schema, `${path}[]`);
  if (typeof schema.additionalProperties === "object") yield* walk(schema.additionalProperties as Schema, `${path}{}`);
}
