/**
 * The mutant-run plumbing of jest.mutation.config.js: the sequencer runs a mutant only against the
 * test files that reached it, exercising files first, quickest first; the runner stops at the first
 * file with a failing test. The runner is judged in a real jest process over fixture suites.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error plain JavaScript, loaded by jest as configuration
import { judgedSources, mutantSources, observingInOrder } from "../../tools/mutation/jest/sequencer.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const test = (path: string) => ({ path });

describe("the mutant sequencer", () => {
  const byFile = {
    "/slow-exercise.test.ts": { ms: 900, loaded: ["1"], exercised: ["2", "3"] },
    "/quick-exercise.test.ts": { ms: 100, loaded: [], exercised: ["2"] },
    "/quick-load.test.ts": { ms: 50, loaded: ["2"], exercised: [] },
    "/elsewhere.test.ts": { ms: 10, loaded: ["9"], exercised: ["9"] },
  };
  const all = [...Object.keys(byFile), "/new.test.ts"].map(test);
  const order = (active: string, source?: string) =>
    observingInOrder(all, byFile, active, source).map(({ path }: { path: string }) => path);

  it("leaves out the files that never reached the mutant, and keeps files the dry run did not see, last", () => {
    expect(order("3")).toEqual(["/slow-exercise.test.ts", "/new.test.ts"]);
  });

  it("runs the files whose hooks or tests exercise the mutant before those that only load it, quickest first", () => {
    expect(order("2")).toEqual(["/quick-exercise.test.ts", "/slow-exercise.test.ts", "/quick-load.test.ts", "/new.test.ts"]);
  });

  it("runs the suites named after the mutant's source file first", () => {
    expect(order("2", "slow-exercise")).toEqual([
      "/slow-exercise.test.ts",
      "/quick-exercise.test.ts",
      "/quick-load.test.ts",
      "/new.test.ts",
    ]);
    // A suite only named like the source, that never reached the mutant, still does not run.
    expect(order("3", "quick-load")).toEqual(["/slow-exercise.test.ts", "/new.test.ts"]);
  });

  it("tells each mutant's source file from Stryker's switches in the instrumented sources", () => {
    const dir = mkdtempSync(join(tmpdir(), "mutant-sources-"));
    mkdirSync(join(dir, "blocks"));
    writeFileSync(join(dir, "blocks", "dns.ts"), 'const a = stryMutAct_9fa48("0") ? 1 : stryMutAct_9fa48("1") ? 2 : 3;\n');
    writeFileSync(join(dir, "api.ts"), 'if (stryMutAct_9fa48("2")) {}\n');
    writeFileSync(join(dir, "notes.md"), 'stryMutAct_9fa48("3")\n');
    expect(Object.fromEntries(mutantSources(dir))).toEqual({ "0": "dns", "1": "dns", "2": "api" });
  });

  it("leaves a suite limited by @mutation-judges out for mutants of other sources", () => {
    const judges = (path: string) => (path === "/quick-exercise.test.ts" ? new Set(["codec"]) : undefined);
    const run = (source: string) => observingInOrder(all, byFile, "2", source, judges).map(({ path }: { path: string }) => path);
    expect(run("dns")).toEqual(["/slow-exercise.test.ts", "/quick-load.test.ts", "/new.test.ts"]);
    expect(run("codec")).toEqual(["/quick-exercise.test.ts", "/slow-exercise.test.ts", "/quick-load.test.ts", "/new.test.ts"]);
    expect(judgedSources("/**\n * The codec.\n * @mutation-judges codec, scope\n */\nimport x;")).toEqual(new Set(["codec", "scope"]));
    expect(judgedSources("/** The codec. */\n// @mutation-judges codec")).toBeUndefined();
  });

  it("runs every file when none reached the mutant", () => {
    expect(observingInOrder([test("/a"), test("/b")], byFile, "7").map(({ path }: { path: string }) => path)).toEqual(["/a", "/b"]);
  });
});

describe("the mutant runner", () => {
  const dir = mkdtempSync(join(tmpdir(), "mutant-runner-"));
  const log = join(dir, "ran.log");
  const suite = (name: string, passes: boolean) =>
    writeFileSync(
      join(dir, `${name}.test.cjs`),
      `require("node:fs").appendFileSync(${JSON.stringify(log)}, "${name}\\n");\ntest("${name}", () => expect(${passes}).toBe(true));\n`,
    );
  suite("a-passes", true);
  suite("b-fails", false);
  suite("c-passes", true);
  const config = {
    rootDir: dir,
    testMatch: ["<rootDir>/*.test.cjs"],
    transform: {},
    runner: join(ROOT, "tools/mutation/jest/runner.js"),
    // Alphabetical, so the failing file is the second of three.
    testSequencer: join(dir, "sequencer.cjs"),
  };
  writeFileSync(
    join(dir, "sequencer.cjs"),
    `const S = require(${JSON.stringify(join(ROOT, "node_modules/@jest/test-sequencer"))}).default;\n` +
      "module.exports = class extends S { sort(t) { return [...t].sort((a, b) => a.path.localeCompare(b.path)); } };\n",
  );
  const jest = (env: Record<string, string>) => {
    writeFileSync(log, "");
    const run = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/jest/bin/jest.js"), "--config", JSON.stringify(config), "--runInBand"],
      {
        cwd: dir,
        env: { ...process.env, ...env, NODE_OPTIONS: "" },
        encoding: "utf8",
      },
    );
    return { status: run.status, ran: readFileSync(log, "utf8").trim().split("\n") };
  };

  it("stops at the first file with a failing test while a mutant is active", () => {
    expect(jest({ __STRYKER_ACTIVE_MUTANT__: "4" })).toEqual({ status: 1, ran: ["a-passes", "b-fails"] });
  });

  it("runs every file outside a mutant run", () => {
    expect(jest({}).ran).toEqual(["a-passes", "b-fails", "c-passes"]);
  });
});
