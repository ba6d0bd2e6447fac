/**
 * Preloaded (`--import`) into every Node process a mutation run starts, through NODE_OPTIONS
 * (stryker.config.mjs). Instrumented code in a child process, such as the function server the gRPC,
 * TLS and signal suites start, activates the mutant under test from __STRYKER_ACTIVE_MUTANT__
 * itself, but Stryker only sees what the test process reaches. So in the dry run, when no mutant is
 * active, a child writes the mutants it reached to MUTATION_CHILD_COVERAGE/<pid>.json as it exits,
 * and ./file-coverage.js adds them to the test process's coverage: the suite that started the child
 * then judges those mutants like any other.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.MUTATION_CHILD_COVERAGE;

if (dir && process.env.__STRYKER_ACTIVE_MUTANT__ === undefined)
  process.on("exit", () => {
    const coverage = globalThis[globalThis.__strykerGlobalNamespace__ ?? "__stryker__"]?.mutantCoverage;
    if (!coverage) return;
    const counts = {};
    for (const ids of [coverage.static, ...Object.values(coverage.perTest ?? {})])
      for (const [id, count] of Object.entries(ids ?? {})) counts[id] = (counts[id] ?? 0) + count;
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(counts));
  });
