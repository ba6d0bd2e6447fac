/**
 * Names other blocks point at live in LOGICAL (functions/src/blocks/names.ts): a block that spells
 * one as a string literal instead would keep working until the name changes in one place only,
 * and the selector or observed value then silently points at nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOGICAL } from "../../functions/src/blocks/names.js";

const BLOCKS = "functions/src/blocks";
const names = Object.values(LOGICAL as Record<string, unknown>).filter((v): v is string => typeof v === "string");
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Where a logical name is used as one: a selector, an observed value, or a composed resource's key. */
const uses = (name: string) =>
  new RegExp(`(select\\("${escape(name)}"|atProvider\\("${escape(name)}"|out\\["${escape(name)}"\\]|^\\s*"${escape(name)}": new )`, "m");

test("no block spells a LOGICAL name as a literal where it selects, reads or composes it", () => {
  const bypasses: string[] = [];
  for (const file of readdirSync(BLOCKS).filter((f) => f.endsWith(".ts") && f !== "names.ts")) {
    const text = readFileSync(join(BLOCKS, file), "utf8");
    for (const name of names) if (uses(name).test(text)) bypasses.push(`${file}: "${name}"`);
  }
  expect(bypasses).toEqual([]);
});

test("the check finds a bypass", () => {
  expect(uses(LOGICAL.vpc).test('const s = scope.select("vpc");')).toBe(true);
  expect(uses(LOGICAL.alertsKey).test('    "alerts-key": new Key({')).toBe(true);
  expect(uses(LOGICAL.vpc).test("scope.select(LOGICAL.vpc)")).toBe(false);
});
