/**
 * What a Kubernetes API server does with an object under a structural OpenAPI v3 schema (an XRD's
 * or a CRD's), in its order: prune every field the schema does not list, fill in defaults, check
 * the OpenAPI keywords (ajv), then evaluate every `x-kubernetes-validations` rule (a CEL
 * evaluator). Shared by the XRD checks and the provider CRD validator, so both judge alike.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { celEnv, isCelError, parse, plan, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

export type Schema = { [key: string]: unknown };
export interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
}

const env = celEnv({ funcs: strings });
const K8S_KEYWORDS = [
  "x-kubernetes-validations",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
];
/** The formats the provider's schemas use, checked as the API server checks them. */
const FORMATS = {
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  int64: { type: "number" as const, validate: (n: number) => Number.isInteger(n) },
  int32: { type: "number" as const, validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
};

const properties = (schema: Schema) => (schema.properties as Record<string, Schema> | undefined) ?? {};
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** An ajv validator for `schema`; `errorsOf` turns its errors into `path: message` under `root`. */
export function compileSchema(schema: Schema, options: { useDefaults?: boolean } = {}): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, useDefaults: options.useDefaults ?? false, strict: true, formats: FORMATS });
  for (const keyword of K8S_KEYWORDS) ajv.addKeyword(keyword);
  return ajv.compile(schema);
}

export function fieldOf(e: ErrorObject, root: string): string {
  const path =
    root +
    e.instancePath
      .split("/")
      .filter(Boolean)
      .map((p) => `.${p.replace(/~1/g, "/").replace(/~0/g, "~")}`)
      .join("");
  return e.keyword === "required" ? `${path}.${(e.params as { missingProperty: string }).missingProperty}` : path;
}

export const errorsOf = (check: ValidateFunction, root: string): string[] =>
  (check.errors ?? []).map((e) => `${fieldOf(e, root)}: ${e.message}`);

/** CEL tells int from double; YAML and JSON do not, the schema's type does. */
export function typed(value: unknown, schema: Schema): CelInput {
  if (schema.type === "integer" && typeof value === "number") return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => typed(v, (schema.items as Schema) ?? {}));
  if (isRecord(value)) {
    const rest = isRecord(schema.additionalProperties) ? schema.additionalProperties : {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typed(v, properties(schema)[k] ?? rest)]));
  }
  return value as CelInput;
}

/**
 * Every `x-kubernetes-validations` rule under `schema` that `value` fails, as `path: message`.
 * Transition rules (`oldSelf`) run only when `old` is given, as on an update.
 */
export function celErrors(value: unknown, old: unknown, schema: Schema, path: string, out: string[] = []): string[] {
  if (value === undefined) return out;
  for (const r of (schema["x-kubernetes-validations"] as Rule[] | undefined) ?? []) {
    const transition = r.rule.includes("oldSelf");
    if (transition && old === undefined) continue;
    const bindings = transition ? { self: typed(value, schema), oldSelf: typed(old, schema) } : { self: typed(value, schema) };
    const result = plan(env, parse(r.rule))(bindings as never);
    if (isCelError(result) || result !== true) out.push(`${path}${r.fieldPath ?? ""}: ${r.message ?? `failed rule ${r.rule}`}`);
  }
  if (Array.isArray(value)) {
    // List items have no identity across an update here: transition rules inside lists are skipped.
    if (schema.items) value.forEach((item, i) => celErrors(item, undefined, schema.items as Schema, `${path}[${i}]`, out));
    return out;
  }
  if (!isRecord(value)) return out;
  const oldRecord = isRecord(old) ? old : {};
  for (const [name, child] of Object.entries(properties(schema))) celErrors(value[name], oldRecord[name], child, `${path}.${name}`, out);
  if (isRecord(schema.additionalProperties))
    for (const [name, child] of Object.entries(value))
      if (!(name in properties(schema))) celErrors(child, oldRecord[name], schema.additionalProperties, `${path}.${name}`, out);
  return out;
}

/**
 * `value` with the defaults the API server fills in: absent properties of present objects,
 * recursively through list items and map values. Returns a copy.
 */
export function withDefaults<T>(value: T, schema: Schema): T {
  return fill(structuredClone(value), schema) as T;
}

