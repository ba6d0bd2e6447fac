import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RULES } from "../../tools/policy/index.js";
import { shippedClaims } from "./claims.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const policy = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "tools/policy/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });

describe("npm run policy", () => {
  it("prints a passing row for every control of every example claim and exits 0", () => {
    const examples = shippedClaims()
      .map((c) => c.source)
      .filter((s) => s.startsWith("examples/"));
    const { status, stdout, stderr } = policy(...examples);
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
    for (const rule of RULES) expect(stdout.match(new RegExp(`^PASS\\s+${rule.id}\\s`, "gm"))).toHaveLength(examples.length);
    expect(stdout).not.toMatch(/^FAIL/m);
  }, 120_000);

  it("exits 2 naming the field when a claim is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-"));
    try {
      const path = join(dir, "claim.yaml");
      writeFileSync(
        path,
        "kind: DisasterRecoveryEnvironment\nmetadata: {name: x}\nspec: {environmentSuffix: dev1, tier: pilot-light, primaryRegion: eu-west-1}\n",
      );
      const { status, stderr } = policy(path);
      expect(status).toBe(2);
      expect(stderr).toContain("spec.secondaryRegion");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
