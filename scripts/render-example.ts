/**
 * `npm run render:example [-- claim.yaml]`: renders a claim in-process through the composition
 * function and prints what it would compose. Defaults to the warm-standby example.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { Severity } from "@crossplane-org/function-sdk-typescript";
import { render, type Claim } from "../functions/src/render.js";

const path = process.argv[2] ?? "examples/warm-standby.yaml";
const claim = parse(readFileSync(path, "utf8")) as Claim;
// A claim read from a file has no uid yet (the API server assigns it); a fixed one keeps output stable.
claim.metadata = { uid: "00000000-0000-4000-8000-000000000000", ...claim.metadata };

const { desired, results } = await render(claim);
const count = (s: Severity) => results.filter((r) => r.severity === s);
for (const r of count(Severity.SEVERITY_FATAL)) console.error(`fatal: ${r.message}`);
console.log(`${path}: ${Object.keys(desired?.resources ?? {}).length} composed resources, ${count(Severity.SEVERITY_WARNING).length} waiting for observed values`);
process.exitCode = count(Severity.SEVERITY_FATAL).length > 0 ? 1 : 0;
