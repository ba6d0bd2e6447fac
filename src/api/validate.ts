/**
 * Runtime validation of a claim's spec: the same rules the API server applies, so a claim that
 * never passed through one (local render, tests, fuzzing) is judged alike. OpenAPI keywords are
 * checked by TypeBox's compiled checker, CEL rules by a real CEL evaluator.
 */
import { deepFreeze } from "../immutable.js";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { isCelError, parse, plan, celEnv, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { EnvironmentSpec, type CelRule } from "./spec.js";
import { toOpenApi, type OpenApiSchema } from "./openapi.js";
import { zonesOffered } from "../regions.js";

export interface FieldError {
  /** Path of the offending field, e.g. `spec.network.cidr`. */
  field: string;
  /** What the field must satisfy. */
  message: string;
}

/** "spec.x: must …", or the message alone when it already names its field. */
export function describeError(e: FieldError): string {
  return e.message.startsWith(e.field) ? e.message : `${e.field}: ${e.message}`;
}

export class ClaimValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map(describeError).join("; "));
    this.name = "ClaimValidationError";
  }
}

const checker = TypeCompiler.Compile(EnvironmentSpec);
const openApi = toOpenApi(EnvironmentSpec);
const env = celEnv({ funcs: strings });

interface CompiledRule extends CelRule {
  evaluate: ReturnType<typeof plan>;
  transition: boolean;
}

const compiled = new Map<OpenApiSchema, CompiledRule[]>();
function rulesOf(schema: OpenApiSchema): CompiledRule[] {
  let list = compiled.get(schema);
  if (!list) {
    list = ((schema["x-kubernetes-validations"] as CelRule[] | undefined) ?? []).map((r) => ({
      ...r,
      evaluate: plan(env, parse(r.rule)),
      transition: r.rule.includes("oldSelf"),
    }));
    compiled.set(schema, list);
  }
  return list;
}

/** CEL types integers as int and numbers as double; JavaScript has one number type. */
function toCel(value: unknown, schema: OpenApiSchema): CelInput {
  if (schema.type === "integer" && typeof value === "number") return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(v, (schema.items as OpenApiSchema) ?? {}));
  if (value && typeof value === "object") {
    const props = (schema.properties as Record<string, OpenApiSchema>) ?? {};
    const extra = (schema.additionalProperties as OpenApiSchema) ?? {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v, props[k] ?? extra)]));
  }
  return value as CelInput;
}

/**
 * `wellTyped` is false when the schema already refused something in the object: a rule that then
 * fails to evaluate (a string where it does arithmetic) says nothing new, so only rules that
 * evaluate to false are reported beside the schema's errors.
 */
function checkCel(value: unknown, old: unknown, schema: OpenApiSchema, path: string, errors: FieldError[], wellTyped: boolean): void {
  if (value === undefined) return;
  // Converted once per node, not once per rule: the root's rules would otherwise each convert the whole spec.
  let self: CelInput | undefined;
  let oldSelf: CelInput | undefined;
  for (const rule of rulesOf(schema)) {
    if (rule.transition && old === undefined) continue;
    let result: unknown;
    try {
      self ??= toCel(value, schema);
      const bindings = rule.transition ? { self, oldSelf: (oldSelf ??= toCel(old, schema)) } : { self };
      result = rule.evaluate(bindings as never);
    } catch (error) {
      if (wellTyped) throw error;
      continue;
    }
    if (isCelError(result) && !wellTyped) continue;
    if (isCelError(result) || result !== true) {
      errors.push({ field: path + (rule.fieldPath ?? ""), message: rule.message });
    }
  }
  const props = schema.properties as Record<string, OpenApiSchema> | undefined;
  if (props && value && typeof value === "object") {
    for (const [name, child] of Object.entries(props)) {
      const oldChild = old && typeof old === "object" ? (old as Record<string, unknown>)[name] : undefined;
      checkCel((value as Record<string, unknown>)[name], oldChild, child, `${path}.${name}`, errors, wellTyped);
    }
  }
}

/** TypeBox says "Expected union value"; a person wants the allowed values. */
function describe(schema: OpenApiSchema, fallback: string): string {
  const literals = (schema.anyOf as OpenApiSchema[] | undefined)?.map((v) => v.const);
  if (literals?.every((v) => v !== undefined)) return `must be one of ${literals.map((v) => JSON.stringify(v)).join(", ")}`;
  if (typeof schema.pattern === "string" && fallback.includes("match")) return `must match the pattern ${schema.pattern}`;
  const keyPattern = Object.keys((schema.patternProperties as object | undefined) ?? {})[0];
  if (keyPattern && fallback === "Unexpected property") return `the key must match the pattern ${keyPattern}`;
  return fallback.replace(/^Expected/, "expected");
}

