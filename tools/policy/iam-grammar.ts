/**
 * What IAM, S3 and KMS accept as a policy document, checked before AWS would refuse one with
 * MalformedPolicyDocument or a quota error. Sources: the IAM User Guide's "IAM JSON policy element
 * reference" and "Grammar of the IAM JSON policy language", and "IAM and AWS STS quotas" (inline
 * policies of a role 10,240 characters together, a trust policy 2,048 by default, whitespace not
 * counted); the S3 User Guide (a bucket policy up to 20 KB) and the KMS Developer Guide (a key
 * policy up to 32 KB).
 */
import { forProvider, list, type Manifest, type Resources, type Statement } from "./resources.js";

/** Who a document speaks for: a role's permissions, a role's trust, or a resource's own policy. */
export type DocumentKind = "identity" | "trust" | "resource";

export interface PolicyDocument {
  resource: string;
  field: string;
  kind: DocumentKind;
  /** What the size quota counts the document against (the role, for inline policies), if any. */
  quota?: { of: string; limit: number; unit: "characters" | "bytes"; countsWhitespace: boolean };
  document: unknown;
}

const ROLE_INLINE_LIMIT = 10_240;
const TRUST_LIMIT = 2_048;
const BUCKET_POLICY_BYTES = 20 * 1024;
const KEY_POLICY_BYTES = 32 * 1024;

