/**
 * `npm run mutation:score -- [--min <percent>] [<mutation.json> ...]`: the score of one or more
 * StrykerJS JSON reports taken together (score.ts), and every mutant not detected, by file and line.
 *
 * Exit codes (tools/cli/exit.ts): 0 at or above `--min` (80 by default), 1 below it, 2 bad input.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { MutationTestResult } from "mutation-testing-report-schema";
import { BadInputError, EXIT, runCli, UsageError } from "../cli/exit.js";
import { mergeReports, score } from "./score.js";

const USAGE = `usage: npm run mutation:score -- [--min <percent>] [<mutation.json> ...]

  the score of the reports taken together (default reports/mutation/mutation.json)
  and every survivor and uncovered mutant, by file and line
  --min <percent>   the score below which it exits 1 (default 80)
  -h, --help        this help

exit codes: 0 at or above --min, 1 below it, 2 usage or bad input`;

function read(path: string): MutationTestResult {
  let report: MutationTestResult;
  try {
    report = JSON.parse(readFileSync(path, "utf8")) as MutationTestResult;
  } catch (error) {
    throw new BadInputError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof report.files !== "object" || report.files === null) {
    throw new BadInputError(`${path}: files: must be the object of a mutation-testing JSON report`);
  }
  return report;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: argv,
        allowPositionals: true,
        options: { min: { type: "string", default: "80" }, help: { type: "boolean", short: "h" } },
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  })();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const min = Number(values.min);
  if (!Number.isFinite(min) || min < 0 || min > 100) throw new UsageError(`--min: must be a percentage from 0 to 100, got "${values.min}"`);
  const paths = positionals.length > 0 ? positionals : ["reports/mutation/mutation.json"];
  const result = score(mergeReports(paths.map(read)));
  for (const mutant of result.undetected) {
    process.stdout.write(`${mutant.file}:${mutant.line}\t${mutant.status}\t${mutant.mutator}\t${mutant.replacement.split("\n")[0]}\n`);
  }
  process.stdout.write(
    `mutation score ${result.score.toFixed(1)} %: ${result.detected} of ${result.valid} compiling mutants detected ` +
      `(${result.invalid} did not compile), ${result.undetected.length} undetected, in ${paths.length} report(s)\n`,
  );
  return result.score >= min ? EXIT.ok : EXIT.failure;
}

process.exitCode = await runCli(USAGE, () => main(process.argv.slice(2)));
