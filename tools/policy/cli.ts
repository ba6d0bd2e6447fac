/**
 * `npm run policy -- <claim.yaml> [...]`: checks each claim as the API server would, renders it to
 * its settled state (every value AWS decides filled in), runs every security control over it and
 * prints a pass/fail table.
 *
 * Exit codes (tools/cli/exit.ts): 0 every control holds, 1 a control fails, 2 usage or bad input
 * (an unreadable file, a claim the API server or the function would refuse).
 */
import { parseArgs } from "node:util";
import type { Claim } from "../../functions/src/render.js";
import { ClaimValidationError, describeError, validateClaim } from "../../src/api/index.js";
import { BadInputError, EXIT, runCli, UsageError } from "../cli/exit.js";
import { readClaim } from "../render/load.js";
import { evaluate, failures, table } from "./evaluate.js";
import { settle } from "./settle.js";

const USAGE = `usage: npm run policy -- <claim.yaml> [<claim.yaml> ...]

  renders each claim to its settled state and runs every security control over it
  -h, --help   this help

exit codes: 0 every control holds, 1 a control fails, 2 usage or bad input`;

/** One claim's verdict: true when every control holds. Throws BadInputError for a claim that cannot be judged. */
async function check(path: string): Promise<boolean> {
  const claim = readClaim(path) as Claim;
  let spec;
  try {
    spec = validateClaim(claim);
  } catch (error) {
    if (!(error instanceof ClaimValidationError)) throw error;
    throw new BadInputError(`${path} is not a valid claim:\n${error.errors.map((e) => `  ${describeError(e)}`).join("\n")}`);
  }
  // A claim read from a file has no uid yet (the API server assigns it); a fixed one keeps output stable.
  claim.metadata = { uid: "00000000-0000-4000-8000-000000000000", ...claim.metadata };
  const settled = await settle(claim);
  if (settled.fatal) throw new BadInputError(`${path}: refused: ${settled.fatal}`);
  const results = evaluate(settled.resources, { protection: spec.protection });
  console.log(`${path}: ${Object.keys(settled.resources).length} composed resources after ${settled.rounds} renders`);
  console.log(table(results));
  console.log(`controls: ${results.filter((r) => r.violations.length === 0).length} of ${results.length} hold for ${path}\n`);
  return failures(results).length === 0;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (parsed.positionals.length === 0) throw new UsageError("at least one claim file is required");
  // Every claim is judged even when one is bad; the worst outcome decides the exit code.
  let exitCode: number = EXIT.ok;
  for (const path of parsed.positionals) {
    const code = await runCli(USAGE, async () => ((await check(path)) ? EXIT.ok : EXIT.failure));
    exitCode = Math.max(exitCode, code);
  }
  return exitCode;
}

process.exitCode = await runCli(USAGE, () => main(process.argv.slice(2)));
