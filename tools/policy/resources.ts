/**
 * Reading composed manifests for the policy rules: kinds, selectors, AWS names and the IAM
 * documents inside them. Plain JSON in, no models: rules judge exactly what Crossplane receives.
 */

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { deletionPolicy?: string; managementPolicies?: string[]; forProvider?: Record<string, any>; [field: string]: unknown };
}

/** Composed resource name -> manifest, as in the function's desired state. */
export type Resources = Record<string, Manifest>;

export const EXTERNAL_NAME = "crossplane.io/external-name";

/** `group` is the API group's first label (`s3`, `rds`, ...), as in `s3.aws.upbound.io`. */
export function ofKind(resources: Resources, group: string, kind: string): Array<[string, Manifest]> {
  return Object.entries(resources).filter(([, r]) => r.kind === kind && r.apiVersion?.split(".")[0] === group);
}

/**
 * Whether deleting the object keeps the AWS resource, as crossplane-runtime decides it:
 * `deletionPolicy: Orphan` (cluster-scoped kinds), or management policies without Delete (the
 * only way on namespaced kinds, which have no deletionPolicy).
 */
export function orphaned(r: Manifest): boolean {
  const policies = r.spec?.managementPolicies;
  if (r.spec?.deletionPolicy === "Orphan") return true;
  return policies !== undefined && !policies.includes("Delete") && !policies.includes("*");
}

/** What deleting the object does to the AWS resource, in a rule's words. */
export function deletionOf(r: Manifest): string {
  if (r.spec?.deletionPolicy !== undefined || !r.spec?.managementPolicies)
    return `deletionPolicy is ${r.spec?.deletionPolicy ?? "unset (Delete)"}`;
  return `managementPolicies ${JSON.stringify(r.spec.managementPolicies)}${orphaned(r) ? " exclude" : " include"} Delete`;
}

export function forProvider(r: Manifest): Record<string, any> {
  return r.spec?.forProvider ?? {};
}

export function externalName(r: Manifest): string | undefined {
  return r.metadata?.annotations?.[EXTERNAL_NAME];
}

/**
 * `forProvider` fields in which the composition chooses an AWS name (the rest of a resource's
 * identity is the external name or an id AWS assigns).
 */
export const NAME_FIELDS = ["name", "finalSnapshotIdentifier"] as const;

/**
 * Kinds whose AWS identity is an id AWS assigns, and whose `name` AWS lets any number of resources
 * share, so a shared name cannot make the provider adopt another environment's resource.
 */
export const NAME_NOT_IDENTITY: ReadonlyArray<{ group: string; kind: string; why: string }> = [
  { group: "route53", kind: "Zone", why: "the zone id is the identity; the DNS name is the team's choice and AWS allows duplicates" },
  { group: "route53", kind: "Record", why: "the identity is zone id, name, type and set id, and every environment has a zone of its own" },
];

/** The AWS names a composed resource chooses: its external name and its name fields. */
export function awsNames(r: Manifest): string[] {
  const group = r.apiVersion?.split(".")[0];
  const fp = forProvider(r);
  const fields = NAME_NOT_IDENTITY.some((k) => k.group === group && k.kind === r.kind)
    ? []
    : NAME_FIELDS.map((f) => fp[f]).filter((v): v is string => typeof v === "string" && v !== "");
  const external = externalName(r);
  return [...new Set([...(external ? [external] : []), ...fields])];
}

/** Whether `ref` (the value of a `<field>Selector`) selects `target`: every label it matches is on the target. */
export function selects(ref: unknown, target: Manifest): boolean {
  const labels = (ref as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  if (!labels || Object.keys(labels).length === 0) return false;
  return Object.entries(labels).every(([k, v]) => target.metadata?.labels?.[k] === v);
}

/** Whether `source` points at `target` through `<field>Selector`, `<field>Ref` or the target's AWS name in `<field>`. */
export function refersTo(source: Manifest, field: string, target: Manifest): boolean {
  const fp = forProvider(source);
  if (selects(fp[`${field}Selector`], target)) return true;
  if (fp[`${field}Ref`]?.name && fp[`${field}Ref`].name === target.metadata?.name) return true;
  const name = externalName(target);
  return name !== undefined && fp[field] === name;
}

export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: string | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, unknown>>;
}

export const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The statements of a policy document given as a JSON string; a document that is not JSON has none it could be judged by. */
export function statements(document: unknown): Statement[] | undefined {
  if (typeof document !== "string") return undefined;
  try {
    return list((JSON.parse(document) as { Statement?: Statement | Statement[] }).Statement);
  } catch {
    return undefined;
  }
}

/** Identity policies: what a role may do. Resource policies (bucket, key) are judged by their own rules. */
export function identityPolicies(resources: Resources): Array<{ resource: string; document: unknown }> {
  const out: Array<{ resource: string; document: unknown }> = [];
  for (const [name, r] of Object.entries(resources)) {
    if (r.apiVersion?.split(".")[0] !== "iam") continue;
    const fp = forProvider(r);
    if (["RolePolicy", "Policy", "UserPolicy", "GroupPolicy"].includes(r.kind)) out.push({ resource: name, document: fp.policy });
    if (r.kind === "Role")
      for (const inline of list(fp.inlinePolicy)) out.push({ resource: name, document: (inline as { policy?: unknown }).policy });
  }
  return out;
}

/** Every string in a value with the path that leads to it. */
export function* strings(value: unknown, path = ""): Generator<{ path: string; key: string; value: string | number }> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* strings(value[i], `${path}[${i}]`);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" || typeof v === "number") yield { path: `${path}.${k}`, key: k, value: v };
      else yield* strings(v, `${path}.${k}`);
    }
  }
}
