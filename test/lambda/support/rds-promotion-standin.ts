/**
 * MOCK, named as such: moto (5.2.5) implements RDS global clusters but not the
 * FailoverGlobalCluster and SwitchoverGlobalCluster actions. This loopback proxy answers those
 * two actions itself, the way RDS documents them, and forwards every other RDS request to moto
 * unchanged; after a promotion it reports the global cluster as failing over / switching over in
 * DescribeGlobalClusters, and it refuses a second promotion with InvalidGlobalClusterStateFault,
 * as RDS does while one runs. `down` plays a regional outage: requests signed for a region in it
 * get 503, as an unreachable endpoint would; `refusals` has RDS answer one call of an action with
 * an error code. Every request is logged as action and region.
 * `complete()` plays the end of a promotion RDS would report later:
 * the target member becomes the writer and the global cluster is available again.
 */
import { createServer, request } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { credentialScope, readBody } from "./signed-proxy.js";

export interface PromotionCall {
  action: "FailoverGlobalCluster" | "SwitchoverGlobalCluster";
  globalClusterId: string;
  target: string;
  allowDataLoss: boolean | undefined;
}

const NS = "http://rds.amazonaws.com/doc/2014-10-31/";

/** One request as the SDK signed it: SigV4's credential scope is `<key>/<date>/<region>/<service>/aws4_request`. */
export interface SignedCall {
  action: string;
  region: string | undefined;
  service: string | undefined;
}

export class RdsPromotionStandIn {
  readonly calls: PromotionCall[] = [];
  /** Every RDS request, in order, with the region it was signed for. */
  readonly log: Array<{ action: string; region: string }> = [];
  /** Regions whose RDS endpoint is down. */
  readonly down = new Set<string>();
  /** Actions RDS refuses on their next call: action -> the error code it answers with. */
  readonly refusals = new Map<string, string>();
  /** Every promotion completed so far, in order. */
  readonly completed: PromotionCall[] = [];
  /** Promotions finished by complete(): global cluster id -> ARN of the member that now writes. */
  private readonly writers = new Map<string, string>();
  /** Every RDS request received, with the region its signature is scoped to. */
  readonly signed: SignedCall[] = [];
  private server: Server | undefined;
  endpoint = "";

  constructor(private readonly motoEndpoint: string) {}

  reset(): void {
    this.calls.length = 0;
    this.log.length = 0;
    this.signed.length = 0;
    this.down.clear();
    this.refusals.clear();
    this.completed.length = 0;
    this.writers.clear();
  }