function fill(value: unknown, schema: Schema): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((v) => fill(v, schema.items as Schema)) : value;
  if (!isRecord(value)) return value;
  for (const [key, sub] of Object.entries(properties(schema))) {
    if (value[key] === undefined && sub.default !== undefined) value[key] = structuredClone(sub.default);
    if (value[key] !== undefined) value[key] = fill(value[key], sub);
  }
  const extra = schema.additionalProperties;
  if (isRecord(extra)) for (const key of Object.keys(value)) if (!(key in properties(schema))) value[key] = fill(value[key], extra);
  return value;
}

/** The fields an embedded object keeps whatever its schema lists (`x-kubernetes-embedded-resource`). */
const EMBEDDED = ["apiVersion", "kind", "metadata"];

/**
 * Every path of `value` the API server would drop: a field its object's schema does not list,
 * unless the schema preserves unknown fields or types them with `additionalProperties`.
 */
export function prunedPaths(value: unknown, schema: Schema, path: string, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => prunedPaths(item, schema.items as Schema, `${path}[${i}]`, out));
    return out;
  }
  // A value of the wrong type is a schema error, not a field to prune.
  if (!isRecord(value) || (schema.type !== undefined && schema.type !== "object")) return out;
  const listed = properties(schema);
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const extra = schema.additionalProperties;
  for (const [key, child] of Object.entries(value)) {
    const where = `${path}.${key}`;
    if (key in listed) prunedPaths(child, listed[key], where, out);
    else if (isRecord(extra)) prunedPaths(child, extra, where, out);
    else if (extra === true || preserve) continue;
    else if (schema["x-kubernetes-embedded-resource"] === true && EMBEDDED.includes(key)) continue;
    else out.push(where);
  }
  return out;
}

/** `value` without the fields `prunedPaths` reports: what the API server goes on to default and validate. */
export function pruned<T>(value: T, schema: Schema): T {
  const strip = (v: unknown, s: Schema): unknown => {
    if (Array.isArray(v)) return s.items ? v.map((item) => strip(item, s.items as Schema)) : v;
    if (!isRecord(v)) return v;
    const listed = properties(s);
    const extra = s.additionalProperties;
    const keepAll = extra === true || s["x-kubernetes-preserve-unknown-fields"] === true;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(v)) {
      if (key in listed) out[key] = strip(child, listed[key]);
      else if (isRecord(extra)) out[key] = strip(child, extra);
      else if (keepAll || (s["x-kubernetes-embedded-resource"] === true && EMBEDDED.includes(key))) out[key] = child;
    }
    return out;
  };
  return strip(value, schema) as T;
}

/** Every node of a schema with its path, for structural checks. */
export function* walk(schema: Schema, path = ""): Generator<[string, Schema]> {
  yield [path, schema];
  for (const [name, child] of Object.entries(properties(schema))) yield* walk(child, `${path}.${name}`);
  if (schema.items) yield* walk(schema.items as Schema, `${path}[]`);
  if (isRecord(schema.additionalProperties)) yield* walk(schema.additionalProperties, `${path}{}`);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Duplicates the API server refuses in lists typed `x-kubernetes-list-type`: `set` items must be
 * unique, `map` items unique by their `x-kubernetes-list-map-keys`.
 */
export function listTypeErrors(value: unknown, schema: Schema, path: string, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    const type = schema["x-kubernetes-list-type"];
    const keys = (schema["x-kubernetes-list-map-keys"] as string[] | undefined) ?? [];
    const identity = (item: unknown) => (type === "map" && isRecord(item) ? keys.map((k) => item[k]) : item);
    if (type === "set" || type === "map")
      value.forEach((item, i) => {
        const first = value.findIndex((other) => same(identity(other), identity(item)));
        if (first < i) out.push(`${path}[${i}]: duplicate of item ${first} in a list of type ${type}`);
      });
    if (schema.items) value.forEach((item, i) => listTypeErrors(item, schema.items as Schema, `${path}[${i}]`, out));
    return out;
  }
  if (!isRecord(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    const sub = properties(schema)[key] ?? (isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (sub) listTypeErrors(child, sub, `${path}.${key}`, out);
  }
  return out;
}
