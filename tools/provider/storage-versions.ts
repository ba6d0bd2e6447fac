/**
 * Writes src/provider-storage-versions.json: for every cluster-scoped kind of the provider, the
 * version the function emits it at, which is the version the current tested release stores as
 * long as the lowest tested release serves it too (and neither deprecates it); otherwise the
 * lowest release's storage version. Read from `../shared/provider-crds` (or PROVIDER_CRDS_DIR).
 * `--check` exits 1 when the committed file differs.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROVIDER_AWS_TESTED_RELEASES } from "../../src/provider.js";

const ROOT = new URL("../../", import.meta.url).pathname;
export const CRDS_DIR = process.env.PROVIDER_CRDS_DIR ?? join(ROOT, "../shared/provider-crds");
export const STORAGE_VERSIONS_FILE = join(ROOT, "src/provider-storage-versions.json");

interface Version {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
}

function versionsOf(release: string): Map<string, Version[]> {
  const dir = join(CRDS_DIR, release);
  const out = new Map<string, Version[]>();
  for (const file of readdirSync(dir).filter((f) => f.includes(".aws.upbound.io_"))) {
    const crd = parse(readFileSync(join(dir, file), "utf8")) as { spec: { group: string; names: { kind: string }; versions: Version[] } };
    out.set(`${crd.spec.group}/${crd.spec.names.kind}`, crd.spec.versions);
  }
  return out;
}

export function storageVersions(): string {
  const lowest = versionsOf(PROVIDER_AWS_TESTED_RELEASES[0]);
  const current = versionsOf(PROVIDER_AWS_TESTED_RELEASES[PROVIDER_AWS_TESTED_RELEASES.length - 1]!);
  const out: Record<string, string> = {};
  for (const [groupKind, versions] of [...lowest].sort(([a], [b]) => a.localeCompare(b))) {
    const stored = current.get(groupKind)?.find((v) => v.storage);
    const servedBefore = versions.find((v) => v.name === stored?.name);
    const usable = stored && !stored.deprecated && servedBefore?.served && !servedBefore.deprecated;
    out[groupKind] = usable ? stored.name : versions.find((v) => v.storage)!.name;
  }
  return `${JSON.stringify(out, null, 1)}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  if (!existsSync(CRDS_DIR)) {
    console.error(`provider CRDs not found at ${CRDS_DIR}; set PROVIDER_CRDS_DIR`);
    process.exit(2);
  }
  const text = storageVersions();
  if (process.argv.includes("--check")) {
    const fresh = existsSync(STORAGE_VERSIONS_FILE) && readFileSync(STORAGE_VERSIONS_FILE, "utf8") === text;
    if (!fresh) console.error(`${STORAGE_VERSIONS_FILE} is stale: run npm run provider:storage-versions`);
    process.exit(fresh ? 0 : 1);
  }
  writeFileSync(STORAGE_VERSIONS_FILE, text);
}
