/**
 * Compares two `crossplane render` output streams object by object, so the report says which
 * resource and which field differ. No normalisation is applied: both sides are parsed YAML, so
 * only key order and YAML styling (quotes, block vs flow) are ignored.
 */
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments } from "yaml";

type Obj = Record<string, any>;

const RESOURCE_NAME = "crossplane.io/composition-resource-name";

export function documents(stream: string, origin: string): Obj[] {
  return parseAllDocuments(stream)
    .map((d, i) => {
      if (d.errors.length > 0) throw new Error(`${origin}: document ${i + 1} does not parse: ${d.errors[0]!.message}`);
      return d.toJS() as Obj;
    })
    .filter((d) => d !== null);
}

const identity = (o: Obj) =>
  o.kind === "Result" ? `Result ${o.severity}: ${o.message}` : `${o.kind} ${o.metadata?.annotations?.[RESOURCE_NAME] ?? o.metadata?.name}`;

/** Paths where two values differ, for a readable report. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Obj)[k], (b as Obj)[k], `${path}.${k}`));
  }
  return [`${path || "."}: crossplane ${JSON.stringify(a)} vs ours ${JSON.stringify(b)}`];
}

/** Compares the two streams document by document; results are compared as a multiset of messages. */
export function compare(name: string, theirs: Obj[], ours: Obj[]): string[] {
  const problems: string[] = [];
  const split = (docs: Obj[]) => ({ objects: docs.filter((d) => d.kind !== "Result"), results: docs.filter((d) => d.kind === "Result") });
  const t = split(theirs);
  const o = split(ours);
  if (t.objects.length !== o.objects.length)
    problems.push(`${name}: crossplane rendered ${t.objects.length} objects, ours ${o.objects.length}`);
  for (let i = 0; i < Math.max(t.objects.length, o.objects.length); i++) {
    const a = t.objects[i];
    const b = o.objects[i];
    if (!a || !b || identity(a) !== identity(b)) {
      problems.push(
        `${name}: document ${i + 1} is ${a ? identity(a) : "missing"} in crossplane's output, ${b ? identity(b) : "missing"} in ours`,
      );
      continue;
    }
    for (const d of differences(a, b)) problems.push(`${name}: ${identity(a)} ${d}`);
  }
  // Crossplane prints one event per unready resource in map order, which varies run to run:
  // results are compared as a multiset.
  const sorted = (results: Obj[]) => results.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  const sameResults = isDeepStrictEqual(sorted(t.results), sorted(o.results));
  if (!sameResults) problems.push(`${name}: results differ (${t.results.length} from crossplane, ${o.results.length} ours)`);
  return problems;
}
