/**
 * Derives `src/provider-references.json`: for every `*Selector` / `*Ref` / `*Refs` field of every
 * provider-upjet-aws kind, the kind the provider resolves it against and where it reads the value
 * from the target. The target kind is read from the CRDs (each field's description names it:
 * "Selector for a list of Policy in autoscaling to populate alarmActions."), across every release
 * folder given; the extractor (external name, `status.atProvider.arn`, ...) is read from the
 * provider's generated resolvers when a source checkout is given, and kept from the committed
 * table otherwise, so the table can be re-derived and compared wherever only the CRDs are at hand.
 *
 *   tsx tools/provider/reference-table.ts [--crds ../shared/provider-crds] [--source <provider git dir>] [--check]
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";

export const TABLE_PATH = new URL("../../src/provider-references.json", import.meta.url).pathname;
export const DEFAULT_CRDS = new URL("../../../shared/provider-crds", import.meta.url).pathname;

/**
 * One reference, keyed by the path of its stem relative to `forProvider` / `initProvider`: the
 * stem `alarmActions` has the fields `alarmActionsSelector` and `alarmActionsRefs`.
 */
export interface ReferenceFact {
  /** `group/Kind` the provider lists to resolve it, e.g. `sns.aws.upbound.io/Topic`. */
  target: string;
  /** Present when the parameter is a list (`*Refs` and `Selector for a list of ...`): a selector may match several. */
  many?: true;
  /** The parameter it fills when not the stem (`targetArnRefs` fills `targetArns`). */
  populates?: string;
  /** Where the value comes from in the target: `externalName` or a path such as `status.atProvider.arn`. */
  from?: string;
}

/** `group/Kind` -> stem path (`vpcConfig.subnetIds`, list items not shown) -> fact. */
export type ReferenceTable = Record<string, Record<string, ReferenceFact>>;

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; served: boolean; schema?: { openAPIV3Schema?: Schema } }>;
  };
}
interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}

const DESCRIPTION = /^(?:Selector for|References? to) (a list of |a )?(\w+)(?: in (\w+))? to populate (\w+)\.?$/;
const SUFFIX = /^(\w+?)(Selector|Refs|Ref)$/;

export function releaseFolders(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^v\d+\.\d+\.\d+$/.test(d.name))
    .map((d) => d.name)
    .sort();
}

/** The parameter object of a version's schema, forProvider or initProvider. */
const parameters = (schema: Schema | undefined, block: "forProvider" | "initProvider") => schema?.properties?.spec?.properties?.[block];

/** Reference fields under `schema`, as [parameter path, fact without extractor]. */
function* referenceFields(schema: Schema, group: string, where: string, path: string[] = []): Generator<[string, ReferenceFact]> {
  const node = schema.type === "array" && schema.items ? schema.items : schema;
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const suffix = SUFFIX.exec(name);
    const description = (child.description ?? "").replace(/\s+/g, " ").trim();
    const match = suffix ? DESCRIPTION.exec(description) : null;
    if (suffix && match) {
      const [, list, kind, service, populates] = match;
      // Without "in <service>" the target is in the referring kind's own group.
      const targetGroup = !service ? group : group.includes(".aws.m.") ? `${service}.aws.m.upbound.io` : `${service}.aws.upbound.io`;
      const fact: ReferenceFact = {
        target: `${targetGroup}/${kind}`,
        ...(list === "a list of " || suffix[2] === "Refs" ? { many: true as const } : {}),
      };
      if (populates !== suffix[1]) fact.populates = populates;
      yield [[...path, suffix[1]].join("."), fact];
      continue;
    }
    const shape = child.items?.properties ?? child.properties ?? {};
    const isReference = "policy" in shape && ("name" in shape || "matchLabels" in shape) && !("key" in shape);
    if (suffix && isReference)
      throw new Error(`${where}: reference field ${name} has a description the table cannot read: "${description}"`);
    if (child.properties || child.items) yield* referenceFields(child, group, where, [...path, name]);
  }
}

/** `group/Kind` -> the `status.atProvider` fields some served version of it lists. */
export type StatusFields = Record<string, Set<string>>;

/** Every reference field of every kind in one release folder of CRDs, and every kind's observed fields. */
export function tableFromCrds(folder: string, status: StatusFields = {}): ReferenceTable {
  const table: ReferenceTable = {};
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".yaml"))) {
    const crd = parse(readFileSync(join(folder, file), "utf8")) as Crd;
    const key = `${crd.spec.group}/${crd.spec.names.kind}`;
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const observed = version.schema?.openAPIV3Schema?.properties?.status?.properties?.atProvider?.properties ?? {};
      for (const field of Object.keys(observed)) (status[key] ??= new Set()).add(field);
      for (const block of ["forProvider", "initProvider"] as const) {
        const schema = parameters(version.schema?.openAPIV3Schema, block);
        if (!schema) continue;
        for (const [path, fact] of referenceFields(schema, crd.spec.group, `${file} ${version.name} ${block}`)) {
          const known = table[key]?.[path];
          if (known && (known.target !== fact.target || known.many !== fact.many))
            throw new Error(`${key} ${path}: ${version.name} resolves ${fact.target}, another version ${known.target}`);
          (table[key] ??= {})[path] = fact;
        }
      }
    }
  }
  return table;
}

