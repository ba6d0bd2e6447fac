/**
 * A throwaway control plane as local processes: etcd, kube-apiserver, kube-controller-manager
 * (garbage collector only), Crossplane core out of cluster, and our composition function serving
 * TLS. Binaries come from test/e2e/build.sh (.cache/e2e/bin). Everything listens on 127.0.0.1;
 * every process is started and stopped here.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Health, KubeConfig } from "@kubernetes/client-node";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const CACHE = process.env.E2E_CACHE ?? join(REPO_ROOT, ".cache/e2e");
export const BIN = join(CACHE, "bin");

/** A version pinned in test/support/go-modules.sh (the one place the Go builds take them from), unless overridden. */
export function pinnedVersion(variable: "CROSSPLANE_VERSION" | "CROSSPLANE_CLI_VERSION"): string {
  const fromEnv = process.env[variable];
  if (fromEnv) return fromEnv;
  const script = readFileSync(join(REPO_ROOT, "test/support/go-modules.sh"), "utf8");
  const pin = new RegExp(`^${variable}="\\$\\{${variable}:-([^}]+)\\}"$`, "m").exec(script)?.[1];
  if (!pin) throw new Error(`test/support/go-modules.sh pins no ${variable}`);
  return pin;
}

export const CROSSPLANE_VERSION = pinnedVersion("CROSSPLANE_VERSION");
export const CROSSPLANE_CRDS = join(CACHE, `crossplane-crds-${CROSSPLANE_VERSION}`);
/** Crossplane's webhook configurations (test/e2e/build.sh copies them from its module). */
export const CROSSPLANE_WEBHOOKS = join(CACHE, `crossplane-webhooks-${CROSSPLANE_VERSION}`);

