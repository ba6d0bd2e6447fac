/**
 * Reads the render inputs from disk. Every failure says which file and, for YAML, where in it:
 * a person fixing a claim should not have to guess.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { RESOURCE_NAME_ANNOTATION, type K8sObject } from "./output.js";
import { BadInputError } from "../cli/exit.js";

/** A problem with an input file; the CLI prints the message and exits 2 (bad input). */
export class InputError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, expected a file"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    throw new InputError(`cannot read ${what} ${path}: ${why}`);
  }
}

/** Every non-empty YAML document in a file, or an InputError naming file, line and column. */
export function readYamlDocuments(path: string, what: string): K8sObject[] {
  const docs = parseAllDocuments(readText(path, what), { prettyErrors: true });
  const out: K8sObject[] = [];
  for (const [index, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      const where = at ? `${path}:${at.line}:${at.col}` : path;
      throw new InputError(`cannot parse ${what} ${where}: ${error.message.split("\n")[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new InputError(
        `${what} ${path}, document ${index + 1}: expected a Kubernetes object (a mapping), got ${Array.isArray(value) ? "a list" : typeof value}`,
      );
    }
    out.push(value as K8sObject);
  }
  return out;
}

/** The one object in a claim (or composite) file. */
export function readClaim(path: string): K8sObject {
  const docs = readYamlDocuments(path, "claim");
  if (docs.length !== 1) throw new InputError(`claim ${path}: expected exactly one YAML document, found ${docs.length}`);
  return docs[0]!;
}

const YAML_EXTENSIONS = new Set([".yaml", ".yml"]);

/**
 * Observed composed resources from a YAML file or a directory of them, keyed by the
 * composition-resource-name annotation (as `crossplane render --observed-resources` reads them).
 */
export function readObserved(path: string): Record<string, K8sObject> {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => YAML_EXTENSIONS.has(extname(f)))
          .sort()
          .map((f) => join(path, f))
      : [path];
  } catch {
    throw new InputError(`cannot read observed resources ${path}: no such file or directory`);
  }
  const observed: Record<string, K8sObject> = {};
  for (const file of files) {
    for (const [index, doc] of readYamlDocuments(file, "observed resources").entries()) {
      const name = doc.metadata?.annotations?.[RESOURCE_NAME_ANNOTATION];
      if (!name)
        throw new InputError(
          `observed resources ${file}, document ${index + 1} (${doc.kind ?? "no kind"}): metadata.annotations["${RESOURCE_NAME_ANNOTATION}"] is required`,
        );
      if (name in observed) throw new InputError(`observed resources ${file}: ${name} appears more than once`);
      observed[name] = doc;
    }
  }
  return observed;
}
