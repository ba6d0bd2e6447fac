/**
 * STAND-IN provider CRDs. The provider's Go module (and with it its package/crds) cannot be
 * fetched on this machine, and no npm or PyPI package ships those CRDs. So the e2e installs one
 * minimal CRD per kind the function can compose: the group, kind, cluster scope and the version
 * the pinned provider serves and stores (src/provider-storage-versions.json), with a schema that
 * keeps every field (x-kubernetes-preserve-unknown-fields).
 *
 * This proves the wiring (Crossplane applies what the function sends, at the right group and
 * version) and NOT the schemas: schema validity of every composed resource is covered by the
 * model validation tests (test/function/kinds.test.ts).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./controlplane.js";
import { AT_CURRENT_STORAGE } from "../../src/provider.js";

export const STAND_IN_LABEL = "e2e.dr.platform.io/stand-in";

/** group/Kind pairs the function imports a model for: every kind it can compose. */
export function composableKinds(): Array<{ group: string; version: string; kind: string }> {
  const versions = JSON.parse(readFileSync(join(REPO_ROOT, "src/provider-storage-versions.json"), "utf8")) as Record<string, string>;
  const seen = new Map<string, { group: string; version: string; kind: string }>();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith(".ts") ? [join(dir, f)] : []));
  for (const file of walk(join(REPO_ROOT, "functions/src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(
      /@crossplane-models\/provider-upjet-aws\/([a-z0-9.-]+)\/(v[a-z0-9]+)\/([A-Za-z0-9]+)/g,
    )) {
      const [, group, version, kind] = m;
      const stored = AT_CURRENT_STORAGE[`${group}/${kind}`] ?? versions[`${group}/${kind}`];
      if (stored !== version)
        throw new Error(`${group}/${kind}: function imports ${version}, the pinned provider stores ${stored ?? "no such kind"}`);
      seen.set(`${group}/${kind}`, { group, version, kind });
    }
  }
  return [...seen.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
}

export function pluralOf(kind: string): string {
  // upjet's plurals: lowercase kind, "y" -> "ies" after a consonant, "s"/"x"/"ch"/"sh" -> "es".
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

export function standInCrds(): Array<Record<string, unknown>> {
  return composableKinds().map(({ group, version, kind }) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${pluralOf(kind)}.${group}`, labels: { [STAND_IN_LABEL]: "true" } },
    spec: {
      group,
      scope: "Cluster",
      names: {
        kind,
        listKind: `${kind}List`,
        plural: pluralOf(kind),
        singular: kind.toLowerCase(),
        categories: ["crossplane", "managed", "aws"],
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  }));
}
