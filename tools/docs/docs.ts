/**
 * `npm run docs [-- --check]`: regenerates the claim reference in README.md from the claim API's
 * schema. Exit codes (tools/cli/exit.ts): 0 done (or up to date), 1 --check found it stale, 2 usage.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { EXIT, UsageError, runCli } from "../cli/exit.js";
import { withClaimReference } from "./claim-reference.js";

const USAGE = `usage: npm run docs [-- --check]

  regenerates the claim reference in README.md from the claim API's schema
      --check   change nothing; exit 1 when the reference is stale
  -h, --help    this help

exit codes: 0 done or up to date, 1 stale (--check), 2 usage`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const path = new URL("../../README.md", import.meta.url);
  const before = readFileSync(path, "utf8");
  const after = withClaimReference(before);
  if (after === before) {
    console.log("README.md claim reference is up to date");
    return EXIT.ok;
  }
  if (values.check) {
    console.error("README.md claim reference is stale: run npm run docs");
    return EXIT.failure;
  }
  writeFileSync(path, after);
  console.log("README.md claim reference regenerated");
  return EXIT.ok;
}

process.exitCode = await runCli(USAGE, () => main(process.argv.slice(2)));
