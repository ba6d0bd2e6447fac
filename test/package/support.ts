/** Synthesizes the app once per test file into a temporary directory and reads it back. */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { synth } from "../../charts/main.js";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface SynthesizedFile {
  /** Relative to the output directory, e.g. `package/xrd.yaml`. */
  path: string;
  text: string;
  objects: Manifest[];
}

export function synthInto(prefix = "dr-synth-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  synth(dir);
  return dir;
}

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

export function readOutput(dir: string): SynthesizedFile[] {
  return listFiles(dir).map((path) => {
    const text = readFileSync(join(dir, path), "utf8");
    const objects = parseAllDocuments(text).map((d) => d.toJS() as Manifest);
    return { path, text, objects };
  });
}

let cached: { dir: string; files: SynthesizedFile[] } | undefined;
export function synthesized(): { dir: string; files: SynthesizedFile[] } {
  if (!cached) {
    const dir = synthInto();
    cached = { dir, files: readOutput(dir) };
  }
  return cached;
}

export function file(path: string): SynthesizedFile {
  const found = synthesized().files.find((f) => f.path === path);
  if (!found) throw new Error(`synth wrote no ${path}`);
  return found;
}

export function only(path: string): Manifest {
  const { objects } = file(path);
  if (objects.length !== 1) throw new Error(`${path} holds ${objects.length} objects, expected one`);
  return objects[0];
}

export const allObjects = (): Array<Manifest & { file: string }> =>
  synthesized().files.flatMap((f) => f.objects.map((o) => ({ ...o, file: f.path })));
