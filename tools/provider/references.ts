/**
 * Every reference of a composed environment, judged the way provider-upjet-aws resolves it: a
 * `<stem>Selector` lists the ONE kind the provider's resolver names for that field (in
 * `src/provider-references.json`, derived from the provider's CRDs and resolvers), filtered by
 * labels and controller; a `<stem>Ref(s)` names objects of that kind. A reference that matches no
 * sibling of that kind never resolves, and the resource that holds it is never created.
 *
 * Covers every kind in the table, cluster-scoped and namespaced: a new selector is checked as
 * soon as a block composes it.
 */
import { readFileSync } from "node:fs";
import type { Manifest, Resources } from "../policy/resources.js";
import type { ReferenceFact, ReferenceTable } from "./reference-table.js";

export const referenceTable = (): ReferenceTable =>
  JSON.parse(readFileSync(new URL("../../src/provider-references.json", import.meta.url), "utf8")) as ReferenceTable;

const SUFFIX = /^(\w+?)(Selector|Refs|Ref)$/;

export interface Reference {
  /** Composed resource name that holds the reference. */
  resource: string;
  /** JSON path of the reference field, e.g. `spec.forProvider.alarmActionsSelector`. */
  path: string;
  /** Stem path relative to forProvider / initProvider, the table's key. */
  stem: string;
  style: "Selector" | "Ref" | "Refs";
  value: unknown;
}

const kindOf = (r: Manifest) => `${r.apiVersion?.split("/")[0]}/${r.kind}`;

const isReferenceValue = (style: string, value: unknown): boolean => {
  if (style === "Refs") return Array.isArray(value) && value.every((v) => typeof (v as { name?: unknown })?.name === "string");
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  // A `*SecretRef` names a Secret key, not a managed resource.
  if (style === "Ref") return typeof (value as { name?: unknown }).name === "string" && !("key" in value);
  return "matchLabels" in value || "matchControllerRef" in value;
};

/** Reference fields in a parameter block; list items keep their index in the path, not in the stem. */
function* referencesIn(value: unknown, path: string, stem: string[]): Generator<Omit<Reference, "resource">> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* referencesIn(value[i], `${path}[${i}]`, stem);
    return;
  }
  if (!value || typeof value !== "object") return;
  for (const [name, child] of Object.entries(value)) {
    const suffix = SUFFIX.exec(name);
    if (suffix && isReferenceValue(suffix[2], child))
      yield { path: `${path}.${name}`, stem: [...stem, suffix[1]].join("."), style: suffix[2] as Reference["style"], value: child };
    else yield* referencesIn(child, `${path}.${name}`, [...stem, name]);
  }
}

/** Every reference field of every composed resource. */
export function referencesOf(resources: Resources): Reference[] {
  return Object.entries(resources).flatMap(([resource, r]) =>
    (["forProvider", "initProvider"] as const).flatMap((block) =>
      [...referencesIn(r.spec?.[block], `spec.${block}`, [])].map((ref) => ({ resource, ...ref })),
    ),
  );
}

/** Siblings whose labels include every label the selector matches. */
function selected(selector: { matchLabels?: Record<string, string> }, resources: Resources): Array<[string, Manifest]> {
  const labels = Object.entries(selector.matchLabels ?? {});
  return Object.entries(resources).filter(([, r]) => labels.every(([k, v]) => r.metadata?.labels?.[k] === v));
}

const describeAll = (found: Array<[string, Manifest]>) => found.map(([name, r]) => `${name} (${kindOf(r)})`).join(", ") || "nothing";

function judge(ref: Reference, fact: ReferenceFact, resources: Resources): string[] {
  const where = `${ref.resource}: ${ref.path}`;
  const problems: string[] = [];
  let matched: Array<[string, Manifest]>;
  if (ref.style === "Selector") {
    const selector = ref.value as { matchControllerRef?: boolean; matchLabels?: Record<string, string> };
    // Without the controller filter a selector lists every object of the kind in the cluster: another tenant's too.
    if (selector.matchControllerRef !== true)
      problems.push(`${where} does not set matchControllerRef: it may select another composite's resources`);
    if (Object.keys(selector.matchLabels ?? {}).length === 0) problems.push(`${where} matches no labels: it selects any ${fact.target}`);
    matched = selected(selector, resources);
  } else {
    const names = (ref.style === "Refs" ? (ref.value as Array<{ name: string }>) : [ref.value as { name: string }]).map((v) => v.name);
    matched = Object.entries(resources).filter(([, r]) => r.metadata?.name !== undefined && names.includes(r.metadata.name));
    if (matched.length < names.length)
      problems.push(`${where} names ${names.join(", ")}, but only ${describeAll(matched)} is composed under those names`);
  }
  const ofTarget = matched.filter(([, r]) => kindOf(r) === fact.target);
  const others = matched.filter(([, r]) => kindOf(r) !== fact.target);
  if (ofTarget.length === 0)
    problems.push(
      `${where} resolves against ${fact.target} (the provider's resolver for ${ref.stem}), but matches ${describeAll(matched)}`,
    );
  else if (others.length > 0) problems.push(`${where} also matches ${describeAll(others)}, which is not a ${fact.target}`);
  if (ref.style === "Selector" && !fact.many && ofTarget.length > 1)
    problems.push(`${where} fills a single value but matches ${ofTarget.length} ${fact.target}: ${describeAll(ofTarget)}`);
  if (!fact.from || fact.from.startsWith("missing") || fact.from.startsWith("unknown"))
    problems.push(`${where}: the provider reads ${fact.from ?? "an unknown value"} of ${fact.target}, which it never observes`);
  return problems;
}

/** What keeps each reference of `resources` from resolving as the provider resolves it; empty when every one resolves. */
export function referenceProblems(resources: Resources, table: ReferenceTable = referenceTable()): string[] {
  return referencesOf(resources).flatMap((ref) => {
    const kind = kindOf(resources[ref.resource]);
    const fact = table[kind]?.[ref.stem];
    if (!fact) return [`${ref.resource}: ${ref.path}: ${kind} has no reference field ${ref.stem} in the provider's CRDs`];
    return judge(ref, fact, resources);
  });
}
