/**
 * The provider's REAL CustomResourceDefinitions for the kinds the function can compose, read from
 * `../shared/provider-crds/<release>/` (or PROVIDER_CRDS_DIR), never copied into the project.
 * They are installed as shipped: every version, no conversion stanza, so the API server converts
 * between versions by rewriting apiVersion only (the package manager would add the webhook).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { withDefaults, type Schema as StructuralSchema } from "../support/structural-schema.js";

const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The provider release whose CRDs the e2e and the CLI's validate use: its storage versions are the ones emitted. */
export const PROVIDER_RELEASE = process.env.PROVIDER_RELEASE ?? "v2.6.0";
export const PROVIDER_CRDS_DIR = resolve(process.env.PROVIDER_CRDS_DIR ?? join(REPO_ROOT, "../shared/provider-crds"), PROVIDER_RELEASE);

type Schema = {
  type?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
};

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: Schema };
}

export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { group: string; names: { kind: string; plural: string }; scope: string; versions: CrdVersion[] };
}

export interface ComposedKind {
  group: string;
  version: string;
  kind: string;
}

/** group/version/kind of every provider model the function imports: every kind it can compose. */
export function composableKinds(): ComposedKind[] {
  const seen = new Map<string, ComposedKind>();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith(".ts") ? [join(dir, f)] : []));
  for (const file of walk(join(REPO_ROOT, "functions/src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(
      /@crossplane-models\/provider-upjet-aws\/([a-z0-9.-]+)\/(v[a-z0-9]+)\/([A-Za-z0-9]+)/g,
    )) {
      const [, group, version, kind] = m;
      seen.set(`${group}/${version}/${kind}`, { group, version, kind });
    }
  }
  return [...seen.values()].sort((a, b) => `${a.group}/${a.kind}/${a.version}`.localeCompare(`${b.group}/${b.kind}/${b.version}`));
}

/**
 * The released CRD of each composable kind, unchanged. Throws, naming the kind, when the release
 * has no CRD for it or does not serve the version the function emits; `deprecated` lists the
 * kinds whose emitted version the release marks deprecated.
 */
export function providerCrds(dir = PROVIDER_CRDS_DIR): { crds: Crd[]; files: string[]; deprecated: string[] } {
  if (!existsSync(dir)) throw new Error(`${dir} is missing: the real provider CRDs are needed (see ../shared/provider-crds/README.md)`);
  const kinds = composableKinds();
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  const byKind = new Map<string, { crd: Crd; file: string }>();
  // Files are named <group>_<plural>.yaml: only the groups composed are parsed.
  for (const group of new Set(kinds.map((k) => k.group))) {
    for (const f of files.filter((name) => name.startsWith(`${group}_`))) {
      const crd = parseYaml(readFileSync(join(dir, f), "utf8")) as Crd;
      byKind.set(`${crd.spec.group}/${crd.spec.names.kind}`, { crd, file: join(dir, f) });
    }
  }
  const used = new Map<string, { crd: Crd; file: string }>();
  const deprecated: string[] = [];
  for (const { group, version, kind } of kinds) {
    const found = byKind.get(`${group}/${kind}`);
    if (!found) throw new Error(`${group}/${kind}: provider ${PROVIDER_RELEASE} has no CRD for this kind (in ${dir})`);
    const { crd } = found;
    const served = crd.spec.versions.find((v) => v.name === version);
    if (!served?.served)
      throw new Error(
        `${group}/${kind}: the function emits ${version}, provider ${PROVIDER_RELEASE} serves ${crd.spec.versions
          .filter((v) => v.served)
          .map((v) => v.name)
          .join(", ")}`,
      );
    if (served.deprecated) deprecated.push(`${group}/${version}/${kind}`);
    used.set(crd.metadata.name, found);
  }
  return { crds: [...used.values()].map((u) => u.crd), files: [...used.values()].map((u) => u.file), deprecated };
}

/**
 * `object` with the defaults the API server fills in from the CRD's schema for its version
 * (structural defaulting: absent properties of present objects, recursively), so a stored
 * object can be compared with what was sent field by field.
 */
export function withSchemaDefaults<T>(object: T, crd: Crd, version: string): T {
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  return schema ? withDefaults(object, schema as StructuralSchema) : object;
}
