#!/usr/bin/env node
/**
 * drctl: what an app team needs day to day for a DisasterRecoveryEnvironment claim, on the
 * cluster of the current kubeconfig context.
 *
 *   drctl status <claim> [-n ns]                          composed resources by region, readiness, recovery objectives
 *   drctl failover <claim> --to secondary|primary [-n ns] [--timeout 120]
 *                                                         planned switchover through spec.failover.activeRegion
 *   drctl failover <claim> --unplanned [-n namespace] --suffix <environmentSuffix> --to-region <region> [--function name]
 *                                                         promotes the survivor now, possibly losing unreplicated writes:
 *                                                         invokes its orchestrator with your AWS credentials, no cluster needed
 *   drctl wait <claim> [-n ns] [--for Ready|Synced] [--timeout 300]
 *
 * Exit codes: 0 done, 1 failed or timed out, 2 usage or no kubeconfig.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual, parseArgs } from "node:util";
import {
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { API_GROUP, API_VERSION, CLAIM_KIND, CLAIM_PLURAL, COMPOSITE_KIND, COMPOSITE_PLURAL } from "../../src/api/group.js";
import { awsName, ownerId } from "../../src/naming.js";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}
interface Ref {
  apiVersion: string;
  kind: string;
  name: string;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects read from the API server are untyped JSON
type Obj = KubernetesObject & { spec?: Record<string, any>; status?: Record<string, any> };

export interface Composed {
  /** The name the composition gives it (crossplane.io/composition-resource-name). */
  resourceName: string;
  apiVersion: string;
  kind: string;
  name: string;
  /** primary | secondary | global, from the resource name's role prefix. */
  role: string;
  region?: string;
  ready: string;
  synced: string;
  deletionPolicy?: string;
  forProvider?: unknown;
}

export interface Snapshot {
  claim: Obj;
  composite?: Obj;
  composed: Composed[];
}

