/**
 * `npm run policy -- <claim.yaml> [...]`: renders each claim to its settled state (every value AWS
 * decides filled in), runs every security control over it and prints a pass/fail table. Exits 1
 * when any control fails, 2 when a claim cannot be read or is refused.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Claim } from "../../functions/src/render.js";
import { validateSpec } from "../../src/api/index.js";
import { evaluate, failures, table } from "./evaluate.js";
import { settle } from "./settle.js";

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error("usage: npm run policy -- <claim.yaml> [<claim.yaml> ...]");
  process.exit(2);
}

let exitCode = 0;
for (const path of paths) {
  let claim: Claim;
  try {
    claim = parse(readFileSync(path, "utf8")) as Claim;
  } catch (error) {
    console.error(`${path}: ${(error as Error).message}`);
    exitCode = 2;
    continue;
  }
  // A claim read from a file has no uid yet (the API server assigns it); a fixed one keeps output stable.
  claim.metadata = { uid: "00000000-0000-4000-8000-000000000000", ...claim.metadata };
  const settled = await settle(claim);
  if (settled.fatal) {
    console.error(`${path}: refused: ${settled.fatal}`);
    exitCode = 2;
    continue;
  }
  const results = evaluate(settled.resources, { protection: validateSpec(claim.spec).protection });
  const failed = failures(results).length;
  console.log(`${path}: ${Object.keys(settled.resources).length} composed resources after ${settled.rounds} renders`);
  console.log(table(results));
  console.log(`controls: ${results.filter((r) => r.violations.length === 0).length} of ${results.length} hold for ${path}\n`);
  if (failed > 0 && exitCode === 0) exitCode = 1;
}
process.exitCode = exitCode;
