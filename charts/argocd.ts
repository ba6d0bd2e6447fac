/**
 * Argo CD: an app of apps. The root Application (applied once) owns its children, synced in
 * APP_WAVES order: the platform install (providers, function, Configuration, ordered inside by
 * the objects' own sync waves), the tenancy objects, then (opt-in) the team's claims. Argo CD has no typed model
 * in our dependencies, so these are plain objects.
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { API_GROUP, CLAIM_KIND, NAMESPACED_API_GROUP, NAMESPACED_KIND } from "../src/api/index.js";
import { SOURCE_URL } from "../src/identity.js";
import { NAMESPACED_CONFIGURATION_FILE, wave } from "./install.js";
import { addPlain, type PlainObject } from "../compositions/model-object.js";
import { INSTALL_OPTIONS, type InstallOptions } from "./options.js";

export const ARGOCD_NAMESPACE = "argocd";
export const REPO_URL = `${SOURCE_URL}.git`;
export const TARGET_REVISION = "main";

/** Waves of the child Applications; inside dist/install the objects carry SYNC_WAVES. */
export const APP_WAVES = { install: 0, tenancy: 1, claims: 2 } as const;

interface AppSource {
  path: string;
  include?: string;
  exclude?: string;
}

function application(name: string, source: AppSource, annotations: Record<string, string> = {}): PlainObject {
  const { path, ...directory } = source;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: ARGOCD_NAMESPACE, annotations },
    spec: {
      project: "default",
      source: { repoURL: REPO_URL, targetRevision: TARGET_REVISION, path, directory: { recurse: false, ...directory } },
      destination: { server: "https://kubernetes.default.svc" },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // Retries cover the minutes between a provider's install and its CRDs being served.
        retry: { limit: 10, backoff: { duration: "30s", factor: 2, maxDuration: "5m" } },
        syncOptions: ["ServerSideApply=true"],
      },
    },
  };
}

export class RootApplicationChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addPlain(this, "root", application("dr-platform", { path: "dist/argocd", include: "apps.yaml" }));
  }
}

/**
 * The child Applications. The claims Application exists only when package.json
 * config.environmentsPath names the team's folder of claims (charts/options.ts): every claim is a
 * billed environment, so none is synced by default.
 */
export function childApplications(options: InstallOptions): Record<string, PlainObject> {
  return {
    install: application(
      "dr-platform-install",
      { path: "dist/install", exclude: `${NAMESPACED_CONFIGURATION_FILE}.yaml` },
      wave(APP_WAVES.install),
    ),
    tenancy: application("dr-platform-tenancy", { path: "dist/tenancy" }, wave(APP_WAVES.tenancy)),
    // Claims only once the install Application is healthy: the XRD is served and the function runs.
    ...(options.environmentsPath
      ? { claims: application("dr-environments", { path: options.environmentsPath }, wave(APP_WAVES.claims)) }
      : {}),
  };
}

export class ChildApplicationsChart extends Chart {
  constructor(scope: Construct, id: string, options: InstallOptions = INSTALL_OPTIONS) {
    super(scope, id);
    for (const [name, app] of Object.entries(childApplications(options))) addPlain(this, name, app);
  }
}

/** Ready=True is healthy; Synced=False (the function refused the claim) is degraded; else progressing. */
const CONDITION_HEALTH = `hs = {}
local ready, synced
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then ready = c end
    if c.type == "Synced" then synced = c end
  end
end
if synced ~= nil and synced.status == "False" then
  hs.status = "Degraded"
  hs.message = synced.message or synced.reason
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
else
  hs.status = "Progressing"
  hs.message = (ready ~= nil and (ready.message or ready.reason)) or "Waiting for the Ready condition"
end
return hs
`;

/** A package is healthy once its revision is installed and its runtime is healthy. */
const PACKAGE_HEALTH = `hs = {}
local installed, healthy
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Installed" then installed = c end
    if c.type == "Healthy" then healthy = c end
  end
end
if installed ~= nil and installed.status == "True" and healthy ~= nil and healthy.status == "True" then
  hs.status = "Healthy"
  hs.message = "Installed and healthy"
elseif healthy ~= nil and healthy.status == "False" and healthy.reason == "UnhealthyPackageRevision" then
  hs.status = "Degraded"
  hs.message = healthy.message or healthy.reason
else
  hs.status = "Progressing"
  hs.message = "Installing"
end
return hs
`;

/**
 * Argo CD stopped assessing Applications' health in 1.8; the app-of-apps waves need it back, or
 * the claims would sync before the platform is ready.
 */
const APPLICATION_HEALTH = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then hs.message = obj.status.health.message end
end
return hs
`;

export const HEALTH_CHECKS: Record<string, string> = {
  [`${API_GROUP}_${CLAIM_KIND}`]: CONDITION_HEALTH,
  // The namespaced composite reports the same Synced and Ready conditions as the claim.
  [`${NAMESPACED_API_GROUP}_${NAMESPACED_KIND}`]: CONDITION_HEALTH,
  "pkg.crossplane.io_Provider": PACKAGE_HEALTH,
  "pkg.crossplane.io_Function": PACKAGE_HEALTH,
  "pkg.crossplane.io_Configuration": PACKAGE_HEALTH,
  "argoproj.io_Application": APPLICATION_HEALTH,
};

/** Merge into the existing argocd-cm (`kubectl patch --type merge`); it only adds keys. */
export class ArgoCdConfigChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addPlain(this, "argocd-cm", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "argocd-cm", namespace: ARGOCD_NAMESPACE, labels: { "app.kubernetes.io/part-of": "argocd" } },
      data: Object.fromEntries(Object.entries(HEALTH_CHECKS).map(([key, lua]) => [`resource.customizations.health.${key}`, lua])),
    });
  }
}

export const ARGOCD_CHARTS = { root: RootApplicationChart, apps: ChildApplicationsChart, "argocd-cm": ArgoCdConfigChart } as const;