const RESOURCE_NAME = "crossplane.io/composition-resource-name";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any object with conditions
export function condition(o: { status?: Record<string, any> } | undefined, type: string): Condition | undefined {
  return (o?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

function conditionText(c: Condition | undefined): string {
  if (!c) return "Unknown";
  return c.status === "True" ? "True" : `${c.status}${c.reason ? ` (${c.reason})` : ""}`;
}

export class Drctl {
  private readonly custom: CustomObjectsApi;
  private readonly objects: KubernetesObjectApi;

  constructor(kc: KubeConfig) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
  }

  async claim(name: string, namespace: string): Promise<Obj> {
    return (await this.custom.getNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: CLAIM_PLURAL,
      name,
    })) as Obj;
  }

  async snapshot(name: string, namespace: string): Promise<Snapshot> {
    const claim = await this.claim(name, namespace);
    const xrName = claim.spec?.resourceRef?.name as string | undefined;
    if (!xrName) return { claim, composed: [] };
    const composite = (await this.custom.getClusterCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      plural: COMPOSITE_PLURAL,
      name: xrName,
    })) as Obj;
    // Crossplane v1 and v2 legacy composites keep refs in spec.resourceRefs, v2 modern ones in spec.crossplane.
    const refs = ((composite.spec?.crossplane?.resourceRefs ?? composite.spec?.resourceRefs ?? []) as Ref[]).filter((r) => r.name);
    const composed: Composed[] = [];
    for (const ref of refs) {
      let o: Obj;
      try {
        o = (await this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name } })) as Obj;
      } catch {
        composed.push({
          resourceName: "?",
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          name: ref.name,
          role: "global",
          ready: "Missing",
          synced: "Missing",
        });
        continue;
      }
      const resourceName = o.metadata?.annotations?.[RESOURCE_NAME] ?? ref.name;
      const role = /^(primary|secondary)-/.exec(resourceName)?.[1] ?? "global";
      composed.push({
        resourceName,
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        name: ref.name,
        role,
        region: o.spec?.forProvider?.region,
        ready: conditionText(condition(o, "Ready")),
        synced: conditionText(condition(o, "Synced")),
        deletionPolicy: o.spec?.deletionPolicy,
        forProvider: o.spec?.forProvider,
      });
    }
    composed.sort((a, b) => a.role.localeCompare(b.role) || a.resourceName.localeCompare(b.resourceName));
    return { claim, composite, composed };
  }

  /** The tree `drctl status` prints; returned as lines so tests can read it. */
  async status(name: string, namespace: string): Promise<string[]> {
    const { claim, composite, composed } = await this.snapshot(name, namespace);
    const spec = claim.spec ?? {};
    const st = claim.status ?? {};
    const lines: string[] = [];
    lines.push(
      `${CLAIM_KIND} ${namespace}/${name}  tier=${spec.tier}  active=${spec.failover?.activeRegion ?? "primary"}  Ready=${conditionText(condition(claim, "Ready"))}  Synced=${conditionText(condition(claim, "Synced"))}`,
    );
    if (!composite) {
      lines.push("└─ no composite yet");
      return lines;
    }
    lines.push(
      `└─ ${COMPOSITE_KIND} ${composite.metadata?.name}  Ready=${conditionText(condition(composite, "Ready"))}  Synced=${conditionText(condition(composite, "Synced"))}`,
    );
    const roles: Array<[string, string | undefined]> = [
      ["primary", spec.primaryRegion],
      ["secondary", spec.secondaryRegion],
      ["global", undefined],
    ];
    const groups = roles
      .map(([role, region]) => [role, region, composed.filter((c) => c.role === role)] as const)
      .filter(([, , cs]) => cs.length > 0);
    groups.forEach(([role, region, cs], gi) => {
      const lastGroup = gi === groups.length - 1 && !st.recovery;
      const ready = cs.filter((c) => c.ready === "True").length;
      const active = (spec.failover?.activeRegion ?? "primary") === role ? ", active" : "";
      lines.push(`   ${lastGroup ? "└─" : "├─"} ${role}${region ? ` ${region}` : ""}${active}: ${ready}/${cs.length} ready`);
      cs.forEach((c, i) => {
        const mark = c.ready === "True" ? "✓" : "·";
        const orphan = c.deletionPolicy === "Orphan" ? "  [orphan on delete]" : "";
        lines.push(
          `   ${lastGroup ? " " : "│"}  ${i === cs.length - 1 ? "└─" : "├─"} ${mark} ${c.resourceName}  ${c.kind}.${c.apiVersion.split("/")[0]}  Ready=${c.ready}${orphan}`,
        );
      });
    });
    if (st.recovery) {
      const r = st.recovery as { strategy: string; rpoSeconds: number; rtoSeconds: number };
      lines.push(
        `   └─ recovery: ${r.strategy}, RPO ${r.rpoSeconds}s, RTO ${r.rtoSeconds}s${st.estimatedMonthlyCostUSD !== undefined ? `, est. $${st.estimatedMonthlyCostUSD}/month` : ""}`,
      );
    }
    for (const p of (st.pending ?? []) as string[]) lines.push(`      pending: ${p}`);
    return lines;
  }

  /** Waits until the claim's condition is True; on timeout the error lists what is not there yet. */
  async wait(name: string, namespace: string, forCondition = "Ready", timeoutSeconds = 300): Promise<Snapshot> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    let snap = await this.snapshot(name, namespace);
    while (condition(snap.claim, forCondition)?.status !== "True") {
      if (Date.now() > deadline) {
        const notReady = snap.composed.filter((c) => c.ready !== "True").map((c) => c.resourceName);
        const c = condition(snap.claim, forCondition);
        throw new Error(
          `${CLAIM_KIND} ${namespace}/${name} not ${forCondition} after ${timeoutSeconds}s (${c ? `${c.status} ${c.reason ?? ""}: ${c.message ?? ""}`.trim() : "no condition yet"})` +
            (notReady.length
              ? `; not ready: ${notReady.slice(0, 10).join(", ")}${notReady.length > 10 ? ` and ${notReady.length - 10} more` : ""}`
              : ""),
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
      snap = await this.snapshot(name, namespace);
    }
    return snap;
  }

  /**
   * Planned switchover: sets spec.failover.activeRegion, waits until the composite has the new
   * value and the composed resources have settled, and returns what changed per resource.
   */
  async failover(name: string, namespace: string, to: "primary" | "secondary", timeoutSeconds = 120): Promise<string[]> {
    const before = await this.snapshot(name, namespace);
    const spec = before.claim.spec ?? {};
    if (to === "secondary" && !spec.secondaryRegion) throw new Error(`${namespace}/${name} has no secondary region (tier ${spec.tier})`);
    if ((spec.failover?.activeRegion ?? "primary") === to) return [`${namespace}/${name} is already active in ${to}; nothing changed`];

    await this.custom.patchNamespacedCustomObject(
      { group: API_GROUP, version: API_VERSION, namespace, plural: CLAIM_PLURAL, name, body: { spec: { failover: { activeRegion: to } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );

    const deadline = Date.now() + timeoutSeconds * 1000;
    const key = (c: Composed) => c.resourceName;
    let previous: Snapshot | undefined;
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`${namespace}/${name}: composed resources did not settle on activeRegion=${to} within ${timeoutSeconds}s`);
      await new Promise((r) => setTimeout(r, 1000));
      const now = await this.snapshot(name, namespace);
      const xr = now.composite;
      const synced = condition(xr, "Synced");
      const applied =
        xr?.spec?.failover?.activeRegion === to &&
        synced?.status === "True" &&
        (synced.observedGeneration === undefined || synced.observedGeneration >= (xr.metadata?.generation ?? 0));
      // Settled: the composite reconciled the new generation and two reads in a row agree.
      if (
        applied &&
        previous &&
        isDeepStrictEqual(
          previous.composed.map((c) => [key(c), c.forProvider]),
          now.composed.map((c) => [key(c), c.forProvider]),
        )
      ) {
        return describeChanges(before, now, to, spec.failover?.activeRegion ?? "primary");
      }
      previous = applied ? now : undefined;
    }
  }
}

/** What drctl reads of the orchestrator's answer (the handler's FailoverResult). */
interface OrchestratorAnswer {
  outcome: "started" | "adding-writer" | "waiting" | "skipped" | "paged" | "ignored";
  decision?: { reason?: string; instanceId?: string };
}

/**
 * Unplanned failover for when the primary region, or the cluster running Crossplane, is down: the
 * surviving region's orchestrator is invoked directly with the caller's AWS credentials. It adds a
 * writer first where the cluster is headless (pilot light) and resumes by itself once it is up.
 * Afterwards set the claim's activeRegion to the survivor, so Crossplane adopts the new writer.
 */
export async function unplannedFailover(
  target: { functionName: string; region: string },
  lambda: LambdaClient = new LambdaClient({ region: target.region }),
): Promise<string[]> {
  const res = await lambda.send(
    new InvokeCommand({
      FunctionName: target.functionName,
      InvocationType: "RequestResponse",
      Payload: new TextEncoder().encode(JSON.stringify({ type: "unplanned", targetRegion: target.region })),
    }),
  );
  const text = res.Payload ? new TextDecoder().decode(res.Payload) : "";
  if (res.FunctionError) throw new Error(`orchestrator ${target.functionName} failed: ${text}`);
  const result = JSON.parse(text) as OrchestratorAnswer;
  const next: Record<OrchestratorAnswer["outcome"], string> = {
    started: `promotion of ${target.region} started; set spec.failover.activeRegion to the survivor once it writes`,
    "adding-writer": `adding writer ${result.decision?.instanceId ?? ""}; the orchestrator promotes when it is available`,
    waiting: "the writer is not available yet; the orchestrator promotes when it is",
    skipped: `nothing to do: ${result.decision?.reason ?? "see the orchestrator's log"}`,
    paged: "the orchestrator only paged",
    ignored: "the orchestrator ignored the request",
  };
  return [`${target.functionName} in ${target.region}: ${result.outcome}`, next[result.outcome]];
}

/** Field-level differences of forProvider between two snapshots, one line per change. */
export function describeChanges(before: Snapshot, after: Snapshot, to: string, from: string): string[] {
  const lines = [`activeRegion: ${from} -> ${to}`];
  const old = new Map(before.composed.map((c) => [c.resourceName, c]));
  const seen = new Set<string>();
  for (const c of after.composed) {
    seen.add(c.resourceName);
    const o = old.get(c.resourceName);
    if (!o) {
      lines.push(`+ ${c.resourceName} (${c.kind})`);
      continue;
    }
    for (const d of diff(o.forProvider, c.forProvider, "forProvider")) lines.push(`~ ${c.resourceName} (${c.kind}) ${d}`);
  }
  for (const c of before.composed) if (!seen.has(c.resourceName)) lines.push(`- ${c.resourceName} (${c.kind})`);
  if (lines.length === 1) lines.push("no composed resource changed");
  return lines;
}

function diff(a: unknown, b: unknown, path: string): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
  }
  const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));
  return [`${path}: ${show(a)} -> ${show(b)}`];
}

