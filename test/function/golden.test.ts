import { caseDescription, caseNames, compareOrUpdate, renderCase } from "../support/golden.js";

describe.each(caseNames().map((name) => [name, caseDescription(name)]))("golden case %s: %s", (name) => {
  it("renders exactly the expected desired state, block by block", async () => {
    const rendered = await renderCase(name);
    for (const { file, actual, expected } of compareOrUpdate(rendered)) {
      expect({ file, content: actual }).toEqual({ file, content: expected });
    }
  });
});
