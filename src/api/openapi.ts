/**
 * Turns the TypeBox definition into a Kubernetes structural OpenAPI v3 schema.
 *
 * TypeBox speaks JSON Schema; the API server accepts a subset. The differences handled here:
 * unions of literals become `enum`, `patternProperties` (string-keyed records) become
 * `additionalProperties` with a CEL rule on the keys, and `uniqueItems` gives way to
 * `x-kubernetes-list-type: set`, which the API server enforces in linear time.
 */
import type { TSchema } from "@sinclair/typebox";

export type OpenApiSchema = { [key: string]: unknown };

function literalEnum(variants: OpenApiSchema[]): OpenApiSchema | undefined {
  if (!variants.every((v) => "const" in v)) return undefined;
  const values = variants.map((v) => v.const);
  const type = values.every((v) => typeof v === "string") ? "string" : values.every((v) => Number.isInteger(v)) ? "integer" : "number";
  return { type, enum: values };
}

export function toOpenApi(schema: TSchema | OpenApiSchema): OpenApiSchema {
  // JSON round trip drops TypeBox's symbol keys; this runs at synth time only.
  const source = JSON.parse(JSON.stringify(schema)) as OpenApiSchema;
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(source)) {
    switch (key) {
      case "anyOf": {
        const asEnum = literalEnum(value as OpenApiSchema[]);
        if (!asEnum) throw new Error("only unions of literals are supported in the claim API");
        Object.assign(out, asEnum);
        break;
      }
      case "properties":
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, OpenApiSchema>).map(([name, s]) => [name, toOpenApi(s)]),
        );
        break;
      case "items":
        out.items = toOpenApi(value as OpenApiSchema);
        break;
      case "patternProperties": {
        const [[pattern, valueSchema]] = Object.entries(value as Record<string, OpenApiSchema>);
        out.additionalProperties = toOpenApi(valueSchema);
        const keyRule = { rule: `self.all(k, k.matches('${pattern}'))`, message: `every key must match ${pattern}` };
        out["x-kubernetes-validations"] = [...((source["x-kubernetes-validations"] as unknown[]) ?? []), keyRule];
        break;
      }
      case "additionalProperties":
        // `false` beside patternProperties only closes the record to other keys; the record case sets the real value.
        if (!("patternProperties" in source)) out.additionalProperties = value;
        break;
      case "uniqueItems":
        if (source["x-kubernetes-list-type"] !== "set") out.uniqueItems = value;
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}
