/**
 * Judges a claim by the synthesized XRD alone, as an API server would: OpenAPI keywords and
 * defaults by ajv, then every `x-kubernetes-validations` rule by a CEL evaluator
 * (test/support/structural-schema.ts). Independent of src/api/validate.ts, so the two agreeing
 * means the XRD says what the TypeBox source says.
 */
import { celErrors, compileSchema, errorsOf, type Schema } from "../support/structural-schema.js";

export { walk, type Rule, type Schema } from "../support/structural-schema.js";

export function xrdValidator(specSchema: Schema) {
  const check = compileSchema(specSchema, { useDefaults: true });
  /** Errors as `field: message`; empty when the API server would accept the spec. */
  return (spec: unknown, oldSpec?: unknown): string[] => {
    const value = structuredClone(spec);
    if (!check(value)) return errorsOf(check, "spec");
    const old = oldSpec === undefined ? undefined : structuredClone(oldSpec);
    if (old !== undefined) check(old);
    return celErrors(value, old, specSchema, "spec");
  };
}