function pointerToField(pointer: string): string {
  return (
    "spec" +
    pointer
      .split("/")
      .filter(Boolean)
      .map((p) => `.${p}`)
      .join("")
  );
}

/** Applies the schema's defaults to a copy of `spec`, as the API server would. */
export function withDefaults(spec: unknown): unknown {
  return Value.Default(EnvironmentSpec, structuredClone(spec ?? {}));
}

/**
 * Rules of the domain that no schema states: AWS facts the function would otherwise refuse only
 * once it composes. Checked on whatever part of the spec is well formed.
 */
function checkDomain(spec: Record<string, unknown>, errors: FieldError[]): void {
  const zones = (spec.network as { availabilityZones?: unknown } | undefined)?.availabilityZones;
  if (typeof zones !== "number") return;
  const regions = [["spec.primaryRegion", spec.primaryRegion]];
  if (spec.tier !== "backup-restore") regions.push(["spec.secondaryRegion", spec.secondaryRegion]);
  for (const [field, region] of regions) {
    if (typeof region !== "string") continue;
    const offered = zonesOffered(region);
    if (zones > offered)
      errors.push({
        field: "spec.network.availabilityZones",
        message: `${field} ${region} offers ${offered} availability zones, ${zones} requested`,
      });
  }
}

/** Every rule a spec breaks, schema, CEL and domain alike, in one pass; the spec with defaults applied. */
export function specErrors(spec: unknown, previous?: unknown): { resolved: unknown; errors: FieldError[] } {
  const resolved = withDefaults(spec);
  // Check is the compiled fast path; Errors walks the schema again and is only needed to explain a failure.
  const wellTyped = checker.Check(resolved);
  const errors: FieldError[] = [];
  if (!wellTyped) {
    const seen = new Set<string>();
    for (const e of checker.Errors(resolved)) {
      const field = pointerToField(e.path);
      const message = e.value === undefined ? "is required" : describe(e.schema as OpenApiSchema, e.message);
      // A union reports each variant it tried; a person needs the field once.
      if (seen.has(field)) continue;
      seen.add(field);
      errors.push({ field, message });
    }
  }
  if (resolved && typeof resolved === "object" && !Array.isArray(resolved)) {
    checkCel(resolved, previous === undefined ? undefined : withDefaults(previous), openApi, "spec", errors, wellTyped);
    checkDomain(resolved as Record<string, unknown>, errors);
  }
  return { resolved, errors };
}

/**
 * Validates a claim's spec and returns it with defaults applied. `previous` is the spec before an
 * update, for the immutability rules. Throws ClaimValidationError naming every broken field.
 */
export function validateSpec(spec: unknown, previous?: unknown): EnvironmentSpec {
  const key = previous === undefined ? specKey(spec) : undefined;
  const known = key === undefined ? undefined : validSpecs.get(key);
  if (known) return known;
  const { resolved, errors } = specErrors(spec, previous);
  if (errors.length > 0) throw new ClaimValidationError(errors);
  if (key !== undefined) {
    if (validSpecs.size >= VALID_SPECS_MAX) validSpecs.delete(validSpecs.keys().next().value as string);
    validSpecs.set(key, deepFreeze(resolved as EnvironmentSpec));
  }
  return resolved as EnvironmentSpec;
}

/**
 * Specs that validated, by their JSON text, with defaults applied: every reconcile of a composite
 * sends the same spec, and validating it (CEL rules included) costs far more than its text.
 * Validation is a pure function of the spec, and JSON text tells apart any two specs a composite
 * can carry (plain data from a protobuf Struct), except for non-finite numbers and undefined,
 * which JSON writes as null or leaves out: a spec holding one is never kept. Shared, so frozen. Bounded: oldest out first.
 */
const VALID_SPECS_MAX = 1024;
const validSpecs = new Map<string, EnvironmentSpec>();

function specKey(spec: unknown): string | undefined {
  let exact = true;
  const text = JSON.stringify(spec ?? {}, (_key, value: unknown) => {
    if (value === undefined || (typeof value === "number" && !Number.isFinite(value))) exact = false;
    return value;
  });
  return exact ? text : undefined;
}
