import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { AT_CURRENT_STORAGE } from "../../src/provider.js";

interface CrdDoc {
  spec: { names: { kind: string }; versions: Array<{ name: string; served: boolean; storage: boolean; deprecated?: boolean }> };
}
const crdKind = (file: string) => (parse(readFileSync(file, "utf8")) as CrdDoc).spec.names.kind;
import { caseNames, renderCase } from "../support/golden.js";

/** group/Kind -> storage version, read from the pinned provider release's CRDs (src/provider-storage-versions.json). */
const storageVersions = JSON.parse(readFileSync(new URL("../../src/provider-storage-versions.json", import.meta.url), "utf8")) as Record<
  string,
  string
>;

const emittedVersion = (groupKind: string) => AT_CURRENT_STORAGE[groupKind] ?? storageVersions[groupKind];

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
  it.each(Object.entries(AT_CURRENT_STORAGE))(
    "%s %s is served by v2.2.0, stored by v2.6.0 and deprecated by neither",
    (groupKind, version) => {
      const old = versionsOf("v2.2.0", groupKind).find((v) => v.name === version);
      const current = versionsOf("v2.6.0", groupKind).find((v) => v.name === version);
      expect(old).toMatchObject({ served: true });
      expect(current).toMatchObject({ served: true, storage: true });
      expect([old?.deprecated ?? false, current?.deprecated ?? false]).toEqual([false, false]);
    },
  );
});

describe("the kind check itself", () => {
  it("finds no model for a kind the provider does not have", async () => {
    expect(await modelFor("ec2.aws.upbound.io/v1beta1", "NoSuchKind")).toBeUndefined();
    expect(await modelFor("ec2.aws.upbound.io/v1beta1", "VPC")).toBeDefined();
  });
});
