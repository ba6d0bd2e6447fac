/**
 * Every synthesized object is checked by something that can say no: its typed model's JSON schema
 * (generated from the CRD or the Kubernetes OpenAPI), or, for kinds no API server serves, an
 * explicit shape check. An object no checker claims fails the suite.
 */
import { CompositeResourceDefinition } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1/CompositeResourceDefinition";
import { Composition } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1/Composition";
import { CompositeResourceDefinition as CompositeResourceDefinitionV2 } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v2/CompositeResourceDefinition";
import { ManagedResourceActivationPolicy } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1alpha1/ManagedResourceActivationPolicy";
import { Configuration } from "@crossplane-models/crossplane/pkg.crossplane.io/v1/Configuration";
import { Function as FunctionV1 } from "@crossplane-models/crossplane/pkg.crossplane.io/v1/Function";
import { Provider } from "@crossplane-models/crossplane/pkg.crossplane.io/v1/Provider";
import { DeploymentRuntimeConfig } from "@crossplane-models/crossplane/pkg.crossplane.io/v1beta1/DeploymentRuntimeConfig";
import { Function as FunctionV1beta1 } from "@crossplane-models/crossplane/pkg.crossplane.io/v1beta1/Function";
import { ProviderConfig } from "@crossplane-models/provider-upjet-aws/aws.upbound.io/v1beta1/ProviderConfig";
import { ClusterProviderConfig } from "@crossplane-models/provider-upjet-aws/aws.m.upbound.io/v1beta1/ClusterProviderConfig";
import { Account as ApiGatewayAccount } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/Account";
import { RegionSettings as BackupRegionSettings } from "@crossplane-models/provider-upjet-aws/backup.aws.upbound.io/v1beta1/RegionSettings";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicyAttachment } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicyAttachment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { API_GROUP, API_VERSION, CLAIM_KIND, NAMESPACED_API_GROUP, NAMESPACED_KIND, validateSpec } from "../../src/api/index.js";
import { allObjects, type Manifest } from "./support.js";

type Check = (object: Manifest) => void;
const model =
  (M: new (data: never) => { validate(): void }): Check =>
  (o) =>
    new M(o as never).validate();

function expectShape(object: Manifest, required: string[]): void {
  for (const path of required) {
    const value = path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], object);
    if (value === undefined) throw new Error(`${object.kind} ${object.metadata.name} has no ${path}`);
  }
}

/** apiVersion/kind → how it is validated. */
const CHECKS: Record<string, Check> = {
  "apiextensions.crossplane.io/v1/CompositeResourceDefinition": model(CompositeResourceDefinition),
  "apiextensions.crossplane.io/v1/Composition": model(Composition),
  "apiextensions.crossplane.io/v2/CompositeResourceDefinition": model(CompositeResourceDefinitionV2),
  "apiextensions.crossplane.io/v1alpha1/ManagedResourceActivationPolicy": model(ManagedResourceActivationPolicy),
  "pkg.crossplane.io/v1/Configuration": model(Configuration),
  "pkg.crossplane.io/v1/Function": model(FunctionV1),
  "pkg.crossplane.io/v1beta1/Function": model(FunctionV1beta1),
  "pkg.crossplane.io/v1/Provider": model(Provider),
  "pkg.crossplane.io/v1beta1/DeploymentRuntimeConfig": model(DeploymentRuntimeConfig),
  "aws.upbound.io/v1beta1/ProviderConfig": model(ProviderConfig),
  "aws.m.upbound.io/v1beta1/ClusterProviderConfig": model(ClusterProviderConfig),
  "apigateway.aws.upbound.io/v1beta1/Account": model(ApiGatewayAccount),
  "backup.aws.upbound.io/v1beta1/RegionSettings": model(BackupRegionSettings),
  "iam.aws.upbound.io/v1beta1/Role": model(Role),
  "iam.aws.upbound.io/v1beta1/RolePolicyAttachment": model(RolePolicyAttachment),
  "v1/ConfigMap": model(ConfigMap),
  "v1/Namespace": model(Namespace),
  "v1/ResourceQuota": model(ResourceQuota),
  "rbac.authorization.k8s.io/v1/ClusterRole": model(ClusterRole),
  "rbac.authorization.k8s.io/v1/RoleBinding": model(RoleBinding),
  [`${API_GROUP}/${API_VERSION}/${CLAIM_KIND}`]: (o) => void validateSpec(o.spec),
  [`${NAMESPACED_API_GROUP}/${API_VERSION}/${NAMESPACED_KIND}`]: (o) => void validateSpec(o.spec),
  // No CRD exists for package metadata; the package manager reads these fields.
  "meta.pkg.crossplane.io/v1/Configuration": (o) => expectShape(o, ["metadata.name", "spec.crossplane.version", "spec.dependsOn"]),
  "meta.pkg.crossplane.io/v1beta1/Function": (o) => expectShape(o, ["metadata.name", "spec.crossplane.version"]),
  "argoproj.io/v1alpha1/Application": (o) =>
    expectShape(o, [
      "metadata.namespace",
      "spec.project",
      "spec.source.repoURL",
      "spec.source.path",
      "spec.source.targetRevision",
      "spec.destination.server",
    ]),
};

const objects = allObjects();

describe("synthesized objects", () => {
  it.each(objects.map((o) => [`${o.file} ${o.kind}/${o.metadata.name}`, o] as const))("%s is valid", (_, object) => {
    const check = CHECKS[`${object.apiVersion}/${object.kind}`];
    expect(check).toBeDefined();
    expect(() => check(object)).not.toThrow();
  });

  it("cover every kind the checks know, so none of them is dead", () => {
    const seen = new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`));
    expect(Object.keys(CHECKS).filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe("the model checks reject broken objects", () => {
  const pick = (kind: string) =>
    structuredClone(objects.find((o) => o.kind === kind)!) as unknown as Manifest & { spec: Record<string, unknown> };
  const cases: Array<[string, string, (o: Manifest & { spec: Record<string, unknown> }) => void]> = [
    [
      "a Composition in an unknown mode",
      "Composition",
      (o) => {
        o.spec.mode = "Resources-and-more";
      },
    ],
    [
      "a Composition step without a function",
      "Composition",
      (o) => {
        delete (o.spec.pipeline as Array<Record<string, unknown>>)[0].functionRef;
      },
    ],
    [
      "an XRD without versions",
      "CompositeResourceDefinition",
      (o) => {
        delete o.spec.versions;
      },
    ],
    [
      "a Provider without a package",
      "Provider",
      (o) => {
        delete o.spec.package;
      },
    ],
    [
      "a ProviderConfig with an unknown credentials source",
      "ProviderConfig",
      (o) => {
        (o.spec.credentials as Record<string, unknown>).source = "Password";
      },
    ],
  ];
  it.each(cases)("%s", (_, kind, breakIt) => {
    const object = pick(kind);
    breakIt(object);
    expect(() => CHECKS[`${object.apiVersion}/${object.kind}`](object)).toThrow();
  });
});
