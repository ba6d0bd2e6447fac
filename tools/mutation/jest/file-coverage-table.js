/** Where the dry run's per-file mutant coverage is kept (./file-coverage.js writes, ./sequencer.js reads). */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** At the root of Stryker's sandbox, which every test runner process of one run shares. */
export const FILE_COVERAGE =
  process.env.MUTATION_FILE_COVERAGE ?? fileURLToPath(new URL("../../../.mutation-file-coverage.json", import.meta.url));

/**
 * Test file path -> how long it ran (ms), the mutant ids reached while its modules loaded and those
 * its hooks and tests reached; undefined before a dry run recorded one.
 */
export function readFileCoverage() {
  return existsSync(FILE_COVERAGE) ? JSON.parse(readFileSync(FILE_COVERAGE, "utf8")) : undefined;
}
