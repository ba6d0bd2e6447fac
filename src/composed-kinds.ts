/**
 * The provider kinds the function can compose, derived from the building blocks' models by
 * `npm run generate:kinds` (tools/kinds/generate.ts) into composed-kinds.generated.json; a test
 * fails when the blocks and the file drift apart.
 */
import { readFileSync } from "node:fs";

export interface ComposedKind {
  group: string;
  kind: string;
  namespacedGroup: string;
  plural: string;
}

export const COMPOSED_KINDS = JSON.parse(
  readFileSync(new URL("./composed-kinds.generated.json", import.meta.url), "utf8"),
) as ComposedKind[];

/**
 * ManagedResourceDefinition names (`<plural>.<group>`) for the activation policy: each kind in both
 * scopes, since the claim flavor composes the cluster-scoped kinds and the v2-native one their
 * namespaced twins. The provider names a kind's two CRDs with the same plural.
 */
export function activatedResources(): string[] {
  return COMPOSED_KINDS.flatMap((k) => [`${k.plural}.${k.group}`, `${k.plural}.${k.namespacedGroup}`]);
}
