/**
 * A whole claim (or composite) checked as the API server checks it with strict field validation
 * (`kubectl apply --validate=strict`): the apiVersion and kind it serves, no unknown field
 * anywhere, and every rule of the spec, all reported in one pass. The function sees only what
 * the API server let through, so it checks the spec alone (validateSpec); the local tools read
 * files a person typed and check them here.
 */
import { API_GROUP, API_VERSION, CLAIM_KIND, COMPOSITE_KIND, NAMESPACED_API_GROUP, NAMESPACED_KIND } from "./group.js";
import { EnvironmentSpec } from "./spec.js";
import { toOpenApi, type OpenApiSchema } from "./openapi.js";
import { ClaimValidationError, specErrors, type FieldError } from "./validate.js";

/** Spec fields Crossplane itself owns on a claim or composite; they are not part of the claim API. */
export const CROSSPLANE_SPEC_FIELDS = [
  "claimRef",
  "compositionRef",
  "compositionRevisionRef",
  "compositionSelector",
  "compositionUpdatePolicy",
  "compositionRevisionSelector",
  "resourceRef",
  "resourceRefs",
  "writeConnectionSecretToRef",
  "publishConnectionDetailsTo",
  "environmentConfigRefs",
  "crossplane",
];

export const API_VERSION_STRING = `${API_GROUP}/${API_VERSION}`;
export const NAMESPACED_API_VERSION_STRING = `${NAMESPACED_API_GROUP}/${API_VERSION}`;
/** The kinds each apiVersion serves: the claim flavor's claim and composite, the namespaced flavor's composite. */
const SERVED: Record<string, readonly string[]> = {
  [API_VERSION_STRING]: [CLAIM_KIND, COMPOSITE_KIND],
  [NAMESPACED_API_VERSION_STRING]: [NAMESPACED_KIND],
};
const TOP_LEVEL_FIELDS = ["apiVersion", "kind", "metadata", "spec", "status"];
/** ObjectMeta's fields, as the API server knows them. */
const METADATA_FIELDS = [
  "name",
  "generateName",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
  "selfLink",
];

const openApi = toOpenApi(EnvironmentSpec);

/** Edit distance with transpositions: `teir` is one step from `tier`. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate `name` was most likely meant to be, when one is close enough to guess. */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    // A plural or singular slip (`email` for `emails`) is as close as a typo.
    const score = c.startsWith(lower) || lower.startsWith(c) ? Math.abs(c.length - lower.length) : distance(lower, c);
    if (score <= Math.max(2, Math.floor(c.length / 3)) && (!best || score < best.score)) best = { candidate, score };
  }
  return best?.candidate;
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

function unknownField(path: string, name: string, known: readonly string[]): FieldError {
  const guess = didYouMean(name, known);
  return { field: join(path, name), message: `unknown field${guess ? `; did you mean ${join(path, guess)}?` : ""}` };
}

/** Every field of `value` the schema does not declare, at any depth. */
export function unknownFields(value: unknown, schema: OpenApiSchema, path: string, errors: FieldError[] = []): FieldError[] {
  if (Array.isArray(value)) {
    const items = schema.items as OpenApiSchema | undefined;
    if (items) value.forEach((v, i) => unknownFields(v, items, `${path}[${i}]`, errors));
    return errors;
  }
  if (!value || typeof value !== "object" || schema.type !== "object") return errors;
  const properties = schema.properties as Record<string, OpenApiSchema> | undefined;
  const additional = schema.additionalProperties;
  for (const [name, child] of Object.entries(value)) {
    const declared = properties?.[name];
    if (declared) unknownFields(child, declared, join(path, name), errors);
    else if (additional && typeof additional === "object") unknownFields(child, additional as OpenApiSchema, join(path, name), errors);
    else if (additional !== true) errors.push(unknownField(path, name, Object.keys(properties ?? {})));
  }
  return errors;
}

function fieldError(field: string, message: string): FieldError {
  return { field, message };
}

/** The spec as the claim API defines it: what Crossplane owns on a claim or composite taken out. */
export function claimSpecOf(object: { spec?: unknown }): Record<string, unknown> {
  const spec = { ...((object.spec ?? {}) as Record<string, unknown>) };
  for (const field of CROSSPLANE_SPEC_FIELDS) delete spec[field];
  return spec;
}

/** Everything the API server would refuse in `object`, in one list. */
export function claimErrors(object: unknown): FieldError[] {
  if (!object || typeof object !== "object" || Array.isArray(object)) return [fieldError("", "expected a Kubernetes object (a mapping)")];
  const o = object as Record<string, unknown>;
  const errors: FieldError[] = [];
  const served = typeof o.apiVersion === "string" ? SERVED[o.apiVersion] : undefined;
  if (!served)
    errors.push(
      fieldError(
        "apiVersion",
        o.apiVersion === undefined
          ? `is required: ${API_VERSION_STRING} (claim) or ${NAMESPACED_API_VERSION_STRING} (namespaced composite)`
          : `${JSON.stringify(o.apiVersion)} is not served; did you mean ${didYouMean(String(o.apiVersion), Object.keys(SERVED)) ?? API_VERSION_STRING}?`,
      ),
    );
  const kinds = served ?? SERVED[API_VERSION_STRING]!;
  if (typeof o.kind !== "string" || !kinds.includes(o.kind)) {
    const guess = typeof o.kind === "string" ? didYouMean(o.kind, kinds) : undefined;
    const got =
      o.kind === undefined ? "is required" : `${JSON.stringify(o.kind)} is not served${served ? ` by ${String(o.apiVersion)}` : ""}`;
    errors.push(fieldError("kind", guess ? `${got}; did you mean ${guess}?` : `${got}: expected ${kinds.join(" or ")}`));
  }
  for (const name of Object.keys(o)) if (!TOP_LEVEL_FIELDS.includes(name)) errors.push(unknownField("", name, TOP_LEVEL_FIELDS));
  const metadata = o.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== "object" || typeof metadata.name !== "string" || metadata.name === "")
    errors.push(fieldError("metadata.name", "is required"));
  if (metadata && typeof metadata === "object")
    for (const name of Object.keys(metadata))
      if (!METADATA_FIELDS.includes(name)) errors.push(unknownField("metadata", name, METADATA_FIELDS));
  if (o.spec !== undefined && (typeof o.spec !== "object" || o.spec === null || Array.isArray(o.spec))) {
    errors.push(fieldError("spec", "expected an object"));
    return errors;
  }
  const spec = claimSpecOf(o);
  unknownFields(spec, openApi, "spec", errors);
  errors.push(...specErrors(spec).errors);
  return errors;
}

/** The claim's spec with defaults applied, or a ClaimValidationError naming every field and rule it breaks. */
export function validateClaim(object: unknown): EnvironmentSpec {
  const errors = claimErrors(object);
  if (errors.length > 0) throw new ClaimValidationError(errors);
  return specErrors(claimSpecOf(object as { spec?: unknown })).resolved as EnvironmentSpec;
}