  /** Finishes the running promotion of a global cluster: its target writes from now on. */
  complete(globalClusterId: string): PromotionCall {
    const call = this.inProgress(globalClusterId);
    if (!call) throw new Error(`no promotion of ${globalClusterId} is running`);
    this.calls.splice(this.calls.indexOf(call), 1);
    this.completed.push(call);
    this.writers.set(globalClusterId, call.target);
    return call;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((err: Error) => res.writeHead(502).end(err.message)));
    // Outlive the SDK's pooled keep-alive sockets, so a reused socket is never closed under a request.
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }

  private inProgress(id: string): PromotionCall | undefined {
    return this.calls.find((c) => c.globalClusterId === id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const params = new URLSearchParams(body.toString("utf8"));
    const action = params.get("Action");
    const region = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/rds\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "unknown";
    this.log.push({ action: action ?? "", region });
    if (this.down.has(region)) {
      res.writeHead(503, { "content-type": "text/xml" });
      res.end(
        `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>${region} is down</Message></Error></ErrorResponse>`,
      );
      return;
    }
    this.signed.push({ action: action ?? "", ...credentialScope(req.headers.authorization) });
    const refusal = this.refusals.get(action ?? "");
    if (refusal !== undefined) {
      this.refusals.delete(action ?? "");
      res.writeHead(400, { "content-type": "text/xml" });
      res.end(
        `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${refusal}</Code><Message>refused by the test</Message></Error><RequestId>standin</RequestId></ErrorResponse>`,
      );
      return;
    }
    if (action === "FailoverGlobalCluster" || action === "SwitchoverGlobalCluster") {
      const id = params.get("GlobalClusterIdentifier") ?? "";
      const xml = (inner: string) =>
        `<?xml version="1.0"?><${action}Response xmlns="${NS}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>standin</RequestId></ResponseMetadata></${action}Response>`;
      if (this.inProgress(id)) {
        res.writeHead(400, { "content-type": "text/xml" });
        res.end(
          `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidGlobalClusterStateFault</Code><Message>Global cluster ${id} is already being promoted</Message></Error><RequestId>standin</RequestId></ErrorResponse>`,
        );
        return;
      }
      const allow = params.get("AllowDataLoss");
      this.calls.push({
        action,
        globalClusterId: id,
        target: params.get("TargetDbClusterIdentifier") ?? "",
        allowDataLoss: allow === null ? undefined : allow === "true",
      });
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(
        xml(
          `<GlobalCluster><GlobalClusterIdentifier>${id}</GlobalClusterIdentifier><Status>${this.status(action)}</Status></GlobalCluster>`,
        ),
      );
      return;
    }
    const upstream = await this.forward(req, body);
    let text = upstream.body.toString("utf8");
    if (action === "DescribeGlobalClusters") {
      for (const call of this.calls) text = this.withPromotion(text, call);
      for (const [id, writer] of this.writers) text = this.withWriter(text, id, writer);
    }
    res.writeHead(upstream.status, { "content-type": upstream.contentType });
    res.end(text);
  }

  private status(action: PromotionCall["action"]): string {
    return action === "FailoverGlobalCluster" ? "failing-over" : "switching-over";
  }

  /** Marks one global cluster in a DescribeGlobalClusters answer as being promoted. */
  private withPromotion(xml: string, call: PromotionCall): string {
    const idTag = `<GlobalClusterIdentifier>${call.globalClusterId}</GlobalClusterIdentifier>`;
    const at = xml.indexOf(idTag);
    if (at < 0) return xml;
    // The cluster's own Status is the first one after its identifier (members carry none).
    const after = at + idTag.length;
    const rest = xml.slice(after).replace("<Status>available</Status>", `<Status>${this.status(call.action)}</Status>`);
    const state = `<FailoverState><Status>pending</Status><ToDbClusterArn>${call.target}</ToDbClusterArn><IsDataLossAllowed>${call.allowDataLoss === true}</IsDataLossAllowed></FailoverState>`;
    return xml.slice(0, after) + state + rest;
  }

  /** Moves IsWriter in one global cluster's member list to `writerArn`. */
  private withWriter(xml: string, id: string, writerArn: string): string {
    const idTag = `<GlobalClusterIdentifier>${id}</GlobalClusterIdentifier>`;
    const at = xml.indexOf(idTag);
    if (at < 0) return xml;
    const end = xml.indexOf("</GlobalCluster>", at);
    const members = xml.slice(at, end).replace(/<GlobalClusterMember>([\s\S]*?)<\/GlobalClusterMember>/g, (member: string) => {
      const arn = /<DBClusterArn>([^<]*)<\/DBClusterArn>/.exec(member)?.[1];
      return member.replace(/<IsWriter>(true|false)<\/IsWriter>/, `<IsWriter>${arn === writerArn}</IsWriter>`);
    });
    return xml.slice(0, at) + members + xml.slice(end);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; contentType: string; body: Buffer }> {
    const target = new URL(req.url ?? "/", this.motoEndpoint);
    return new Promise((res, rej) => {
      const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        void readBody(up).then(
          (b) => res({ status: up.statusCode ?? 500, contentType: String(up.headers["content-type"] ?? "text/xml"), body: b }),
          rej,
        );
      });
      out.on("error", rej);
      out.end(body);
    });
  }
}
