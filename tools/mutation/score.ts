/**
 * The mutation score of StrykerJS JSON reports taken together. A run over the whole scope takes
 * hours on two shared cores, so it is run in parts (`--mutate` a folder, MUTATION_TESTS its
 * suites); each part writes its own report, and the score of the scope is that of their union.
 * The score is Stryker's: mutants detected (killed or timed out) over the mutants that compile.
 */
import { calculateMetrics } from "mutation-testing-metrics";
import type { FileResult, MutantResult, MutationTestResult } from "mutation-testing-report-schema";

const UNDETECTED = new Set<MutantResult["status"]>(["Survived", "NoCoverage"]);

/** The union of the reports' files: a file measured in more than one counts once, from the last report naming it. */
export function mergeReports(reports: readonly MutationTestResult[]): Record<string, FileResult> {
  return Object.assign({}, ...reports.map((report) => report.files)) as Record<string, FileResult>;
}

export interface Score {
  /** Detected over valid (compiling) mutants, in percent; NaN when nothing valid was measured. */
  readonly score: number;
  readonly detected: number;
  readonly valid: number;
  readonly invalid: number;
  readonly undetected: readonly { file: string; line: number; status: string; mutator: string; replacement: string }[];
}

export function score(files: Record<string, FileResult>): Score {
  const { metrics } = calculateMetrics(files);
  const undetected = Object.entries(files)
    .flatMap(([file, result]) =>
      result.mutants
        .filter((mutant) => UNDETECTED.has(mutant.status))
        .map((mutant) => ({
          file,
          line: mutant.location.start.line,
          status: mutant.status,
          mutator: mutant.mutatorName,
          replacement: mutant.replacement ?? "",
        })),
    )
    .sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return {
    score: metrics.mutationScore,
    detected: metrics.totalDetected,
    valid: metrics.totalValid,
    invalid: metrics.totalInvalid,
    undetected,
  };
}