const USAGE = `usage:
  drctl status <claim> [-n namespace]
  drctl failover <claim> --to secondary|primary [-n namespace] [--timeout seconds]
  drctl failover <claim> --unplanned [-n namespace] --suffix <environmentSuffix> --to-region <region> [--function name]
  drctl wait <claim> [-n namespace] [--for Ready|Synced] [--timeout seconds]

  -n, --namespace <ns>   the claim's namespace (default: the kubeconfig context's, else default)
      --kubeconfig <file> (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)
  -h, --help             this help

exit codes: 0 done, 1 failed or timed out, 2 usage or no kubeconfig`;

/** Thrown when there is no cluster to talk to; the message says where drctl looked. */
export class NoKubeconfigError extends Error {}

/**
 * The kubeconfig kubectl would use: --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the
 * in-cluster service account. The client's own fallback (http://localhost:8080) would fail later
 * with "HTTP protocol is not allowed"; with nothing to load this says so instead.
 */
export function loadKubeConfig(file?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (file) {
    if (!existsSync(file)) throw new NoKubeconfigError(`--kubeconfig ${file}: no such file`);
    kc.loadFromFile(file);
    return kc;
  }
  const candidates = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME ?? homedir(), ".kube", "config")];
  const found = candidates.filter((f) => existsSync(f));
  if (found.length === 1) kc.loadFromFile(found[0]!);
  else if (found.length > 1)
    kc.loadFromDefault(); // several files in $KUBECONFIG: the client merges them as kubectl does
  else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else
    throw new NoKubeconfigError(
      `no kubeconfig: looked for ${env.KUBECONFIG ? `$KUBECONFIG (${candidates.join(", ")})` : candidates[0]}; pass --kubeconfig <file> or set KUBECONFIG`,
    );
  return kc;
}

