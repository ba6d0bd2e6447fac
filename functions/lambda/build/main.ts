/**
 * `npm run build:lambda`: writes dist/<handler>.zip and the generated bundles module.
 *   --out-dir DIR   where the zips go (default functions/lambda/dist)
 *   --module FILE   where the generated module goes (default functions/lambda/bundles.generated.ts)
 *   --check         write nothing; fail if the committed module differs from a fresh build
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { HANDLERS, LAMBDA_DIR, MAX_ZIP_BYTES, bundleAll, renderModule } from "./bundle.js";

const { values } = parseArgs({
  options: {
    "out-dir": { type: "string", default: join(LAMBDA_DIR, "dist") },
    module: { type: "string", default: join(LAMBDA_DIR, "bundles.generated.ts") },
    check: { type: "boolean", default: false },
  },
});

const bundles = await bundleAll();
const moduleText = renderModule(bundles);
let failed = false;
for (const name of HANDLERS) {
  const { sizeBytes, sha256Base64 } = bundles[name];
  const over = sizeBytes > MAX_ZIP_BYTES;
  failed ||= over;
  console.log(`${name.padEnd(11)} ${String(sizeBytes).padStart(6)} bytes  sha256 ${sha256Base64}${over ? `  OVER ${MAX_ZIP_BYTES}` : ""}`);
}
if (values.check) {
  const modulePath = resolve(values.module);
  let committed = "";
  try {
    committed = readFileSync(modulePath, "utf8");
  } catch {
    // missing counts as stale
  }
  if (committed !== moduleText) {
    console.error(`${modulePath} is stale: run npm run build:lambda`);
    failed = true;
  }
} else {
  const outDir = resolve(values["out-dir"]);
  mkdirSync(outDir, { recursive: true });
  for (const name of HANDLERS) writeFileSync(join(outDir, `${name}.zip`), bundles[name].zip);
  writeFileSync(resolve(values.module), moduleText);
}
if (failed) process.exit(1);
