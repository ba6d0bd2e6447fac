/** The README's claim reference is generated, and the README states the command CI runs. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../charts/main.js";
import { withClaimReference } from "../../tools/docs/claim-reference.js";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

describe("README.md", () => {
  it("has an up-to-date claim reference (run `npm run docs`)", () => {
    expect(readme).toBe(withClaimReference(readme));
  });

  it("lists every spec field in the reference", async () => {
    const { EnvironmentSpec } = await import("../../src/api/index.js");
    for (const field of Object.keys(EnvironmentSpec.properties)) expect(readme).toContain(`| \`spec.${field}\` |`);
  });

  it("gives the test command that .ci/run runs", () => {
    const ci = readFileSync(join(REPO_ROOT, ".ci/run"), "utf8");
    expect(ci).toMatch(/^npm test$/m);
    expect(readme).toContain("npm ci && npm test");
  });
});