/** As kubectl: -n, else the current context's namespace, else default. */
export function namespaceOf(kc: KubeConfig, flag?: string): string {
  return flag ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
}

export async function main(argv: string[], kc?: KubeConfig): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        namespace: { type: "string", short: "n" },
        to: { type: "string" },
        for: { type: "string", default: "Ready" },
        timeout: { type: "string" },
        kubeconfig: { type: "string" },
        unplanned: { type: "boolean" },
        suffix: { type: "string" },
        "to-region": { type: "string" },
        function: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, name] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === "failover" && values.unplanned) return unplannedMain({ ...values, claim: name });
  if (!command || !name || !["status", "failover", "wait"].includes(command)) {
    process.stderr.write(
      `error: ${!command ? "a command is required" : !name ? "a claim name is required" : `unknown command ${command}`}\n${USAGE}\n`,
    );
    return 2;
  }
  const timeout = values.timeout ? Number(values.timeout) : undefined;
  let ns = values.namespace ?? "default";
  try {
    if (!kc) kc = loadKubeConfig(values.kubeconfig);
    ns = namespaceOf(kc, values.namespace);
    const drctl = new Drctl(kc);
    if (command === "status") {
      for (const l of await drctl.status(name, ns)) process.stdout.write(`${l}\n`);
    } else if (command === "wait") {
      await drctl.wait(name, ns, values.for, timeout);
      process.stdout.write(`${CLAIM_KIND} ${ns}/${name} is ${values.for}\n`);
    } else {
      if (values.to !== "primary" && values.to !== "secondary") {
        process.stderr.write(`--to must be primary or secondary\n${USAGE}\n`);
        return 2;
      }
      for (const l of await drctl.failover(name, ns, values.to, timeout)) process.stdout.write(`${l}\n`);
    }
    return 0;
  } catch (e) {
    const err = e as { code?: number; body?: unknown; message: string };
    process.stderr.write(`drctl ${command}: ${err.code === 404 ? `${CLAIM_KIND} ${ns}/${name} not found` : err.message}\n`);
    return e instanceof NoKubeconfigError ? 2 : 1;
  }
}

/** `drctl failover --unplanned`: AWS only, so it works while the cluster is down. */
async function unplannedMain(values: {
  suffix?: string;
  "to-region"?: string;
  function?: string;
  claim?: string;
  namespace?: string;
}): Promise<number> {
  const region = values["to-region"];
  // AWS names carry the owner id of the claim (namespace and name), so the claim must be named.
  if (!region || !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region) || (!(values.suffix && values.claim) && !values.function)) {
    process.stderr.write(
      `--unplanned needs --to-region <region> and --suffix <environmentSuffix> with the claim's name (or --function)\n${USAGE}\n`,
    );
    return 2;
  }
  const owner = ownerId({ namespace: values.namespace ?? "default", name: values.claim ?? "" });
  const functionName = values.function ?? awsName("failover", { suffix: values.suffix!, owner, region });
  try {
    for (const l of await unplannedFailover({ functionName, region })) process.stdout.write(`${l}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`drctl failover --unplanned: ${(e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
