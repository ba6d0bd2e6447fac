import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { storageVersions as derivedStorageVersions, STORAGE_VERSIONS_FILE } from "../../tools/provider/storage-versions.js";

interface CrdDoc {
  spec: { names: { kind: string }; versions: Array<{ name: string; served: boolean; storage: boolean; deprecated?: boolean }> };
}
const crdKind = (file: string) => (parse(readFileSync(file, "utf8")) as CrdDoc).spec.names.kind;
import { caseNames, renderCase } from "../support/golden.js";

/**
 * group/Kind -> the version every kind is emitted at: the current tested release's storage version
 * where the lowest tested release serves it too (src/provider-storage-versions.json, derived by
 * tools/provider/storage-versions.ts).
 */
const storageVersions = JSON.parse(readFileSync(new URL("../../src/provider-storage-versions.json", import.meta.url), "utf8")) as Record<
  string,
  string
>;

const emittedVersion = (groupKind: string) => storageVersions[groupKind];

async function modelFor(apiVersion: string, kind: string): Promise<{ new (data: unknown): { validate(): void } } | undefined> {
  try {
    const module = await import(`@crossplane-models/provider-upjet-aws/${apiVersion}/${kind}`);
    // Export names avoid clashes with built-ins (kind Object is exported as S3Object), so match on the static kind.
    return Object.values(module).find((m: any) => m?.kind === kind && m?.apiVersion === apiVersion) as never;
  } catch {
    return undefined;
  }
}

describe.each(caseNames())("composed kinds of case %s", (name) => {
  it("are real cluster-scoped provider-upjet-aws kinds at the version the provider stores, and schema-valid", async () => {
    const { resources } = await renderCase(name);
    expect(Object.keys(resources).length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const [key, { resource }] of Object.entries(resources)) {
      const { apiVersion, kind } = resource as { apiVersion: string; kind: string };
      const [group, version] = apiVersion.split("/");
      if (!group.endsWith(".aws.upbound.io") || group.includes(".m."))
        problems.push(`${key}: ${apiVersion} is not a cluster-scoped provider-aws group`);
      const stored = emittedVersion(`${group}/${kind}`);
      if (stored !== version) problems.push(`${key}: ${kind} emitted at ${version}, provider stores ${stored ?? "no such kind"}`);
      const Model = await modelFor(apiVersion, kind);
      if (!Model) {
        problems.push(`${key}: no model for ${apiVersion} ${kind}`);
        continue;
      }
      try {
        new Model(resource).validate();
      } catch (error) {
        problems.push(`${key}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

const CRDS = new URL("../../../shared/provider-crds", import.meta.url).pathname;
const crdsPresent = existsSync(CRDS);

(crdsPresent ? describe : describe.skip)("kinds emitted at the current provider's storage version", () => {
  const versionsOf = (release: string, groupKind: string) => {
    const [group, kind] = groupKind.split("/");
    const file = readdirSync(join(CRDS, release)).find(
      (f) => f.startsWith(`${group}_`) && f.endsWith(".yaml") && crdKind(join(CRDS, release, f)) === kind,
    );
    if (!file) throw new Error(`no CRD for ${groupKind} in ${release}`);
    return (parse(readFileSync(join(CRDS, release, file), "utf8")) as CrdDoc).spec.versions;
  };
  it("the committed version table is the one the CRDs give", () => {
    expect(readFileSync(STORAGE_VERSIONS_FILE, "utf8")).toBe(derivedStorageVersions());
  });

  it("every emitted version is served by v2.2.0, stored by v2.6.0 and deprecated by neither", async () => {
    const emitted = new Set<string>();
    for (const name of caseNames())
      for (const { resource } of Object.values((await renderCase(name)).resources)) {
        const { apiVersion, kind } = resource as { apiVersion: string; kind: string };
        emitted.add(`${apiVersion.split("/")[0]}/${kind}/${apiVersion.split("/")[1]}`);
      }
    expect(emitted.size).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const entry of emitted) {
      const [group, kind, version] = entry.split("/");
      const old = versionsOf("v2.2.0", `${group}/${kind}`).find((v) => v.name === version);
      const current = versionsOf("v2.6.0", `${group}/${kind}`).find((v) => v.name === version);
      if (!old?.served || old.deprecated) problems.push(`${entry}: not served or deprecated by v2.2.0`);
      if (!current?.served || !current.storage || current.deprecated) problems.push(`${entry}: not v2.6.0's storage version`);
    }
    expect(problems).toEqual([]);
  });
});

describe("the kind check itself", () => {
  it("finds no model for a kind the provider does not have", async () => {
    expect(await modelFor("ec2.aws.upbound.io/v1beta1", "NoSuchKind")).toBeUndefined();
    expect(await modelFor("ec2.aws.upbound.io/v1beta1", "VPC")).toBeDefined();
  });
});
