/**
 * The composite status the function writes must be declared in the XRD's status schema: Crossplane
 * applies it with server-side apply, which refuses the whole status (and so every condition and
 * endpoint) over one field the schema does not declare.
 */
import { RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { EnvironmentStatus, toOpenApi, type OpenApiSchema } from "../../src/api/index.js";
import { render } from "../../functions/src/render.js";
import { shippedClaims } from "../security/claims.js";
import { settle } from "../../tools/policy/index.js";

/** Paths in `value` that `schema` does not declare. */
export function undeclared(value: unknown, schema: OpenApiSchema, path = ".status"): string[] {
  if (Array.isArray(value))
    return value.flatMap((v, i) => (schema.items ? undeclared(v, schema.items as OpenApiSchema, `${path}[${i}]`) : []));
  if (value === null || typeof value !== "object") return [];
  if (schema["x-kubernetes-preserve-unknown-fields"]) return [];
  const properties = (schema.properties ?? {}) as Record<string, OpenApiSchema>;
  const additional = schema.additionalProperties as OpenApiSchema | boolean | undefined;
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const childSchema = properties[key] ?? (typeof additional === "object" ? additional : undefined);
    if (!childSchema) return additional === true ? [] : [`${path}.${key}`];
    return undeclared(child, childSchema, `${path}.${key}`);
  });
}

const schema = toOpenApi(EnvironmentStatus) as OpenApiSchema;

describe.each(shippedClaims().map(({ source, claim }) => [source, claim] as const))("the status of %s", (_source, claim) => {
  it("declares every field the function writes, first render and settled", async () => {
    const first = RunFunctionResponse.toJSON(await render(claim)) as { desired?: { composite?: { resource?: { status?: unknown } } } };
    expect(undeclared(first.desired?.composite?.resource?.status, schema)).toEqual([]);
    const settled = await settle(claim);
    const status = (RunFunctionResponse.toJSON(settled.response) as typeof first).desired?.composite?.resource?.status;
    expect(status).toBeDefined();
    expect(undeclared(status, schema)).toEqual([]);
  });
});

test("the check finds a field the schema does not declare", () => {
  expect(undeclared({ recovery: { terms: [{ name: "x", seconds: 1, stepp: "detect" }] } }, schema)).toEqual([
    ".status.recovery.terms[0].stepp",
  ]);
});
