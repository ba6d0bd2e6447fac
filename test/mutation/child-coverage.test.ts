/**
 * What a child process reports of the mutants it reached (tools/mutation/jest/child-coverage.mjs):
 * in the dry run, the union of its static and per-test coverage, written as it exits; nothing while
 * a mutant is active or outside a mutation run. Each case is a real Node process with the preload.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PRELOAD = new URL("../../tools/mutation/jest/child-coverage.mjs", import.meta.url).href;

/** Stands in for instrumented code: the coverage Stryker's instrumenter would have counted. */
const REACHES = `globalThis.__stryker__ = { mutantCoverage: { static: { "1": 2 }, perTest: { "a test": { "1": 1, "5": 3 } } } };`;

function runChild(env: NodeJS.ProcessEnv, script = REACHES): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "child-coverage-"));
  const { __STRYKER_ACTIVE_MUTANT__: _active, ...base } = process.env;
  const run = spawnSync(process.execPath, [`--import=${PRELOAD}`, "-e", script], {
    env: { ...base, MUTATION_CHILD_COVERAGE: dir, ...env },
    encoding: "utf8",
  });
  expect(run.status).toBe(0);
  return Object.fromEntries(readdirSync(dir).map((name) => [name, JSON.parse(readFileSync(join(dir, name), "utf8"))]));
}

describe("a child's mutant coverage", () => {
  it("is written on exit under its pid, static and per-test counts added up", () => {
    const written = runChild({});
    expect(Object.values(written)).toEqual([{ "1": 3, "5": 3 }]);
    expect(Object.keys(written)[0]).toMatch(/^\d+\.json$/);
  });

  it("is written when the process ends by process.exit, as the function's entry point does", () => {
    expect(Object.values(runChild({}, `${REACHES} process.exit(0);`))).toEqual([{ "1": 3, "5": 3 }]);
  });

  it("is not written while a mutant is active, nor by a process that reached no instrumented code", () => {
    expect(runChild({ __STRYKER_ACTIVE_MUTANT__: "5" })).toEqual({});
    expect(runChild({}, "")).toEqual({});
  });
});
