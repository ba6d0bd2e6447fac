/**
 * The layers depend one way: the claim API and domain rules (src/) at the bottom, the composition
 * function and the Lambda handlers above them, the Composition and the cdk8s charts beside the
 * function, and the tools (render, policy, drctl, docs) on top. A relative import that runs
 * against that direction, or a cycle between modules, fails here with the file and the import.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Each layer and the layers its modules may import from (itself included). */
const LAYERS: Record<string, string[]> = {
  src: ["src"],
  "functions/lambda": ["functions/lambda"],
  "functions/src": ["functions/src", "functions/lambda", "src"],
  compositions: ["compositions", "src"],
  charts: ["charts", "compositions", "src"],
  tools: ["tools", "charts", "compositions", "functions/src", "src"],
};

const layerOf = (file: string): string | undefined =>
  Object.keys(LAYERS)
    .filter((layer) => file === layer || file.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

/** Relative imports of a module, as repository paths of the modules they name. */
export function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map(([, spec]) => relative(ROOT, resolve(ROOT, dirname(file), spec!)).replace(/\.js$/, ".ts"));
}

const files = Object.keys(LAYERS).flatMap(sources);
const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(join(ROOT, file), "utf8"))]));

describe("layering", () => {
  it("finds the modules of every layer", () => {
    for (const layer of Object.keys(LAYERS)) expect(files.some((f) => layerOf(f) === layer)).toBe(true);
  });

  it("has no import that runs up the layers", () => {
    const violations = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => {
          const to = layerOf(target);
          return to !== undefined && !LAYERS[layerOf(file)!]!.includes(to);
        })
        .map((target) => `${file} (${layerOf(file)}) imports ${target} (${layerOf(target)})`),
    );
    expect(violations).toEqual([]);
  });

  it("has no import cycle between modules, type-only imports included", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("tells an upward import and a cycle apart from a clean graph", () => {
    // The checks above would pass vacuously if the parser found no imports.
    expect(importsOf("functions/src/compose.ts", 'import type { Block } from "./block.js";')).toEqual(["functions/src/block.ts"]);
    expect(importsOf("src/naming.ts", 'import { x } from "../tools/policy/index.js";')).toEqual(["tools/policy/index.ts"]);
    expect(layerOf("tools/policy/index.ts")).toBe("tools");
    expect(LAYERS[layerOf("src/naming.ts")!]).not.toContain("tools");
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });
});