/** Extractor expression in a generated resolver -> where the value comes from in the target. */
export function extractorLocation(expression: string): string {
  if (/^(reference\.ExternalName|resource\.ExtractResourceID)\(\)$/.test(expression)) return "externalName";
  if (/^common\d*\.ARNExtractor\(\)$/.test(expression)) return "status.atProvider.arn";
  if (/^common\d*\.TerraformID\(\)$/.test(expression)) return "status.atProvider.id";
  const param = /^resource\.ExtractParamPath\("(\w+)", (true|false)\)$/.exec(expression);
  // Upjet observes every parameter too, so a parameter path is also in status.atProvider.
  if (param) return `status.atProvider.${param[1].replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())}`;
  return `unknown extractor ${expression}`;
}

const RESOLVER_BLOCK =
  /GetManagedResource\("([^"]+)", "[^"]+", "(\w+)", "\w+"\)[\s\S]*?Extract:\s+([^\n]+?),\n[\s\S]*?Selector:\s+mg\.Spec\.(ForProvider|InitProvider)\.([\w.[\]]+)Selector,/g;
const RESOLVER_KIND = /^func \(mg \*(\w+)\) ResolveReferences\(/gm;

/**
 * Extractors from the provider's generated resolvers at `tag`: `group/Kind` -> lowercased
 * parameter path -> location. Go field names lowercased match the JSON names lowercased.
 */
export function extractorsFromSource(gitDir: string, tag: string): Record<string, Record<string, { target: string; from: string }>> {
  const git = (...args: string[]) => execFileSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  const out: Record<string, Record<string, { target: string; from: string }>> = {};
  for (const file of git("ls-tree", "-r", "--name-only", tag, "apis").split("\n")) {
    const m = /^apis\/(cluster|namespaced)\/(\w+)\/\w+\/zz_generated\.resolvers\.go$/.exec(file);
    if (!m) continue;
    const group = m[1] === "cluster" ? `${m[2]}.aws.upbound.io` : `${m[2]}.aws.m.upbound.io`;
    const text = git("show", `${tag}:${file}`);
    const starts = [...text.matchAll(RESOLVER_KIND)].map((k) => ({ kind: k[1], at: k.index }));
    starts.forEach(({ kind, at }, i) => {
      const body = text.slice(at, starts[i + 1]?.at ?? text.length);
      for (const [, targetGroup, targetKind, extract, , path] of body.matchAll(RESOLVER_BLOCK)) {
        const param = path.replace(/\[\w+\]/g, "").toLowerCase();
        (out[`${group}/${kind}`] ??= {})[param] = { target: `${targetGroup}/${targetKind}`, from: extractorLocation(extract) };
      }
    });
  }
  return out;
}

const sortKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The table of every release folder under `crdRoot` (they must agree on each field's target),
 * with extractors from `source` (`{gitDir, tags}`) or else from `previous`.
 */
export function deriveTable(crdRoot: string, previous: ReferenceTable = {}, source?: { gitDir: string; tags: string[] }): ReferenceTable {
  const table: ReferenceTable = {};
  const status: StatusFields = {};
  for (const release of releaseFolders(crdRoot)) {
    for (const [kind, fields] of Object.entries(tableFromCrds(join(crdRoot, release), status))) {
      for (const [path, fact] of Object.entries(fields)) {
        const known = table[kind]?.[path];
        if (known && known.target !== fact.target)
          throw new Error(`${kind} ${path}: ${release} resolves ${fact.target}, another release ${known.target}`);
        (table[kind] ??= {})[path] = fact;
      }
    }
  }
  const extractors = source?.tags.map((tag) => extractorsFromSource(source.gitDir, tag));
  for (const [kind, fields] of Object.entries(table)) {
    for (const [path, fact] of Object.entries(fields)) {
      const found = extractors?.map((e) => e[kind]?.[path.toLowerCase()]).filter((e) => e !== undefined) ?? [];
      for (const e of found)
        if (e.target !== fact.target) throw new Error(`${kind} ${path}: the CRD names ${fact.target}, the resolver lists ${e.target}`);
      const from = found.length > 0 ? [...new Set(found.map((e) => e.from))].join(" | ") : previous[kind]?.[path]?.from;
      // A value read from a status field the target's CRDs do not list is never there to resolve.
      const field = /^status\.atProvider\.(\w+)$/.exec(from ?? "")?.[1];
      if (from) fact.from = field && status[fact.target] && !status[fact.target].has(field) ? `missing ${from}` : from;
    }
    table[kind] = sortKeys(fields);
  }
  return sortKeys(table);
}

/** One line per kind: small enough to commit, and a diff names the kinds that changed. */
export const tableText = (table: ReferenceTable) =>
  `{\n${Object.entries(table)
    .map(([kind, fields]) => ` ${JSON.stringify(kind)}: ${JSON.stringify(fields)}`)
    .join(",\n")}\n}\n`;

function main(argv: string[]): void {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const crdRoot = option("--crds") ?? DEFAULT_CRDS;
  const gitDir = option("--source");
  const previous = existsSync(TABLE_PATH) ? (JSON.parse(readFileSync(TABLE_PATH, "utf8")) as ReferenceTable) : {};
  const tags = releaseFolders(crdRoot);
  const text = tableText(deriveTable(crdRoot, previous, gitDir ? { gitDir, tags } : undefined));
  if (argv.includes("--check")) {
    if (text !== readFileSync(TABLE_PATH, "utf8")) throw new Error(`${TABLE_PATH} differs from the table derived from ${crdRoot}`);
    return;
  }
  writeFileSync(TABLE_PATH, text);
  console.log(`wrote ${TABLE_PATH} from ${tags.join(", ")}${gitDir ? ` and the resolvers at ${tags.join(", ")}` : ""}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
