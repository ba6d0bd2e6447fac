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
import { ClusterProviderConfig } from "@crossplane-models/provider-upjet-aws/aws.m.upbound.io/v1beta1/ClusterProviderConfig";
import { Account as ApiGatewayAccount } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/Account";
import { RegionSettings as BackupRegionSettings } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta1/RegionSettings";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicyAttachment } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicyAttachment";
import { PROVIDER_AWS_VERSION, PROVIDER_FAMILY_MEMBERS, providerPackage } from "../src/provider.js";
import {
  CONFIGURATION_NAME,
  CONFIGURATION_PACKAGE,
  NAMESPACED_CONFIGURATION_NAME,
  NAMESPACED_CONFIGURATION_PACKAGE,
  CROSSPLANE_NAMESPACE,
  FUNCTION_NAME,
  FUNCTION_PACKAGE,
  PACKAGE_VERSION,
} from "../src/identity.js";
import { addModel } from "../compositions/model-object.js";
import { INSTALL_OPTIONS, type InstallOptions } from "./options.js";

/** Argo CD applies lower waves first and waits for them to be healthy. */
export const SYNC_WAVES = { runtime: -1, providers: 0, providerConfig: 1, functions: 2, configuration: 3 } as const;
/** The account settings need the ProviderConfig; claims, which need them, sync after the Configuration. */
export const ACCOUNT_SETTINGS_WAVE = SYNC_WAVES.functions;

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
    // The namespaced flavor's resources name a ClusterProviderConfig (the provider's namespaced API): the same credentials.
    addModel(
      this,
      "cluster-provider-config",
      new ClusterProviderConfig({
        metadata: { name: PROVIDER_CONFIG_NAME, annotations: wave(SYNC_WAVES.providerConfig, SKIP_DRY_RUN) },
        spec: { credentials: providerCredentials(options) },
      }),
    );
  }
}

/**
 * The regions environments may use in the platform's AWS account: each gets the account-wide
 * settings below once. A platform team lists its own regions here (README, "Account settings").
 */
export const PLATFORM_REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"] as const;

/**
 * AWS Backup's service opt-in per region, which the provider sets as a whole. Opt-in governs only
 * tag-based assignments: the environments' selections name their cluster, table and bucket by
 * ARN, which AWS backs up whatever it says. Every service is opted in, so a tag-based plan of the
 * platform's covers every type it tags; a platform with another policy edits this map.
 */
export const BACKUP_SERVICE_OPT_IN = Object.fromEntries(
  ["Aurora", "DynamoDB", "EBS", "EC2", "EFS", "FSx", "RDS", "S3", "Storage Gateway", "VirtualMachine"].map((service) => [service, true]),
);

export const API_GATEWAY_LOGS_ROLE = "dr-platform-apigateway-cloudwatch";

/**
 * Settings AWS keeps once per account and region, installed once by the platform rather than by
 * each environment (which would overwrite one another's on every reconcile). API Gateway writes a
 * stage's access logs only once the region's account setting names a role it can assume; one
 * IAM role (IAM is global) serves every region. Orphan: the setting also serves APIs the platform
 * does not manage, and removing it would stop their logging. AWS Backup copies a DynamoDB
 * recovery point to another region only with its advanced DynamoDB features on (full management,
 * `ResourceTypeManagementPreference` `DynamoDB: true`), a region setting; the provider sends the
 * whole map, so EFS keeps AWS's default, `true`. The provider requires the service opt-in map
 * with it (every service its CRD lists); see BACKUP_SERVICE_OPT_IN.
 */
export class AccountSettingsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const annotations = wave(ACCOUNT_SETTINGS_WAVE, SKIP_DRY_RUN);
    addModel(
      this,
      "apigateway-logs-role",
      new Role({
        metadata: { name: API_GATEWAY_LOGS_ROLE, annotations: { ...annotations, "crossplane.io/external-name": API_GATEWAY_LOGS_ROLE } },
        spec: {
          deletionPolicy: "Orphan",
          forProvider: {
            assumeRolePolicy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            description: "API Gateway writes CloudWatch Logs, in every region of the platform",
            tags: { "managed-by": "crossplane", "dr.platform.io/owner": "platform" },
          },
        },
      }),
    );
    addModel(
      this,
      "apigateway-logs-role-policy",
      new RolePolicyAttachment({
        metadata: { name: API_GATEWAY_LOGS_ROLE, annotations },
        spec: {
          deletionPolicy: "Orphan",
          forProvider: {
            roleRef: { name: API_GATEWAY_LOGS_ROLE },
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
          },
        },
      }),
    );
    for (const region of PLATFORM_REGIONS) {
      addModel(
        this,
        `apigateway-account-${region}`,
        new ApiGatewayAccount({
          metadata: { name: `apigateway-account-${region}`, annotations },
          spec: { deletionPolicy: "Orphan", forProvider: { region, cloudwatchRoleArnRef: { name: API_GATEWAY_LOGS_ROLE } } },
        }),
      );
      addModel(
        this,
        `backup-region-settings-${region}`,
        new BackupRegionSettings({
          metadata: { name: `backup-region-settings-${region}`, annotations },
          spec: {
            deletionPolicy: "Orphan",
            forProvider: {
              region,
              resourceTypeManagementPreference: { DynamoDB: true, EFS: true },
              resourceTypeOptInPreference: BACKUP_SERVICE_OPT_IN,
            },
          },
        }),
      );
    }
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

/**
 * The namespaced flavor's Configuration, for Crossplane v2 only: a file of its own, which the
 * Argo CD install Application leaves out, so a v1.20 control plane never sees it.
 */
export const NAMESPACED_CONFIGURATION_FILE = "configuration-namespaced";

export class NamespacedConfigurationChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addModel(
      this,
      "configuration",
      new Configuration({
        metadata: { name: NAMESPACED_CONFIGURATION_NAME, annotations: wave(SYNC_WAVES.configuration) },
        spec: { package: `${NAMESPACED_CONFIGURATION_PACKAGE}:${PACKAGE_VERSION}` },
      }),
    );
  }
}

/** dist/install files in the order they must be applied. */
export const INSTALL_CHARTS = {
  providers: ProvidersChart,
  "provider-config": ProviderConfigChart,
  "account-settings": AccountSettingsChart,
  functions: FunctionsChart,
  configuration: ConfigurationChart,
  [NAMESPACED_CONFIGURATION_FILE]: NamespacedConfigurationChart,
} as const;
