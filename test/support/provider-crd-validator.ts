/**
 * Judges one composed resource by a provider release's REAL CustomResourceDefinition, read from
 * `../shared/provider-crds/<release>/` (or `$PROVIDER_CRDS_DIR/<release>/`), as the API server
 * would on create: the CRD of its group and kind (cluster-scoped or `.m.` namespaced), the version
 * its apiVersion names (served? deprecated?), every field the structural schema would prune, then
 * on the pruned object with the schema's defaults filled in: the OpenAPI keywords, list-type
 * uniqueness, and every CEL rule (evaluated after defaulting, so `managementPolicies: ["*"]`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { parse } from "yaml";
import { celErrors, compileSchema, errorsOf, listTypeErrors, pruned, prunedPaths, withDefaults, type Schema } from "./structural-schema.js";

const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const PROVIDER_CRDS_ROOT = resolve(process.env.PROVIDER_CRDS_DIR ?? join(REPO_ROOT, "../shared/provider-crds"));

/** Whether the real CRDs are at hand; without them the default tests rely on the generated facts. */
export const providerCrdsPresent = (root = PROVIDER_CRDS_ROOT): boolean => existsSync(root);

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Schema };
}

export interface Crd {
  spec: { group: string; names: { kind: string; plural: string }; scope: string; versions: CrdVersion[] };
}

export interface ComposedResource {
  apiVersion: string;
  kind: string;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

const crdCache = new Map<string, Crd | null>();

/** The CRD of `group`/`kind` in a release folder; files are `<group>_<plural>.yaml`, so only the group's are read. */
export function findCrd(release: string, group: string, kind: string, root = PROVIDER_CRDS_ROOT): Crd | undefined {
  const key = `${root}/${release}/${group}/${kind}`;
  if (!crdCache.has(key)) {
    const dir = join(root, release);
    if (!existsSync(dir)) throw new Error(`${dir} is missing: the real provider CRDs are needed (see ../shared/provider-crds/README.md)`);
    const listKind = new RegExp(`^\\s+listKind: ${kind}List$`, "m");
    const file = readdirSync(dir)
      .filter((f) => f.startsWith(`${group}_`) && f.endsWith(".yaml"))
      .map((f) => join(dir, f))
      .find((f) => listKind.test(readFileSync(f, "utf8")));
    const crd = file ? (parse(readFileSync(file, "utf8")) as Crd) : undefined;
    crdCache.set(key, crd && crd.spec.group === group && crd.spec.names.kind === kind ? crd : null);
  }
  return crdCache.get(key) ?? undefined;
}

const validatorCache = new Map<string, ValidateFunction>();

function schemaValidator(cacheKey: string, schema: Schema): ValidateFunction {
  let check = validatorCache.get(cacheKey);
  if (!check) validatorCache.set(cacheKey, (check = compileSchema(schema)));
  return check;
}

/**
 * What keeps `resource` from being stored as sent by the API server of provider `release`, one
 * line each, prefixed `<release> <apiVersion> <Kind>:`. Empty when the API server would accept it
 * and keep every field. Throws when the release folder is missing.
 */
export function validateAgainstCrd(resource: ComposedResource, release: string, root = PROVIDER_CRDS_ROOT): string[] {
  const [group, version] = resource.apiVersion.split("/");
  const where = `${release} ${resource.apiVersion} ${resource.kind}`;
  const crd = findCrd(release, group, resource.kind, root);
  if (!crd) return [`${where}: provider ${release} has no CRD for ${group}/${resource.kind}`];
  const served = crd.spec.versions.find((v) => v.name === version);
  const servedNames = crd.spec.versions.filter((v) => v.served).map((v) => v.name);
  if (!served?.served) return [`${where}: ${version} is not served by provider ${release} (it serves ${servedNames.join(", ")})`];
  const problems: string[] = [];
  if (served.deprecated)
    problems.push(
      `${where}: ${version} is deprecated by provider ${release}${served.deprecationWarning ? ` (${served.deprecationWarning})` : ""}`,
    );
  const schema = served.schema?.openAPIV3Schema;
  if (!schema) return [...problems, `${where}: ${version} has no schema`];

  // The root's apiVersion, kind and metadata are the API server's own (ObjectMeta), not the schema's.
  const { apiVersion, kind, metadata, ...body } = resource;
  const bodySchema = {
    ...schema,
    properties: Object.fromEntries(
      Object.entries(schema.properties as Record<string, Schema>).filter(([k]) => !["apiVersion", "kind", "metadata"].includes(k)),
    ),
  };
  for (const path of prunedPaths(body, bodySchema, ""))
    problems.push(`${where}: ${path.slice(1)}: not in the schema, the API server would prune it`);

  const stored = { apiVersion, kind, ...(metadata ? { metadata } : {}), ...withDefaults(pruned(body, bodySchema), bodySchema) };
  const check = schemaValidator(`${root}/${release}/${group}/${version}/${resource.kind}`, schema);
  if (!check(stored)) for (const e of errorsOf(check, "")) problems.push(`${where}: ${e.replace(/^\./, "")}`);
  for (const e of listTypeErrors(stored, schema, "")) problems.push(`${where}: ${e.replace(/^\./, "")}`);
  for (const e of celErrors(stored, undefined, schema, "")) problems.push(`${where}: ${e.replace(/^\./, "")} (CEL rule)`);
  return problems;
}
