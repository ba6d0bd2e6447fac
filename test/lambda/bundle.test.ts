import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { HANDLERS, MAX_ZIP_BYTES } from "../../functions/lambda/build/bundle.js";

const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const BUILD = join(ROOT, "functions/lambda/build/main.ts");
const COMMITTED = join(ROOT, "functions/lambda/bundles.generated.ts");

// Two builds in separate processes, as `npm run build:lambda` runs them.
function build(dir: string): { module: string; zips: Record<string, Buffer> } {
  const modulePath = join(dir, "bundles.generated.ts");
  execFileSync(process.execPath, ["--import", "tsx", BUILD, "--out-dir", dir, "--module", modulePath], { cwd: ROOT, stdio: "pipe" });
  return {
    module: readFileSync(modulePath, "utf8"),
    zips: Object.fromEntries(HANDLERS.map((name) => [name, readFileSync(join(dir, `${name}.zip`))])),
  };
}

let work: string;
let first: ReturnType<typeof build>;
let second: ReturnType<typeof build>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "lambda-bundles-"));
  first = build(join(work, "a"));
  second = build(join(work, "b"));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("Lambda bundles", () => {
  it.each(HANDLERS)("%s is at most 50 KiB", (name) => {
    expect(first.zips[name]!.byteLength).toBeGreaterThan(500);
    expect(first.zips[name]!.byteLength).toBeLessThanOrEqual(MAX_ZIP_BYTES);
  });

  it.each(HANDLERS)("%s is byte-identical across two builds", (name) => {
    expect(second.zips[name]!.equals(first.zips[name]!)).toBe(true);
  });

  it("the committed generated module equals a fresh build (else run npm run build:lambda)", () => {
    expect(second.module).toBe(first.module);
    expect(readFileSync(COMMITTED, "utf8")).toBe(first.module);
  });

  it.each(HANDLERS)("%s zip holds only index.js with a fixed timestamp and the SDK left external", (name) => {
    const zip = first.zips[name]!;
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual(["index.js"]);
    // Local file header: DOS time at offset 10, date at 12; 1980-01-01 00:00 is time 0, date 0x21.
    expect(zip.readUInt16LE(10)).toBe(0);
    expect(zip.readUInt16LE(12)).toBe(0x21);
    const code = Buffer.from(entries["index.js"]!).toString("utf8");
    expect(code).toMatch(/require\("@aws-sdk\/client-[a-z0-9-]+"\)/);
    expect(code).not.toContain("@smithy/");
  });

  it.each(HANDLERS)("%s loads as index.handler with the SDK resolved the way the runtime provides it", (name) => {
    const dir = join(work, "extract", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "index.js"), unzipSync(first.zips[name]!)["index.js"]!);
    // The runtime puts its SDK on NODE_PATH; ours stands in for it. Loading must not read config.
    const out = execFileSync(process.execPath, ["-e", "process.stdout.write(typeof require('./index.js').handler)"], {
      cwd: dir,
      env: { PATH: process.env["PATH"], NODE_PATH: join(ROOT, "node_modules") },
    });
    expect(out.toString()).toBe("function");
  });
});
