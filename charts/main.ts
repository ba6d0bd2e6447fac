/**
 * The cdk8s app: writes every manifest into dist/, one directory per audience and one file per
 * chart. Run with `npm run synth` (or `cdk8s synth`, which sets CDK8S_OUTDIR).
 *   --update-examples   also copy dist/examples/*.yaml over the committed examples/
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Chart, YamlOutputType } from "cdk8s";
import type { Construct } from "constructs";
import { ARGOCD_CHARTS } from "./argocd.js";
import { EXAMPLE_CLAIMS, ExampleClaimChart, NAMESPACED_EXAMPLE, RenderFunctionsChart } from "./examples.js";
import { INSTALL_CHARTS } from "./install.js";
import {
  ActivationPolicyChart,
  CompositionChart,
  ConfigurationMetadataChart,
  FunctionMetadataChart,
  NamespacedCompositionChart,
  NamespacedConfigurationMetadataChart,
  NamespacedXrdChart,
  XrdChart,
} from "./package.js";
import { TENANCY_CHARTS } from "./tenancy.js";

type ChartFactory = (scope: Construct, id: string) => Chart;
const of =
  (C: new (scope: Construct, id: string) => Chart): ChartFactory =>
  (scope, id) =>
    new C(scope, id);
const all = (charts: Record<string, new (scope: Construct, id: string) => Chart>) =>
  Object.fromEntries(Object.entries(charts).map(([file, C]) => [file, of(C)]));

/** dist/<directory>/<file>.yaml ← chart. The package directories are xpkg package roots. */
export const LAYOUT: Record<string, Record<string, ChartFactory>> = {
  package: { crossplane: of(ConfigurationMetadataChart), xrd: of(XrdChart), composition: of(CompositionChart) },
  "package-namespaced": {
    crossplane: of(NamespacedConfigurationMetadataChart),
    xrd: of(NamespacedXrdChart),
    composition: of(NamespacedCompositionChart),
    "activation-policy": of(ActivationPolicyChart),
  },
  function: { crossplane: of(FunctionMetadataChart) },
  install: all(INSTALL_CHARTS),
  argocd: all(ARGOCD_CHARTS),
  tenancy: all(TENANCY_CHARTS),
  examples: {
    ...Object.fromEntries(
      Object.entries(EXAMPLE_CLAIMS).map(([tier, claim]) => [tier, (s: Construct, id: string) => new ExampleClaimChart(s, id, claim)]),
    ),
    "warm-standby-namespaced": (s: Construct, id: string) => new ExampleClaimChart(s, id, NAMESPACED_EXAMPLE, "namespaced"),
    functions: of(RenderFunctionsChart),
  },
};

export const REPO_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Writes every directory of LAYOUT under `outdir`, replacing what a previous synth left there. */
export function synth(outdir: string): string[] {
  const written: string[] = [];
  for (const [directory, charts] of Object.entries(LAYOUT)) {
    const target = join(outdir, directory);
    rmSync(target, { recursive: true, force: true });
    const app = new App({ outdir: target, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: ".yaml" });
    for (const [file, make] of Object.entries(charts)) make(app, file);
    app.synth();
    written.push(...Object.keys(charts).map((file) => join(directory, `${file}.yaml`)));
  }
  return written;
}

export function updateExamples(outdir: string, examplesDir = join(REPO_ROOT, "examples")): string[] {
  mkdirSync(examplesDir, { recursive: true });
  const files = readdirSync(join(outdir, "examples")).filter((f) => f.endsWith(".yaml"));
  for (const f of files) copyFileSync(join(outdir, "examples", f), join(examplesDir, f));
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.env.CDK8S_OUTDIR ?? join(REPO_ROOT, "dist"));
  const files = synth(outdir);
  console.log(`wrote ${files.length} files to ${outdir}`);
  if (process.argv.includes("--update-examples")) console.log(`updated examples/: ${updateExamples(outdir).join(", ")}`);
}
