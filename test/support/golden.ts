/**
 * Golden cases: `test/cases/<case>/claim.yaml` (and optionally `observed.yaml`, a map of composed
 * resource name to observed manifest) rendered through the function; the desired resources are
 * compared block by block with `expected/<block>.yaml`, and the composite's status and results with
 * `expected/composite.yaml`. `description.txt` says in a sentence what the case proves; the runner
 * shows it in the test name. `UPDATE_GOLDEN=1` rewrites the expected files after a deliberate
 * change. How to add a case: test/cases/README.md.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { render, type Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { LABELS } from "../../functions/src/scope.js";

export const CASES_DIR = new URL("../cases", import.meta.url).pathname;

export interface RenderedCase {
  name: string;
  claim: Claim;
  resources: Record<string, { resource: Record<string, any>; ready?: string }>;
  composite: Record<string, unknown>;
  results: unknown[];
}

export function caseNames(): string[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** What a case proves, from its description.txt; a case without one is an error, not a silent gap. */
export function caseDescription(name: string): string {
  const path = join(CASES_DIR, name, "description.txt");
  if (!existsSync(path)) throw new Error(`test/cases/${name} has no description.txt: say in a sentence what the case proves`);
  const text = readFileSync(path, "utf8").trim();
  if (text === "") throw new Error(`test/cases/${name}/description.txt is empty`);
  return text;
}

export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, "utf8")) as T;
}

export async function renderCase(name: string): Promise<RenderedCase> {
  const dir = join(CASES_DIR, name);
  const claim = readYaml<Claim>(join(dir, "claim.yaml"));
  const observedPath = join(dir, "observed.yaml");
  const observed = existsSync(observedPath) ? readYaml<Record<string, ObservedResource>>(observedPath) : {};
  const rsp = RunFunctionResponse.toJSON(await render(claim, observed)) as any;
  return {
    name,
    claim,
    resources: rsp.desired?.resources ?? {},
    composite: rsp.desired?.composite?.resource ?? {},
    results: rsp.results ?? [],
  };
}

/** The rendered resources grouped by the block that composed them. */
export function byBlock(rendered: RenderedCase): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(rendered.resources)) {
    const block = r.resource.metadata?.labels?.[LABELS.block] ?? "unlabelled";
    (out[block] ??= {})[name] = r;
  }
  return out;
}

export function expectedFiles(rendered: RenderedCase): Record<string, unknown> {
  return {
    ...byBlock(rendered),
    composite: { status: (rendered.composite as any).status ?? {}, results: rendered.results },
  };
}

export function compareOrUpdate(rendered: RenderedCase): Array<{ file: string; actual: unknown; expected: unknown }> {
  const dir = join(CASES_DIR, rendered.name, "expected");
  const files = expectedFiles(rendered);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, `${file}.yaml`), stringify(content, { lineWidth: 0 }));
  }
  const onDisk = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => f.replace(/\.yaml$/, ""))
    : [];
  const all = [...new Set([...Object.keys(files), ...onDisk])].sort();
  return all.map((file) => ({
    file: `${rendered.name}/expected/${file}.yaml`,
    actual: files[file],
    expected: existsSync(join(dir, `${file}.yaml`)) ? readYaml(join(dir, `${file}.yaml`)) : undefined,
  }));
}
