/**
 * The two flavors of one API, and the one place where they differ in what is composed.
 *
 * The blocks always build the provider's cluster-scoped kinds (`*.aws.upbound.io`). For a
 * namespaced composite (the namespaced flavor) each of them is carried over to its namespaced
 * twin (`*.aws.m.upbound.io`, served at v1beta1 by every supported release, with the forProvider
 * schema of the cluster kind's storage version), created in the composite's namespace and
 * validated against the namespaced model. What has no namespaced equivalent is translated:
 * - `deletionPolicy` is gone from namespaced managed resources; Orphan becomes management
 *   policies without Delete, which keeps the external resource when the object is deleted;
 * - secret references and the provider config are namespace-local, so their namespace is dropped
 *   and the provider config is named by kind: the platform's ClusterProviderConfig, or a
 *   ProviderConfig in the composite's namespace when spec.providerConfigKind says so.
 */
import type { Flavor } from "../../src/api/index.js";
import { NAMESPACED_MODEL_VERSION } from "../../src/provider.js";
import type { Model } from "@kubernetes-models/base";
import { NAMESPACED_MODELS } from "./namespaced-models.generated.js";

const CLUSTER_GROUP_SUFFIX = ".aws.upbound.io";
const NAMESPACED_GROUP_SUFFIX = ".aws.m.upbound.io";

/** Every management policy but Delete: the provider keeps the AWS resource when the object goes. */
export const ORPHAN_MANAGEMENT_POLICIES = ["Observe", "Create", "Update", "LateInitialize"];

/** The provider config kinds namespaced managed resources may name. */
export type ProviderConfigKind = "ClusterProviderConfig" | "ProviderConfig";

/** `ec2.aws.upbound.io/v1beta2` -> `ec2.aws.m.upbound.io/v1beta1`; other groups (Crossplane's own) stay. */
export function namespacedApiVersion(apiVersion: string): string {
  const [group] = apiVersion.split("/");
  if (!group!.endsWith(CLUSTER_GROUP_SUFFIX)) return apiVersion;
  return `${group!.slice(0, -CLUSTER_GROUP_SUFFIX.length)}${NAMESPACED_GROUP_SUFFIX}/${NAMESPACED_MODEL_VERSION}`;
}

type Json = Record<string, unknown>;

/** Drops `namespace` from every secret reference: a namespaced resource reads secrets of its own namespace only. */
function localSecretRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localSecretRefs);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Json).map(([key, child]) => {
      if (key.endsWith("SecretRef") && child && typeof child === "object") {
        const { namespace: _namespace, ...local } = child as Json;
        return [key, local];
      }
      return [key, localSecretRefs(child)];
    }),
  );
}

/** The namespaced twin of a cluster-scoped managed resource manifest. */
export function toNamespaced(manifest: Json, namespace: string, providerConfigKind: ProviderConfigKind = "ClusterProviderConfig"): Json {
  const { apiVersion, metadata, spec } = manifest as { apiVersion: string; metadata?: Json; spec?: Json };
  if (!apiVersion.split("/")[0]!.endsWith(CLUSTER_GROUP_SUFFIX)) return { ...manifest, metadata: { ...metadata, namespace } };
  const { deletionPolicy, providerConfigRef, writeConnectionSecretToRef, managementPolicies, ...rest } = (spec ?? {}) as Json & {
    providerConfigRef?: { name: string };
    writeConnectionSecretToRef?: { name: string };
    managementPolicies?: string[];
  };
  const orphan = deletionPolicy === "Orphan";
  const policies = !orphan
    ? managementPolicies
    : !managementPolicies || managementPolicies.includes("*")
      ? ORPHAN_MANAGEMENT_POLICIES
      : managementPolicies.filter((p) => p !== "Delete");
  return {
    ...manifest,
    apiVersion: namespacedApiVersion(apiVersion),
    metadata: { ...metadata, namespace },
    spec: {
      ...(localSecretRefs(rest) as Json),
      ...(policies ? { managementPolicies: policies } : {}),
      ...(providerConfigRef ? { providerConfigRef: { kind: providerConfigKind, name: providerConfigRef.name } } : {}),
      ...(writeConnectionSecretToRef ? { writeConnectionSecretToRef: { name: writeConnectionSecretToRef.name } } : {}),
    },
  };
}

/** What the flavor of a resource depends on: the environment's flavor, namespace and provider config kind. */
export interface FlavorOf {
  flavor: Flavor;
  namespace?: string;
  spec: { providerConfigKind: ProviderConfigKind };
}

/**
 * The model the composer validates and emits for a resource a block built: the block's own for
 * the claim flavor, its namespaced twin's for the namespaced flavor.
 */
export function modelForFlavor<M extends Model<unknown>>(model: M, env: FlavorOf): M {
  if (env.flavor === "cluster") return model;
  const manifest = toNamespaced(model.toJSON() as Json, env.namespace ?? "", env.spec.providerConfigKind);
  const key = `${manifest.apiVersion as string}/${manifest.kind as string}`;
  const Twin = NAMESPACED_MODELS[key];
  if (!Twin)
    throw new Error(`no namespaced model for ${key}: regenerate functions/src/namespaced-models.generated.ts (npm run generate:kinds)`);
  return new Twin(manifest as never) as unknown as M;
}