/** `service:Action`, a pattern of one, or `*`. */
const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
const SID = /^[A-Za-z0-9]+$/;
/** `arn:<partition>:<service>:<region>:<account>:<resource>`; region and account empty where the service has none (S3, IAM). */
const ARN = /^arn:aws(-cn|-us-gov|-iso(-[a-z])?)?:[a-z0-9-]+:([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d)?:(\d{12})?:.+$/;
const OPERATOR =
  /^((ForAnyValue|ForAllValues):)?(String(Not)?Equals(IgnoreCase)?|String(Not)?Like|Numeric(Not)?Equals|Numeric(Less|Greater)Than(Equals)?|Date(Not)?Equals|Date(Less|Greater)Than(Equals)?|Bool|BinaryEquals|(Not)?IpAddress|Arn(Not)?(Equals|Like))(IfExists)?$|^Null$/;
/** `aws:SecureTransport`, `kms:ViaService`, `kms:EncryptionContext:aws:logs:arn`, `sns:Endpoint`... */
const CONDITION_KEY = /^[A-Za-z0-9-]+:[A-Za-z0-9_./:-]+$/;

const roleOf = (r: Manifest): string | undefined => {
  const labels = (forProvider(r).roleSelector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  return labels ? Object.values(labels).join("/") : (forProvider(r).role as string | undefined);
};

/** Every policy document of the composition, with what AWS holds it to. */
export function policyDocuments(resources: Resources): PolicyDocument[] {
  const out: PolicyDocument[] = [];
  for (const [name, r] of Object.entries(resources)) {
    const group = r.apiVersion?.split(".")[0];
    const fp = forProvider(r);
    if (group === "iam" && r.kind === "RolePolicy") {
      const of = `role ${roleOf(r) ?? name}`;
      const quota = { of, limit: ROLE_INLINE_LIMIT, unit: "characters" as const, countsWhitespace: false };
      out.push({ resource: name, field: "policy", kind: "identity", quota, document: fp.policy });
    }
    if (group === "iam" && r.kind === "Role") {
      const quota = { of: `trust of ${name}`, limit: TRUST_LIMIT, unit: "characters" as const, countsWhitespace: false };
      out.push({ resource: name, field: "assumeRolePolicy", kind: "trust", quota, document: fp.assumeRolePolicy });
    }
    if (group === "s3" && r.kind === "BucketPolicy") {
      const quota = { of: name, limit: BUCKET_POLICY_BYTES, unit: "bytes" as const, countsWhitespace: true };
      out.push({ resource: name, field: "policy", kind: "resource", quota, document: fp.policy });
    }
    if (group === "kms" && r.kind === "Key" && fp.policy !== undefined) {
      const quota = { of: name, limit: KEY_POLICY_BYTES, unit: "bytes" as const, countsWhitespace: true };
      out.push({ resource: name, field: "policy", kind: "resource", quota, document: fp.policy });
    }
  }
  return out;
}

const hasAny = (s: Statement, ...fields: string[]) => fields.some((f) => (s as Record<string, unknown>)[f] !== undefined);

/** What is wrong with one statement, as AWS's grammar has it for a document of `kind`. */
function statementProblems(s: Statement, kind: DocumentKind): string[] {
  const problems: string[] = [];
  if (s.Sid !== undefined && !SID.test(s.Sid)) problems.push(`Sid ${JSON.stringify(s.Sid)} is not 1+ letters and digits`);
  if (s.Effect !== "Allow" && s.Effect !== "Deny") problems.push(`Effect ${JSON.stringify(s.Effect)} is neither Allow nor Deny`);
  if (hasAny(s, "Action") === hasAny(s, "NotAction")) problems.push("has not exactly one of Action and NotAction");
  const actions = list(s.Action ?? s.NotAction);
  if (actions.length === 0) problems.push("names no action");
  for (const a of actions) if (typeof a !== "string" || !ACTION.test(a)) problems.push(`action ${JSON.stringify(a)} is not service:Action`);
  const principal = hasAny(s, "Principal", "NotPrincipal");
  if (kind === "identity" && principal) problems.push("an identity policy names a Principal");
  if (kind !== "identity" && !principal) problems.push(`a ${kind} policy names no Principal`);
  const resourced = hasAny(s, "Resource", "NotResource");
  if (kind === "trust" && resourced) problems.push("a trust policy names a Resource");
  if (kind !== "trust") {
    if (hasAny(s, "Resource") === hasAny(s, "NotResource")) problems.push("has not exactly one of Resource and NotResource");
    const resources = list(s.Resource ?? s.NotResource);
    if (resources.length === 0 && resourced) problems.push("names no resource");
    for (const r of resources)
      if (typeof r !== "string" || !(r === "*" || ARN.test(r))) problems.push(`resource ${JSON.stringify(r)} is not an ARN or *`);
  }
  if (s.Condition !== undefined) {
    const operators = Object.entries(s.Condition ?? {});
    if (operators.length === 0) problems.push("has an empty Condition");
    for (const [operator, block] of operators) {
      if (!OPERATOR.test(operator)) problems.push(`condition operator ${operator} is not one IAM knows`);
      const entries = Object.entries(block ?? {});
      if (entries.length === 0) problems.push(`condition ${operator} tests no key`);
      for (const [key, value] of entries) {
        if (!CONDITION_KEY.test(key)) problems.push(`condition key ${JSON.stringify(key)} is not service:key`);
        const values = list(value as unknown);
        if (values.length === 0 || values.some((v) => v === "" || v === null || typeof v === "object"))
          problems.push(`condition ${operator} ${key} has no value or an empty one`);
      }
    }
  }
  return problems;
}

/** What is wrong with a document on its own: its JSON, version, statements and their ids. */
export function documentProblems(document: unknown, kind: DocumentKind): string[] {
  if (typeof document !== "string") return ["is not a JSON string"];
  let parsed: { Version?: unknown; Statement?: Statement | Statement[] };
  try {
    parsed = JSON.parse(document);
  } catch {
    return ["is not JSON"];
  }
  const problems: string[] = [];
  if (parsed.Version !== "2012-10-17") problems.push(`Version ${JSON.stringify(parsed.Version)} is not 2012-10-17`);
  const stmts = list(parsed.Statement);
  if (stmts.length === 0) problems.push("has no statement");
  const sids = stmts.map((s) => s.Sid).filter((sid) => sid !== undefined);
  for (const sid of new Set(sids)) if (sids.filter((s) => s === sid).length > 1) problems.push(`Sid ${sid} is not unique`);
  stmts.forEach((s, i) => problems.push(...statementProblems(s, kind).map((p) => `statement ${s.Sid ?? i}: ${p}`)));
  return problems;
}

/** A document's size as its quota counts it. */
export function quotaSize(document: string, quota: NonNullable<PolicyDocument["quota"]>): number {
  const counted = quota.countsWhitespace ? document : document.replace(/\s/g, "");
  return quota.unit === "bytes" ? Buffer.byteLength(counted, "utf8") : counted.length;
}

/** Documents over their size quota, the inline policies of a role added together. */
export function quotaProblems(documents: PolicyDocument[]): Array<{ resource: string; message: string }> {
  const totals = new Map<string, { quota: NonNullable<PolicyDocument["quota"]>; size: number; resources: string[] }>();
  for (const d of documents) {
    if (!d.quota || typeof d.document !== "string") continue;
    const total = totals.get(d.quota.of) ?? { quota: d.quota, size: 0, resources: [] };
    total.size += quotaSize(d.document, d.quota);
    total.resources.push(d.resource);
    totals.set(d.quota.of, total);
  }
  return [...totals.values()]
    .filter(({ quota, size }) => size > quota.limit)
    .flatMap(({ quota, size, resources }) =>
      resources.map((resource) => ({ resource, message: `${quota.of} is ${size} ${quota.unit}, over AWS's ${quota.limit}` })),
    );
}
