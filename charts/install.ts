/**
 * What a platform engineer installs into a cluster: the provider family members, our function,
 * the Configuration and an example ProviderConfig. Each object carries its Argo CD sync wave so the
 * same files work applied in one Application; with kubectl, apply the files in the order of
 * INSTALL_FILES (README).
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { Configuration } from "@crossplane-models/crossplane/pkg.crossplane.io/v1/Configuration";
import { Function as CrossplaneFunction } from "@crossplane-models/crossplane/pkg.crossplane.io/v1/Function";
import { Provider } from "@crossplane-models/crossplane/pkg.crossplane.io/v1/Provider";
import { DeploymentRuntimeConfig } from "@crossplane-models/crossplane/pkg.crossplane.io/v1beta1/DeploymentRuntimeConfig";
import { ProviderConfig } from "@crossplane-models/provider-upjet-aws/aws.upbound.io/v1beta1/ProviderConfig";
import { PROVIDER_AWS_VERSION, PROVIDER_FAMILY_MEMBERS, providerPackage } from "../src/provider.js";
import {
  CONFIGURATION_NAME,
  CONFIGURATION_PACKAGE,
  CROSSPLANE_NAMESPACE,
  FUNCTION_NAME,
  FUNCTION_PACKAGE,
  PACKAGE_VERSION,
} from "../src/identity.js";
import { addModel } from "../compositions/model-object.js";
import { INSTALL_OPTIONS, type InstallOptions } from "./options.js";

/** Argo CD applies lower waves first and waits for them to be healthy. */
export const SYNC_WAVES = { runtime: -1, providers: 0, providerConfig: 1, functions: 2, configuration: 3 } as const;

export const RUNTIME_CONFIG_NAME = "provider-aws";
export const PROVIDER_CONFIG_NAME = "default";
export const CREDENTIALS_SECRET = { namespace: CROSSPLANE_NAMESPACE, name: "aws-credentials", key: "credentials" } as const;

export function wave(n: number, extra: Record<string, string> = {}): Record<string, string> {
  return { "argocd.argoproj.io/sync-wave": String(n), ...extra };
}

/** The ProviderConfig's CRD arrives with the provider, after Argo CD's dry run has run. */
const SKIP_DRY_RUN = { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" };

/** The IRSA annotation on the providers' service account, when the install uses IRSA. */
export function serviceAccountMetadata(options: InstallOptions): { name: string; annotations?: Record<string, string> } {
  return {
    name: RUNTIME_CONFIG_NAME,
    ...(options.irsaRoleArn ? { annotations: { "eks.amazonaws.com/role-arn": options.irsaRoleArn } } : {}),
  };
}

/** IRSA when a role is configured, else the credentials Secret; never inline credentials. */
export function providerCredentials(options: InstallOptions) {
  return options.irsaRoleArn ? { source: "IRSA" as const } : { source: "Secret" as const, secretRef: { ...CREDENTIALS_SECRET } };
}

export class ProvidersChart extends Chart {
  constructor(scope: Construct, id: string, options: InstallOptions = INSTALL_OPTIONS) {
    super(scope, id);
    addModel(
      this,
      "runtime",
      new DeploymentRuntimeConfig({
        metadata: { name: RUNTIME_CONFIG_NAME, annotations: wave(SYNC_WAVES.runtime) },
        spec: {
          deploymentTemplate: {
            spec: {
              selector: {},
              template: {
                spec: {
                  containers: [
                    {
                      name: "package-runtime",
                      // Poll drift every 10 minutes rather than every minute: fifteen providers share the AWS API quota.
                      args: ["--poll=10m", "--max-reconcile-rate=10"],
                      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
                    },
                  ],
                },
              },
            },
          },
          // IRSA: package.json config.irsaRoleArn (charts/options.ts) annotates it; the role trusts this service account.
          serviceAccountTemplate: { metadata: serviceAccountMetadata(options) },
        },
      }),
    );
    for (const member of PROVIDER_FAMILY_MEMBERS) {
      addModel(
        this,
        member,
        new Provider({
          metadata: { name: `provider-aws-${member}`, annotations: wave(SYNC_WAVES.providers) },
          spec: {
            package: `${providerPackage(member)}:${PROVIDER_AWS_VERSION}`,
            runtimeConfigRef: { apiVersion: "pkg.crossplane.io/v1beta1", kind: "DeploymentRuntimeConfig", name: RUNTIME_CONFIG_NAME },
          },
        }),
      );
    }
  }
}

export class ProviderConfigChart extends Chart {
  constructor(scope: Construct, id: string, options: InstallOptions = INSTALL_OPTIONS) {
    super(scope, id);
    addModel(
      this,
      "provider-config",
      new ProviderConfig({
        metadata: { name: PROVIDER_CONFIG_NAME, annotations: wave(SYNC_WAVES.providerConfig, SKIP_DRY_RUN) },
        spec: { credentials: providerCredentials(options) },
      }),
    );
  }
}

export class FunctionsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addModel(
      this,
      "function",
      new CrossplaneFunction({
        metadata: { name: FUNCTION_NAME, annotations: wave(SYNC_WAVES.functions) },
        spec: { package: `${FUNCTION_PACKAGE}:${PACKAGE_VERSION}` },
      }),
    );
  }
}

export class ConfigurationChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addModel(
      this,
      "configuration",
      new Configuration({
        metadata: { name: CONFIGURATION_NAME, annotations: wave(SYNC_WAVES.configuration) },
        spec: { package: `${CONFIGURATION_PACKAGE}:${PACKAGE_VERSION}` },
      }),
    );
  }
}

/** dist/install files in the order they must be applied. */
export const INSTALL_CHARTS = {
  providers: ProvidersChart,
  "provider-config": ProviderConfigChart,
  functions: FunctionsChart,
  configuration: ConfigurationChart,
} as const;
