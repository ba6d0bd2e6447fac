/** `npm run docs`: regenerates the claim reference in README.md from the claim API's schema. */
import { readFileSync, writeFileSync } from "node:fs";
import { withClaimReference } from "./claim-reference.js";

const path = new URL("../../README.md", import.meta.url);
const before = readFileSync(path, "utf8");
const after = withClaimReference(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? "README.md claim reference is up to date" : "README.md claim reference regenerated");
