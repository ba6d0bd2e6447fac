/**
 * dist/ is committed because Argo CD syncs it from Git; it must be exactly what `npm run synth`
 * writes from the sources in the same commit.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listFiles, synthesized } from "./support.js";

const DIST = new URL("../../dist", import.meta.url).pathname;

test("the committed dist/ is up to date with the sources (run `npm run synth`)", () => {
  const { dir } = synthesized();
  expect(existsSync(DIST)).toBe(true);
  expect(listFiles(DIST)).toEqual(listFiles(dir));
  for (const path of listFiles(dir)) {
    expect({ path, text: readFileSync(join(DIST, path), "utf8") }).toEqual({ path, text: readFileSync(join(dir, path), "utf8") });
  }
});
