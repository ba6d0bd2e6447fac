import { settle } from "../../tools/policy/index.js";
import { caseDescription, caseNames, compareOrUpdate, renderCase } from "../support/golden.js";

describe.each(caseNames().map((name) => [name, caseDescription(name)]))("golden case %s: %s", (name) => {
  it("renders exactly the expected desired state, block by block", async () => {
    const rendered = await renderCase(name);
    for (const { file, actual, expected } of compareOrUpdate(rendered)) {
      expect({ file, content: actual }).toEqual({ file, content: expected });
    }
  });
});

// A resource that waits for an observed value appears in no golden file until some case observes it.
describe.each(caseNames().filter((n) => n.endsWith("-observed")))("observed golden case %s", (name) => {
  it("waits for nothing: observed.yaml settles every resource (tsx test/support/settle-observed.ts)", async () => {
    const rendered = await renderCase(name);
    const pending = ((rendered.composite as { status?: { pending?: string[] } }).status?.pending ?? []).filter((p) =>
      p.includes(" waits for "),
    );
    expect(pending).toEqual([]);
  });

  it("holds every resource its claim composes once settled", async () => {
    const rendered = await renderCase(name);
    const settled = await settle(rendered.claim);
    expect(Object.keys(rendered.resources).sort()).toEqual(Object.keys(settled.resources).sort());
  });
});
