/** Every claim the project ships, examples and golden cases, settled to the state AWS would bring them to. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Claim } from "../../functions/src/render.js";
import { CLAIM_KIND, validateSpec } from "../../src/api/index.js";
import { settle, type Resources } from "../../tools/policy/index.js";

const ROOT = new URL("../..", import.meta.url).pathname;

export function shippedClaims(): Array<{ source: string; claim: Claim }> {
  const examples = readdirSync(join(ROOT, "examples"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => `examples/${f}`);
  const cases = readdirSync(join(ROOT, "test/cases"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `test/cases/${d.name}/claim.yaml`);
  return [...examples, ...cases]
    .map((source) => ({ source, claim: parse(readFileSync(join(ROOT, source), "utf8")) as Claim }))
    .filter(({ claim }) => claim?.kind === CLAIM_KIND)
    .map(({ source, claim }) => ({ source, claim: { ...claim, metadata: { uid: `uid-${source}`, ...claim.metadata } } }));
}

export interface SettledClaim {
  source: string;
  claim: Claim;
  resources: Resources;
  protection: boolean;
  /** Everything a render waited for on the way to the settled state ([waiting, field, read from]). */
  waited: Array<[string, string, string]>;
}

export async function settledClaims(): Promise<SettledClaim[]> {
  const out: SettledClaim[] = [];
  for (const { source, claim } of shippedClaims()) {
    const settled = await settle(claim);
    if (settled.fatal) throw new Error(`${source} is refused: ${settled.fatal}`);
    out.push({ source, claim, resources: settled.resources, protection: validateSpec(claim.spec).protection, waited: settled.waited });
  }
  return out;
}
