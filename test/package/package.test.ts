/**
 * The package as a whole: objects that name each other agree, the Configuration depends on exactly
 * what the function composes with, the Composition is small, synth is deterministic and the
 * committed examples are the synthesized ones.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  API_GROUP,
  API_VERSION,
  COMPOSITE_KIND,
  NAMESPACED_API_GROUP,
  NAMESPACED_KIND,
  NAMESPACED_XRD_NAME,
  XRD_NAME,
} from "../../src/api/index.js";
import { PROVIDER_AWS_VERSION, PROVIDER_AWS_VERSION_RANGE, PROVIDER_FAMILY_MEMBERS, providerPackage } from "../../src/provider.js";
import { FUNCTION_PACKAGE, NAMESPACED_CONFIGURATION_PACKAGE, PACKAGE_VERSION } from "../../src/identity.js";
import { providerCredentials, serviceAccountMetadata, SYNC_WAVES } from "../../charts/install.js";
import { childApplications } from "../../charts/argocd.js";
import { installOptions } from "../../charts/options.js";
import { REPO_ROOT } from "../../charts/main.js";
import { file, listFiles, only, synthInto, synthesized, type Manifest } from "./support.js";

type Spec = Record<string, any>; // YAML read back: shapes are asserted by the tests themselves
const spec = (m: Manifest) => m.spec as Spec;

const xrd = only("package/xrd.yaml");
const composition = only("package/composition.yaml");
const configurationMeta = only("package/crossplane.yaml");
const functionMeta = only("function/crossplane.yaml");
const installedFunction = only("install/functions.yaml");
const renderFunction = only("examples/functions.yaml");

describe("the Composition", () => {
  it("stays under 64 KiB, far from etcd's 1.5 MiB object limit", () => {
    const bytes = Buffer.byteLength(file("package/composition.yaml").text);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
  });

  it("is the XRD's default and composes its composite type", () => {
    expect(spec(xrd).defaultCompositionRef.name).toBe(composition.metadata.name);
    expect(spec(composition).compositeTypeRef).toEqual({ apiVersion: `${API_GROUP}/${API_VERSION}`, kind: COMPOSITE_KIND });
    expect(xrd.metadata.name).toBe(XRD_NAME);
  });

  it("runs one pipeline step, our function, under the name it is installed and rendered with", () => {
    expect(spec(composition).mode).toBe("Pipeline");
    const steps = spec(composition).pipeline as Array<{ step: string; functionRef: { name: string } }>;
    expect(steps.map((s) => s.functionRef.name)).toEqual([installedFunction.metadata.name]);
    expect(renderFunction.metadata.name).toBe(installedFunction.metadata.name);
    expect(functionMeta.metadata.name).toBe(installedFunction.metadata.name);
  });

  it("carries labels a compositionSelector can use", () => {
    expect(Object.keys(composition.metadata.labels ?? {})).toEqual(expect.arrayContaining(["dr.platform.io/provider"]));
  });
});

describe("package metadata", () => {
  it("targets Crossplane v1.20 and later, v2 included", () => {
    for (const meta of [configurationMeta, functionMeta]) expect(spec(meta).crossplane.version).toBe(">=v1.20.0-0");
    expect([configurationMeta.apiVersion, functionMeta.apiVersion]).toEqual([
      "meta.pkg.crossplane.io/v1",
      "meta.pkg.crossplane.io/v1beta1",
    ]);
  });

  it("depends on every provider family member from the lowest tested release on, and on the function", () => {
    const deps = spec(configurationMeta).dependsOn as Array<{ provider?: string; function?: string; version: string }>;
    expect(PROVIDER_AWS_VERSION_RANGE).toBe(">=v2.2.0 <v3.0.0");
    expect(deps.filter((d) => d.provider)).toEqual(
      PROVIDER_FAMILY_MEMBERS.map((m) => ({ provider: providerPackage(m), version: PROVIDER_AWS_VERSION_RANGE })),
    );
    expect(deps.filter((d) => d.function)).toEqual([{ function: FUNCTION_PACKAGE, version: PACKAGE_VERSION }]);
  });

  it("installs the same provider and function packages the Configuration depends on", () => {
    // The providers install at the lowest tested release, which the dependsOn range starts at.
    const deps = (spec(configurationMeta).dependsOn as Array<{ provider?: string; function?: string; version: string }>).map(
      (d) => `${d.provider ?? d.function}:${d.provider ? PROVIDER_AWS_VERSION : d.version}`,
    );
    const installed = [...file("install/providers.yaml").objects, installedFunction]
      .filter((o) => o.kind === "Provider" || o.kind === "Function")
      .map((o) => spec(o).package);
    expect(installed.sort()).toEqual(deps.sort());
  });

  it("keeps each xpkg root to its own package's files", () => {
    expect(listFiles(join(synthesized().dir, "package"))).toEqual(["composition.yaml", "crossplane.yaml", "xrd.yaml"]);
    expect(listFiles(join(synthesized().dir, "package-namespaced"))).toEqual([
      "activation-policy.yaml",
      "composition.yaml",
      "crossplane.yaml",
      "xrd.yaml",
    ]);
    expect(listFiles(join(synthesized().dir, "function"))).toEqual(["crossplane.yaml"]);
  });
});

describe("the namespaced flavor's package", () => {
  it("installs from a file of its own, which the Argo CD install Application leaves out", () => {
    const [configuration] = file("install/configuration-namespaced.yaml").objects;
    expect(spec(configuration!).package).toBe(`${NAMESPACED_CONFIGURATION_PACKAGE}:${PACKAGE_VERSION}`);
    const install = file("argocd/apps.yaml").objects.find((a) => a.metadata.name === "dr-platform-install")!;
    expect(spec(install).source.directory.exclude).toBe("configuration-namespaced.yaml");
  });

  const nsXrd = only("package-namespaced/xrd.yaml");
  const nsComposition = only("package-namespaced/composition.yaml");
  const nsMeta = only("package-namespaced/crossplane.yaml");

  it("is a v2 XRD of a namespaced composite with no claim, whose default Composition composes it with the same function", () => {
    expect([nsXrd.apiVersion, spec(nsXrd).scope, spec(nsXrd).claimNames]).toEqual([
      "apiextensions.crossplane.io/v2",
      "Namespaced",
      undefined,
    ]);
    expect(nsXrd.metadata.name).toBe(NAMESPACED_XRD_NAME);
    expect(spec(nsXrd).defaultCompositionRef.name).toBe(nsComposition.metadata.name);
    expect(spec(nsComposition).compositeTypeRef).toEqual({ apiVersion: `${NAMESPACED_API_GROUP}/${API_VERSION}`, kind: NAMESPACED_KIND });
    expect(spec(nsComposition).pipeline).toEqual(spec(composition).pipeline);
  });

  it("serves the claim flavor's schema and columns: one API in two flavors", () => {
    expect(spec(nsXrd).versions).toEqual(spec(xrd).versions);
  });

  it("installs beside the claim flavor's: no name, group or short name the two share", () => {
    expect(nsXrd.metadata.name).not.toBe(xrd.metadata.name);
    expect(spec(nsXrd).group).not.toBe(spec(xrd).group);
    expect(nsComposition.metadata.name).not.toBe(composition.metadata.name);
    expect(nsMeta.metadata.name).not.toBe(configurationMeta.metadata.name);
    const shortNames = (s: Spec) => [...(s.names?.shortNames ?? []), ...(s.claimNames?.shortNames ?? [])];
    expect(shortNames(spec(nsXrd)).filter((n) => shortNames(spec(xrd)).includes(n))).toEqual([]);
  });

  it("needs Crossplane v2 and depends on what the claim flavor's package depends on", () => {
    expect(spec(nsMeta).crossplane.version).toBe(">=v2.0.0-0");
    expect(spec(nsMeta).dependsOn).toEqual(spec(configurationMeta).dependsOn);
  });
});

describe("install manifests", () => {
  const installObjects = ["providers", "provider-config", "functions", "configuration", "configuration-namespaced"].flatMap(
    (f) => file(`install/${f}.yaml`).objects,
  );
  const waveOf = (kind: string) =>
    new Set(installObjects.filter((o) => o.kind === kind).map((o) => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"])));

  it("sync providers, then the ProviderConfigs, then functions, then the Configuration", () => {
    expect([...waveOf("ClusterProviderConfig")]).toEqual([...waveOf("ProviderConfig")]);
    const order = ["DeploymentRuntimeConfig", "Provider", "ProviderConfig", "Function", "Configuration"].map((k) => [...waveOf(k)]);
    for (const waves of order) expect(waves).toHaveLength(1);
    const flat = order.map(([w]) => w);
    expect(flat).toEqual([...flat].sort((a, b) => a - b));
    expect(new Set(flat).size).toBe(flat.length);
    expect(flat).toEqual(Object.values(SYNC_WAVES));
  });

  it("run every provider with the DeploymentRuntimeConfig", () => {
    const runtime = installObjects.find((o) => o.kind === "DeploymentRuntimeConfig")!;
    for (const p of installObjects.filter((o) => o.kind === "Provider")) expect(spec(p).runtimeConfigRef.name).toBe(runtime.metadata.name);
  });

  it("take AWS credentials from a Secret, never inline", () => {
    const configs = file("install/provider-config.yaml").objects;
    // The claim flavor's resources name the ProviderConfig, the namespaced flavor's the ClusterProviderConfig.
    expect(configs.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`)).toEqual([
      "aws.upbound.io/v1beta1/ProviderConfig/default",
      "aws.m.upbound.io/v1beta1/ClusterProviderConfig/default",
    ]);
    for (const pc of configs) {
      expect(spec(pc).credentials.source).toBe("Secret");
      expect(Object.keys(spec(pc).credentials.secretRef).sort()).toEqual(["key", "name", "namespace"]);
    }
  });

  it("use IRSA when package.json config.irsaRoleArn names a role: the service account is annotated, no Secret", () => {
    const arn = "arn:aws:iam::123456789012:role/crossplane-provider-aws";
    const options = installOptions({ irsaRoleArn: arn });
    expect(serviceAccountMetadata(options)).toEqual({ name: "provider-aws", annotations: { "eks.amazonaws.com/role-arn": arn } });
    expect(providerCredentials(options)).toEqual({ source: "IRSA" });
    expect(serviceAccountMetadata(installOptions({}))).toEqual({ name: "provider-aws" });
    expect(() => installOptions({ irsaRoleArn: "crossplane-provider-aws" })).toThrow("config.irsaRoleArn must be an IAM role ARN");
  });
});

describe("Argo CD", () => {
  const apps = file("argocd/apps.yaml").objects;
  const cm = only("argocd/argocd-cm.yaml") as Manifest & { data: Record<string, string> };

  it("syncs no claims unless the team names its own folder of them", () => {
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(["dr-platform-install", "dr-platform-tenancy"]);
    expect(() => installOptions({ environmentsPath: "examples" })).toThrow("config.environmentsPath must be a folder of your own claims");
  });

  it("with environmentsPath, syncs that folder after the platform", () => {
    const opted = Object.values(childApplications(installOptions({ environmentsPath: "environments/" }))) as Manifest[];
    const wave = (name: string) =>
      Number(opted.find((a) => a.metadata.name === name)!.metadata.annotations!["argocd.argoproj.io/sync-wave"]);
    expect(spec(opted.find((a) => a.metadata.name === "dr-environments")!).source.path).toBe("environments");
    expect(wave("dr-platform-install")).toBeLessThan(wave("dr-environments"));
    expect(wave("dr-platform-tenancy")).toBeLessThan(wave("dr-environments"));
  });

  it("points every Application at a directory synth or the repository provides", () => {
    const root = only("argocd/root.yaml");
    for (const app of [root, ...apps]) {
      const { path, directory } = spec(app).source;
      const dir = path.startsWith("dist/") ? join(synthesized().dir, path.slice(5)) : join(REPO_ROOT, path);
      const files = listFiles(dir).filter((f) => (directory.include ? f === directory.include : f !== directory.exclude));
      expect([app.metadata.name, files.length > 0]).toEqual([app.metadata.name, true]);
    }
  });

  it("patches argocd-cm with a health check for the claim (behaviour: argocd-health.test.ts)", () => {
    expect(Object.keys(cm.data)).toContain("resource.customizations.health.dr.platform.io_DisasterRecoveryEnvironment");
  });
});

describe("synth", () => {
  it("is deterministic: two runs write identical bytes", () => {
    const [a, b] = [synthInto("dr-synth-a-"), synthInto("dr-synth-b-")];
    const files = listFiles(a);
    expect(listFiles(b)).toEqual(files);
    for (const f of files) expect([f, readFileSync(join(b, f), "utf8")]).toEqual([f, readFileSync(join(a, f), "utf8")]);
  });

  it("matches the committed examples/ (refresh them with `npm run synth -- --update-examples`)", () => {
    const synthesizedExamples = listFiles(join(synthesized().dir, "examples"));
    const committed = listFiles(join(REPO_ROOT, "examples")).filter((f) => f.endsWith(".yaml"));
    expect(committed).toEqual(synthesizedExamples);
    for (const f of committed) {
      expect([f, readFileSync(join(REPO_ROOT, "examples", f), "utf8")]).toEqual([f, file(`examples/${f}`).text]);
    }
  });
});

describe("function image and package scripts", () => {
  const dockerfile = readFileSync(join(REPO_ROOT, "functions/Dockerfile"), "utf8");
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it("runs the function on a distroless Node runtime as non-root", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.at(-1)).toMatch(/^gcr\.io\/distroless\/nodejs\S+:nonroot/);
    expect(stages.at(-1)).not.toMatch(/^RUN /m);
  });

  it("builds with scripts that exist, and package scripts that read synth's package roots", () => {
    const used = [...dockerfile.matchAll(/^RUN npm run (\S+)/gm)].map(([, name]) => name);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect([name, scripts[name] !== undefined]).toEqual([name, true]);
    expect(scripts["xpkg:configuration"]).toContain("--package-root=dist/package ");
    expect(scripts["xpkg:configuration-namespaced"]).toContain("--package-root=dist/package-namespaced ");
    expect(scripts["xpkg:build"]).toContain("npm run xpkg:configuration-namespaced");
    expect(scripts["xpkg:function"]).toContain("--package-root=dist/function");
    expect(scripts["xpkg:function"]).toContain("--embed-runtime-image");
  });
});
