/**
 * STAND-IN, named as such: a loopback HTTP server that speaks the few Kubernetes API paths drctl
 * uses (discovery of a group version, GET of namespaced and cluster-scoped objects, JSON merge
 * PATCH of a claim), over objects held in memory, so drctl runs with the real
 * @kubernetes/client-node below the e2e. It plays Crossplane only where a test asks it to, through
 * `onPatch`. Not a Kubernetes API server: no watch, no validation, no admission.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

export type KubeObject = Record<string, any>;

export interface Request {
  method: string;
  path: string;
  contentType?: string;
  body?: unknown;
}

const plural = (kind: string) => `${kind.toLowerCase()}s`;

function merge(target: KubeObject, patch: KubeObject): KubeObject {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === "object" && !Array.isArray(v) && typeof out[k] === "object" && out[k] !== null) out[k] = merge(out[k], v);
    else out[k] = v;
  }
  return out;
}

export class KubeApiStandIn {
  readonly requests: Request[] = [];
  /** Called after a claim was patched, with the patched claim: the test's Crossplane. */
  onPatch: (claim: KubeObject) => void = () => {};
  private readonly objects = new Map<string, KubeObject>();
  private server: Server | undefined;
  endpoint = "";

  private static key(apiVersion: string, kindPlural: string, namespace: string | undefined, name: string): string {
    return `${apiVersion}/${namespace ?? ""}/${kindPlural}/${name}`;
  }

  put(obj: KubeObject): void {
    this.objects.set(KubeApiStandIn.key(obj.apiVersion, plural(obj.kind), obj.metadata.namespace, obj.metadata.name), obj);
  }

  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    return this.objects.get(KubeApiStandIn.key(apiVersion, plural(kind), namespace, name));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "stand-in", server: this.endpoint, skipTLSVerify: true }],
      users: [{ name: "tester", token: "stand-in-token" }],
      contexts: [{ name: "stand-in", cluster: "stand-in", user: "tester" }],
      currentContext: "stand-in",
    });
    return kc;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const request: Request = {
      method: req.method ?? "GET",
      path,
      contentType: req.headers["content-type"],
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(request);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const notFound = () =>
      send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: `${path} not found` });

    // /apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]
    const m = /^\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(path);
    if (!m) return notFound();
    const [, group, version, namespace, kindPlural, name] = m;
    const apiVersion = `${group}/${version}`;
    if (!kindPlural) {
      // Discovery: the kinds of this group version among the stored objects.
      const kinds = new Map<string, boolean>();
      for (const o of this.objects.values()) if (o.apiVersion === apiVersion) kinds.set(o.kind, o.metadata.namespace !== undefined);
      if (kinds.size === 0) return notFound();
      return send(200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: apiVersion,
        resources: [...kinds].map(([kind, namespaced]) => ({
          name: plural(kind),
          singularName: kind.toLowerCase(),
          namespaced,
          kind,
          verbs: ["get", "list", "patch"],
        })),
      });
    }
    const key = KubeApiStandIn.key(apiVersion, kindPlural, namespace, name ?? "");
    const found = this.objects.get(key);
    if (!found) return notFound();
    if (request.method === "GET") return send(200, found);
    if (request.method === "PATCH" && request.contentType === "application/merge-patch+json") {
      const patched = merge(found, request.body as KubeObject);
      patched.metadata = { ...patched.metadata, generation: (found.metadata.generation ?? 1) + 1 };
      this.objects.set(key, patched);
      this.onPatch(patched);
      return send(200, patched);
    }
    send(415, { kind: "Status", code: 415, message: `unsupported ${request.method} ${request.contentType}` });
  }
}
