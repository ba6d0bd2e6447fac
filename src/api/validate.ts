/**
 * Runtime validation of a claim's spec: the same rules the API server applies, so a claim that
 * never passed through one (local render, tests, fuzzing) is judged alike. OpenAPI keywords are
 * checked by TypeBox's compiled checker, CEL rules by a real CEL evaluator.
 */
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { isCelError, parse, plan, celEnv, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { EnvironmentSpec, type CelRule } from "./spec.js";
import { toOpenApi, type OpenApiSchema } from "./openapi.js";

export interface FieldError {
  /** Path of the offending field, e.g. `spec.network.cidr`. */
  field: string;
  /** What the field must satisfy. */
  message: string;
}

export class ClaimValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => (e.message.startsWith(e.field) ? e.message : `${e.field}: ${e.message}`)).join("; "));
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

function checkCel(value: unknown, old: unknown, schema: OpenApiSchema, path: string, errors: FieldError[]): void {
  if (value === undefined) return;
  // Converted once per node, not once per rule: the root's rules would otherwise each convert the whole spec.
  let self: CelInput | undefined;
  let oldSelf: CelInput | undefined;
  for (const rule of rulesOf(schema)) {
    if (rule.transition && old === undefined) continue;
    self ??= toCel(value, schema);
    const bindings = rule.transition ? { self, oldSelf: (oldSelf ??= toCel(old, schema)) } : { self };
    const result = rule.evaluate(bindings as never);
    if (isCelError(result) || result !== true) {
      errors.push({ field: path + (rule.fieldPath ?? ""), message: rule.message });
    }
  }
  const props = schema.properties as Record<string, OpenApiSchema> | undefined;
  if (props && value && typeof value === "object") {
    for (const [name, child] of Object.entries(props)) {
      const oldChild = old && typeof old === "object" ? (old as Record<string, unknown>)[name] : undefined;
      checkCel((value as Record<string, unknown>)[name], oldChild, child, `${path}.${name}`, errors);
    }
  }
}

/** TypeBox says "Expected union value"; a person wants the allowed values. */
function describe(schema: OpenApiSchema, fallback: string): string {
  const literals = (schema.anyOf as OpenApiSchema[] | undefined)?.map((v) => v.const);
  if (literals?.every((v) => v !== undefined)) return `must be one of ${literals.map((v) => JSON.stringify(v)).join(", ")}`;
  if (typeof schema.pattern === "string" && fallback.includes("match")) return `must match the pattern ${schema.pattern}`;
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
 * Validates a claim's spec and returns it with defaults applied. `previous` is the spec before an
 * update, for the immutability rules. Throws ClaimValidationError naming every broken field.
 */
export function validateSpec(spec: unknown, previous?: unknown): EnvironmentSpec {
  const resolved = withDefaults(spec);
  // Check is the compiled fast path; Errors walks the schema again and is only needed to explain a failure.
  const errors: FieldError[] = checker.Check(resolved)
    ? []
    : [...checker.Errors(resolved)].map((e) => ({
        field: pointerToField(e.path),
        message: describe(e.schema as OpenApiSchema, e.message),
      }));
  // CEL rules assume a well-typed object, as the API server only runs them after OpenAPI passes.
  if (errors.length === 0) checkCel(resolved, previous === undefined ? undefined : withDefaults(previous), openApi, "spec", errors);
  if (errors.length > 0) throw new ClaimValidationError(errors);
  return resolved as EnvironmentSpec;
}
