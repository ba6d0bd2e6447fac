/**
 * Deletion order for the namespaced flavor, as Crossplane Usages: while a Usage exists, Crossplane
 * refuses to delete the resource it protects (`of`) until the one that uses it (`by`) is gone.
 *
 * One table says which kinds wait for which; who uses what is read from the composed resources'
 * own selectors, so a new reference in a block is covered without touching this file. Only where
 * the wrong order fails or loses data (the provider retries a refused deletion, but a key that is
 * gone cannot be brought back to decrypt).
 *
 * `replayDeletion` makes Crossplane replay a deletion the Usage blocked as soon as the Usage goes,
 * instead of waiting for the next garbage collection pass.
 */
import { Usage } from "@crossplane-models/crossplane/protection.crossplane.io/v1beta1/Usage";
import { LABELS } from "./scope.js";

/** `<service>/<Kind>`, the service being the provider group's first label (`rds` of rds.aws.m.upbound.io). */
type KindName = string;

export interface UsageRule {
  /** The kind whose deletion waits. */
  of: KindName;
  /** The kinds that use it through a selector and go first; `*` for every kind but `except`. */
  by: readonly KindName[] | "*";
  except?: readonly KindName[];
  why: string;
}

export const USAGE_RULES: readonly UsageRule[] = [
  {
    of: "kms/Key",
    by: "*",
    except: ["kms/Alias"],
    why: "a key pending deletion decrypts nothing: a cluster's final snapshot, a table, a bucket's objects, a queue's messages and a vault's recovery points would be unreadable",
  },
  {
    of: "ec2/Subnet",
    by: ["rds/SubnetGroup"],
    why: "the cluster's network interfaces hold the subnet: EC2 refuses with DependencyViolation",
  },
  {
    of: "ec2/SecurityGroup",
    by: ["rds/Cluster"],
    why: "network interfaces of the cluster hold the group: EC2 refuses with DependencyViolation",
  },
  {
    of: "rds/SubnetGroup",
    by: ["rds/Cluster", "rds/ClusterInstance"],
    why: "RDS refuses to delete a subnet group a cluster is in (InvalidDBSubnetGroupStateFault)",
  },
  {
    of: "rds/ClusterParameterGroup",
    by: ["rds/Cluster"],
    why: "RDS refuses to delete a parameter group in use (InvalidDBParameterGroupState)",
  },
  { of: "rds/Cluster", by: ["rds/ClusterInstance"], why: "RDS refuses to delete a cluster that still has instances" },
];

/**
 * Uses no selector shows: resources that name a key by its ARN or alias (the provider's models
 * have no selector for these fields), by logical name of the key and of its users.
 */
export const USES_BY_VALUE: ReadonlyArray<{ of: string; by: RegExp }> = [
  { of: "storage-key", by: /^(table|table-replica|queue|queue-dlq)$/ },
  { of: "alerts-key", by: /^alerts-topic$/ },
];

type Json = Record<string, unknown>;

interface Composed {
  key: string;
  kind: KindName;
  apiVersion: string;
  labels: Record<string, string>;
  manifest: Json;
}

const kindName = (apiVersion: string, kind: string): KindName => `${apiVersion.split(".")[0]}/${kind}`;

/** The label sets of every `*Selector` in a resource's parameters. */
function selectorLabels(value: unknown, out: Array<Record<string, string>> = []): Array<Record<string, string>> {
  if (Array.isArray(value)) value.forEach((v) => selectorLabels(v, out));
  else if (value && typeof value === "object")
    for (const [key, child] of Object.entries(value as Json)) {
      const labels = (child as { matchLabels?: Record<string, string> } | null)?.matchLabels;
      if (key.endsWith("Selector") && labels) out.push(labels);
      else selectorLabels(child, out);
    }
  return out;
}

const matches = (labels: Record<string, string>, selector: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const covers = (rule: UsageRule, kind: KindName) => (rule.by === "*" || rule.by.includes(kind)) && !(rule.except ?? []).includes(kind);

const selectorOf = (c: Composed) => ({
  apiVersion: c.apiVersion,
  kind: c.manifest.kind as string,
  resourceSelector: {
    matchControllerRef: true,
    matchLabels: { [LABELS.regionRole]: c.labels[LABELS.regionRole]!, [LABELS.resource]: c.labels[LABELS.resource]! },
  },
});

/**
 * One Usage for every resource a rule protects and each sibling that selects it, named after both
 * (so the name never moves) and labelled with the protected resource's region.
 */
export function usagesFor(resources: Record<string, Json>, namespace: string): Record<string, Json> {
  const composed: Composed[] = Object.entries(resources).flatMap(([key, manifest]) => {
    const { apiVersion, kind, metadata } = manifest as { apiVersion: string; kind: string; metadata?: { labels?: Record<string, string> } };
    const labels = metadata?.labels ?? {};
    return labels[LABELS.regionRole] && labels[LABELS.resource]
      ? [{ key, kind: kindName(apiVersion, kind), apiVersion, labels, manifest }]
      : [];
  });
  const out: Record<string, Json> = {};
  const role = (c: Composed) => c.labels[LABELS.regionRole];
  const logical = (c: Composed) => c.labels[LABELS.resource]!;
  for (const by of composed) {
    const spec = by.manifest.spec as { forProvider?: unknown; initProvider?: unknown } | undefined;
    const selectors = selectorLabels([spec?.forProvider, spec?.initProvider]);
    const uses = (c: Composed) =>
      selectors.some((s) => matches(c.labels, s)) ||
      (role(c) === role(by) && USES_BY_VALUE.some((u) => u.of === logical(c) && u.by.test(logical(by))));
    for (const rule of USAGE_RULES.filter((r) => covers(r, by.kind))) {
      for (const of of composed.filter((c) => c.kind === rule.of && uses(c))) {
        const key = `${of.key}-used-by-${by.key}`;
        const usage = new Usage({
          metadata: { namespace, labels: { [LABELS.regionRole]: of.labels[LABELS.regionRole]!, [LABELS.block]: "usages" } },
          spec: { of: selectorOf(of), by: selectorOf(by), reason: rule.why, replayDeletion: true },
        });
        usage.validate();
        out[key] = usage.toJSON() as Json;
      }
    }
  }
  return out;
}