const LOOPBACK = "127.0.0.1";

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, LOOPBACK, () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** Polls until `check` resolves truthy or the deadline passes; the message says what never happened. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message ?? last}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA and leaf certificates signed by it; keys never leave the run's temp dir. */
function issue(
  dir: string,
  name: string,
  cn: string,
  san: string | undefined,
  usage: "serverAuth" | "clientAuth" | "serverAuth,clientAuth",
  org?: string,
): void {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    [`extendedKeyUsage=${usage}`, "keyUsage=digitalSignature,keyEncipherment", ...(san ? [`subjectAltName=${san}`] : [])].join("\n"),
  );
  openssl(
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}${org ? `/O=${org}` : ""}`,
    ],
    dir,
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      `${name}.crt`,
      "-extfile",
      ext,
    ],
    dir,
  );
}

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  /** How it was started, so a fault scenario can start it again the same way. */
  start: { cmd: string; args: string[]; env: Record<string, string>; cwd: string };
}

export interface ControlPlaneOptions {
  /** Start kube-controller-manager so deletions cascade to owned objects (garbage collector). */
  garbageCollector?: boolean;
  /**
   * Runs once the API server is up and before Crossplane starts, as `crossplane core init` runs
   * before `core start`: Crossplane's webhook server needs its CRDs (Usage among them) at start.
   */
  beforeCrossplane?: (kc: KubeConfig) => Promise<void>;
}

export class ControlPlane {
  readonly dir = mkdtempSync(join(CACHE, "run-"));
  readonly kubeconfigPath = join(this.dir, "kubeconfig");
  private readonly procs: Proc[] = [];
  functionPort = 0;
  apiPort = 0;
  /** Crossplane's webhook server: the Usage deletion guard answers there. */
  webhookPort = 0;
  /** Peak resident memory in KiB summed over the control plane's processes, sampled every second. */
  peakRssKiB = 0;
  private sampler?: NodeJS.Timeout;

  static binaries(): string[] {
    return ["etcd", "kube-apiserver", "kube-controller-manager", "crossplane"].map((b) => join(BIN, b));
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.kubeconfigPath);
    return kc;
  }

  async start(opts: ControlPlaneOptions = {}): Promise<void> {
    for (const b of ControlPlane.binaries()) if (!existsSync(b)) throw new Error(`${b} is missing: run test/e2e/build.sh first`);
    const pki = join(this.dir, "pki");
    mkdirSync(pki);
    openssl(
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=e2e-ca"],
      pki,
    );
    issue(pki, "apiserver", "kube-apiserver", `IP:${LOOPBACK},DNS:localhost`, "serverAuth");
    issue(pki, "function", "function-dr-environment", `IP:${LOOPBACK},DNS:localhost`, "serverAuth");
    issue(pki, "crossplane-client", "crossplane", undefined, "clientAuth");
    issue(pki, "crossplane-webhook", "crossplane-webhook", `IP:${LOOPBACK},DNS:localhost`, "serverAuth");
    // Service-account tokens are signed with this pair; the API server refuses to start without it.
    openssl(["genrsa", "-out", "sa.key", "2048"], pki);
    openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], pki);
    // One admin token per run, in system:masters; it lives only in this run's kubeconfig.
    const token = randomBytes(24).toString("hex");
    writeFileSync(join(pki, "tokens.csv"), `${token},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });

    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    this.apiPort = apiPort;
    this.sample();

    this.spawn("etcd", join(BIN, "etcd"), [
      "--name=e2e",
      `--data-dir=${join(this.dir, "etcd")}`,
      `--listen-client-urls=http://${LOOPBACK}:${etcdClient}`,
      `--advertise-client-urls=http://${LOOPBACK}:${etcdClient}`,
      `--listen-peer-urls=http://${LOOPBACK}:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://${LOOPBACK}:${etcdPeer}`,
      `--initial-cluster=e2e=http://${LOOPBACK}:${etcdPeer}`,
      // A test cluster lives for minutes; durability is not worth the disk flushes.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    await until("etcd health", async () => (await fetch(`http://${LOOPBACK}:${etcdClient}/health`)).ok, 30_000);

    this.spawn("kube-apiserver", join(BIN, "kube-apiserver"), [
      `--etcd-servers=http://${LOOPBACK}:${etcdClient}`,
      `--bind-address=${LOOPBACK}`,
      `--advertise-address=${LOOPBACK}`,
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${join(pki, "apiserver.crt")}`,
      `--tls-private-key-file=${join(pki, "apiserver.key")}`,
      `--client-ca-file=${join(pki, "ca.crt")}`,
      `--token-auth-file=${join(pki, "tokens.csv")}`,
      `--service-account-key-file=${join(pki, "sa.pub")}`,
      `--service-account-signing-key-file=${join(pki, "sa.key")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--authorization-mode=RBAC",
      // Only an address range for Service objects: nothing routes to it.
      "--service-cluster-ip-range=10.96.0.0/24",
      "--profiling=false",
      `--cert-dir=${join(this.dir, "apiserver-certs")}`,
    ]);

    const server = `https://${LOOPBACK}:${apiPort}`;
    writeFileSync(
      this.kubeconfigPath,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: e2e\n  cluster:\n    server: ${server}\n    certificate-authority: ${join(pki, "ca.crt")}`,
        `users:\n- name: e2e-admin\n  user:\n    token: ${token}`,
        "contexts:\n- name: e2e\n  context:\n    cluster: e2e\n    user: e2e-admin",
        "current-context: e2e",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const kc = this.kubeConfig();
    const health = new Health(kc);
    await until("kube-apiserver /readyz", () => health.readyz({}), 120_000, 500);

    if (opts.garbageCollector ?? true) {
      this.spawn("kube-controller-manager", join(BIN, "kube-controller-manager"), [
        `--kubeconfig=${this.kubeconfigPath}`,
        `--authentication-kubeconfig=${this.kubeconfigPath}`,
        `--authorization-kubeconfig=${this.kubeconfigPath}`,
        // Deletion tests need owner references honoured; nothing else of the controller manager is used.
        "--controllers=garbagecollector,namespace",
        "--leader-elect=false",
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${await freePort()}`,
        `--cert-dir=${join(this.dir, "kcm-certs")}`,
        "--use-service-account-credentials=false",
      ]);
    }

    // Crossplane's client certificate: it calls functions over mutual TLS with these files.
    const xpClient = join(this.dir, "crossplane-tls-client");
    const fnServer = join(this.dir, "function-tls-server");
    const xpServer = join(this.dir, "crossplane-tls-server");
    mkdirSync(xpClient);
    mkdirSync(fnServer);
    mkdirSync(xpServer);
    for (const [src, dst] of [
      ["crossplane-webhook.crt", "tls.crt"],
      ["crossplane-webhook.key", "tls.key"],
    ])
      writeFileSync(join(xpServer, dst), readFileSync(join(pki, src)));
    this.caBundle = readFileSync(join(pki, "ca.crt")).toString("base64");
    this.webhookPort = await freePort();
    for (const [src, dst] of [
      ["ca.crt", "ca.crt"],
      ["crossplane-client.crt", "tls.crt"],
      ["crossplane-client.key", "tls.key"],
    ])
      writeFileSync(join(xpClient, dst), readFileSync(join(pki, src)));
    for (const [src, dst] of [
      ["ca.crt", "ca.crt"],
      ["function.crt", "tls.crt"],
      ["function.key", "tls.key"],
    ])
      writeFileSync(join(fnServer, dst), readFileSync(join(pki, src)));

    this.functionPort = await freePort();
    // One node process (tsx as a loader, not its CLI wrapper) so stop() signals the server itself.
    this.spawn(
      "function",
      process.execPath,
      [
        "--import=tsx",
        join(REPO_ROOT, "functions/src/main.ts"),
        `--address=${LOOPBACK}:${this.functionPort}`,
        `--tls-server-certs-dir=${fnServer}`,
      ],
      {},
      REPO_ROOT,
    );

    await opts.beforeCrossplane?.(kc);
    this.spawn(
      "crossplane",
      join(BIN, "crossplane"),
      [
        "core",
        "start",
        "--namespace=crossplane-system",
        // The webhook server (Crossplane runs its Usage controllers only with it): the API server
        // reaches it by URL, registered by webhookConfigurations(), not through a Service.
        `--tls-server-certs-dir=${xpServer}`,
        `--webhook-port=${this.webhookPort}`,
        // No Deployments for packages: the function runs as a local process registered below.
        "--package-runtime=External",
        "--leader-election=false",
        `--xpkg-cache-dir=${join(this.dir, "xpkg-cache")}`,
        `--tls-client-certs-dir=${xpClient}`,
        `--metrics-port=${await freePort()}`,
        `--health-probe-port=${await freePort()}`,
        "--poll-interval=15s",
        "--debug",
      ],
      { KUBECONFIG: this.kubeconfigPath },
    );
  }

  private caBundle = "";

  /**
   * Crossplane's webhook configurations as its init step would install them, pointed at the
   * webhook server by URL (127.0.0.1 and the run's CA) instead of a Service: the same paths,
   * rules and object selectors.
   */
  webhookConfigurations(): Array<Record<string, any>> {
    if (!existsSync(CROSSPLANE_WEBHOOKS)) throw new Error(`${CROSSPLANE_WEBHOOKS} is missing: run test/e2e/build.sh crossplane`);
    return readdirSync(CROSSPLANE_WEBHOOKS)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => parseAllDocuments(readFileSync(join(CROSSPLANE_WEBHOOKS, f), "utf8")).map((d) => d.toJS() as Record<string, any>))
      .filter(Boolean)
      .map((config) => ({
        ...config,
        webhooks: (config.webhooks as Array<Record<string, any>>).map((hook) => ({
          ...hook,
          clientConfig: { url: `https://${LOOPBACK}:${this.webhookPort}${hook.clientConfig.service.path}`, caBundle: this.caBundle },
        })),
      }));
  }

  private spawn(name: string, cmd: string, args: string[], env: Record<string, string> = {}, cwd = this.dir): void {
    const log = join(this.dir, `${name}.log`);
    // Appends: a process started again after a fault keeps its earlier log above.
    const out = createWriteStream(log, { flags: "a" });
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const proc: Proc = { name, child, log, start: { cmd, args, env, cwd } };
    child.on("exit", (code, signal) => {
      if (!this.stopping && !this.killed.has(proc)) out.write(`\n[e2e] ${name} exited early: code ${code} signal ${signal}\n`);
    });
    this.procs.push(proc);
  }

  /** Processes a fault scenario stopped on purpose: assertAlive does not count them. */
  private readonly killed = new Set<Proc>();

  /** A fault: stops the process with `signal` (SIGKILL: no graceful shutdown) and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const p = this.procs.find((x) => x.name === name && !this.killed.has(x));
    if (!p) throw new Error(`no running process ${name}`);
    this.killed.add(p);
    if (p.child.exitCode === null && p.child.signalCode === null) {
      const exited = new Promise<void>((r) => p.child.once("exit", () => r()));
      p.child.kill(signal);
      await exited;
    }
  }

  /** Starts a process stopped by kill() again, with the same command, arguments and environment. */
  restart(name: string): void {
    const p = [...this.procs].reverse().find((x) => x.name === name);
    if (!p || !this.killed.has(p)) throw new Error(`${name} was not stopped by kill()`);
    this.procs.splice(this.procs.indexOf(p), 1);
    this.spawn(name, p.start.cmd, p.start.args, p.start.env, p.start.cwd);
  }

  private stopping = false;

  /** Whether a process is still running (a crashed one fails the run with its log tail). */
  assertAlive(): void {
    for (const p of this.procs) {
      if (this.killed.has(p)) continue;
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}); log tail:\n${this.logTail(p.name)}`);
      }
    }
  }

  logTail(name: string, lines = 30): string {
    const p = this.procs.find((x) => x.name === name);
    if (!p || !existsSync(p.log)) return "";
    return readFileSync(p.log, "utf8").split("\n").slice(-lines).join("\n");
  }

  logOf(name: string): string {
    const p = this.procs.find((x) => x.name === name);
    return p && existsSync(p.log) ? readFileSync(p.log, "utf8") : "";
  }

  private sample(): void {
    const rssOf = (pid: number): number => {
      try {
        const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) : 0;
      } catch {
        return 0;
      }
    };
    this.sampler = setInterval(() => {
      const total = this.procs.reduce((sum, p) => sum + (p.child.pid ? rssOf(p.child.pid) : 0), 0);
      this.peakRssKiB = Math.max(this.peakRssKiB, total);
    }, 1000);
    this.sampler.unref();
  }

  /** Stops every process, newest first (SIGTERM, then SIGKILL after 10 s), and removes the run dir unless kept. */
  async stop(keep = process.env.E2E_KEEP === "1"): Promise<void> {
    this.stopping = true;
    if (this.sampler) clearInterval(this.sampler);
    for (const p of [...this.procs].reverse()) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      const exited = new Promise<void>((r) => p.child.once("exit", () => r()));
      p.child.kill("SIGTERM");
      const timer = setTimeout(() => p.child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}
