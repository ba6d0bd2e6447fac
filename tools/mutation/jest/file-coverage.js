/**
 * Which test files execute each mutant, recorded during Stryker's dry run (a jest
 * setupFilesAfterEnv file of jest.mutation.config.js). Stryker's perTest coverage names the tests
 * that reach a mutant but runs every related test file to find them, and a mutant reached while a
 * module loads or a `beforeAll` settles is "static": every test of every related file runs. This
 * records, per test file, the mutants its modules reach as they load, the mutants its hooks and
 * tests reach, and how long the file took, so that ./sequencer.js runs a mutant only against the
 * files that can observe it, those that exercise it first.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FILE_COVERAGE } from "./file-coverage-table.js";

/** Stryker's instrumenter context; absent outside Stryker. */
const context = globalThis[globalThis.__strykerGlobalNamespace__ ?? "__stryker__"];

/**
 * Adds what child processes reached and reported as they exited (./child-coverage.mjs) to the static
 * coverage Stryker reads after the dry run, so that the suite that started them is run against
 * those mutants.
 */
function absorbChildCoverage() {
  const dir = process.env.MUTATION_CHILD_COVERAGE;
  if (!dir) return;
  context.mutantCoverage ??= { static: {}, perTest: {} };
  const covered = context.mutantCoverage.static;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    for (const [id, count] of Object.entries(JSON.parse(readFileSync(path, "utf8")))) covered[id] = (covered[id] ?? 0) + count;
    rmSync(path);
  }
}

/** Every mutant id reached so far in this jest run, with how often (static and per test together). */
function reachedCounts() {
  const counts = new Map();
  const add = (ids) => {
    for (const [id, count] of Object.entries(ids ?? {})) counts.set(id, (counts.get(id) ?? 0) + count);
  };
  add(context.mutantCoverage?.static);
  for (const ids of Object.values(context.mutantCoverage?.perTest ?? {})) add(ids);
  return counts;
}

const RECORD = Symbol.for("mutation.file-coverage");

/** Adds what was reached since the last mark to the running file's `phase` set, and saves the table. */
function attribute(phase) {
  const record = context[RECORD];
  if (record.file === undefined) return;
  absorbChildCoverage();
  const counts = reachedCounts();
  const entry = (record.byFile[record.file] ??= { ms: 0, loaded: [], exercised: [] });
  const reached = new Set(entry[phase]);
  for (const [id, count] of counts) if (count > (record.mark.get(id) ?? 0)) reached.add(id);
  entry[phase] = [...reached];
  entry.ms += performance.now() - record.since;
  record.mark = counts;
  record.since = performance.now();
  writeFileSync(FILE_COVERAGE, JSON.stringify(record.byFile));
}

// Only the dry run records: no mutant is active, and Stryker counts what each test reaches.
if (context && process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
  // One record per jest run, kept on Stryker's context, which every test file of the run shares.
  context[RECORD] ??= { file: undefined, mark: new Map(), since: 0, byFile: {} };
  // What the previous file reached after this file's afterAll below (its own later hooks) is its own.
  attribute("exercised");
  context[RECORD].file = expect.getState().testPath;
  context[RECORD].since = performance.now();
  // Registered before the test file loads, so this runs first: after its modules load, before its hooks.
  beforeAll(() => attribute("loaded"));
  afterAll(() => attribute("exercised"));
  // A suite stops the children it started in its own afterAll, which runs after the one above: each
  // gets a second one, registered after it, that counts what those children reported on exit.
  const suiteAfterAll = globalThis.afterAll;
  globalThis.afterAll = (fn, timeout) => {
    suiteAfterAll(fn, timeout);
    suiteAfterAll(() => attribute("exercised"));
  };
}
