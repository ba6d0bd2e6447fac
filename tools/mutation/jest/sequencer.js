/**
 * Jest's test sequencer for mutant runs (jest.mutation.config.js): while Stryker tests a mutant,
 * only the test files that reached it in the dry run (./file-coverage.js) run, in the order most
 * likely to kill it soonest, so that ./runner.js can stop at the first failure: the suites named
 * after the mutant's source file, then the other files whose hooks or tests exercise it, then those
 * that only load it, each group quickest first. A file that never executes a mutant's code cannot
 * tell it from the original, so leaving it out changes no verdict. A file missing from the table
 * runs last, and everything runs when no table exists.
 *
 * A suite whose docblock says `@mutation-judges <source> ...` judges only mutants of those source
 * files (base names): one that runs the whole function only to have real input for the part it
 * tests (the codec's) would otherwise run for every surviving mutant. That can only make the score
 * lower, never higher.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import Sequencer from "@jest/test-sequencer";
import docblock from "jest-docblock";
import { readFileCoverage } from "./file-coverage-table.js";

/** Stryker's mutant switch, as its instrumenter writes it into every mutated file. */
const MUTANT_SWITCH = /stryMutAct_9fa48\("(\d+)"\)/g;

/** Mutant id -> the base name of the source file it is in, read from the instrumented sources under `dir`. */
export function mutantSources(dir) {
  const sources = new Map();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const [, id] of text.matchAll(MUTANT_SWITCH)) sources.set(id, basename(entry.name, ".ts"));
  }
  return sources;
}

/** The source base names a test file's docblock limits it to judging, or undefined for any. */
export function judgedSources(text) {
  const names = docblock.parse(docblock.extract(text))["mutation-judges"];
  return names === undefined
    ? undefined
    : new Set(
        [names]
          .flat()
          .join(" ")
          .split(/[\s,]+/)
          .filter(Boolean),
      );
}

/**
 * The files of `tests` that can observe mutant `active` of source `source`, in the order to run
 * them; `judges(path)` is the set of sources a file is limited to, if any.
 */
export function observingInOrder(tests, byFile, active, source, judges = () => undefined) {
  const namesake = (path) => source !== undefined && basename(path).startsWith(`${source}.`);
  const rank = ({ path }) => {
    const limited = judges(path);
    if (limited && source !== undefined && !limited.has(source)) return undefined;
    const entry = byFile[path];
    if (!entry) return [3, 0];
    if (entry.exercised.includes(active)) return [namesake(path) ? 0 : 1, entry.ms];
    if (entry.loaded.includes(active)) return [2, entry.ms];
    return undefined;
  };
  const ranked = tests.map((test) => ({ test, rank: rank(test) })).filter(({ rank }) => rank !== undefined);
  if (ranked.length === 0) return tests;
  ranked.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1]);
  return ranked.map(({ test }) => test);
}

let sources;
const judgesByPath = new Map();
const judges = (path) => {
  if (!judgesByPath.has(path)) judgesByPath.set(path, judgedSources(readFileSync(path, "utf8")));
  return judgesByPath.get(path);
};

export default class MutantSequencer extends Sequencer.default {
  sort(tests) {
    const active = process.env.__STRYKER_ACTIVE_MUTANT__;
    const byFile = active === undefined ? undefined : readFileCoverage();
    if (!byFile) return super.sort(tests);
    sources ??= mutantSources(join(tests[0].context.config.rootDir, "functions"));
    return observingInOrder(tests, byFile, active, sources.get(active), judges);
  }
}
