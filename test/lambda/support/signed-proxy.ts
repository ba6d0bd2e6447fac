/**
 * A loopback proxy in front of an emulator that records every request as the SDK signed it, then
 * forwards it unchanged, Host header included, so the URLs the emulator builds from it (SQS queue
 * URLs) point back through the proxy. What the emulator says is passed on, unless a fault set with
 * `fail` matches the request: then the proxy answers it as AWS would fail it, or never answers.
 */
import { createServer, request } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer } from "./emulators.js";

/** The region and service a SigV4 `Authorization` header was signed for: its credential scope is `<key>/<date>/<region>/<service>/aws4_request`. */
export function credentialScope(authorization: string | undefined): { region: string | undefined; service: string | undefined } {
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? "");
  return { region: scope?.[1], service: scope?.[2] };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => res(Buffer.concat(chunks)));
    req.on("error", rej);
  });
}

export interface RecordedCall {
  /** The JSON protocols' operation, from `X-Amz-Target` (`AmazonSQS.SendMessage`). */
  operation: string;
  /** The HTTP method and path (what names a REST protocol's operation, S3's). */
  method: string;
  path: string;
  region: string | undefined;
  service: string | undefined;
  /** The JSON request body (empty for other protocols). */
  input: Record<string, unknown>;
}

/** How a matched request is failed: an AWS error answer, or no answer at all (a hung dependency). */
export type Fault = { status: number; headers?: Record<string, string>; body: string } | "no answer";

export class SignedProxy {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private faults: Array<{ matches: (call: RecordedCall) => boolean; fault: Fault }> = [];
  endpoint = "";

  constructor(private readonly upstream: string) {}

  /** Fails every request `matches` accepts with `fault`, until `clearFaults`. */
  fail(matches: (call: RecordedCall) => boolean, fault: Fault): void {
    this.faults.push({ matches, fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req)
        .then((body) => {
          let input: Record<string, unknown> = {};
          try {
            input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
          } catch {
            // not a JSON protocol request
          }
          const call: RecordedCall = {
            operation: String(req.headers["x-amz-target"] ?? ""),
            method: req.method ?? "",
            path: new URL(req.url ?? "/", this.upstream).pathname,
            ...credentialScope(req.headers.authorization),
            input,
          };
          this.calls.push(call);
          const fault = this.faults.find((f) => f.matches(call))?.fault;
          if (fault === "no answer") return;
          if (fault) return void res.writeHead(fault.status, fault.headers).end(fault.body);
          const out = request(new URL(req.url ?? "/", this.upstream), { method: req.method, headers: req.headers }, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          });
          out.on("error", (err) => res.writeHead(502).end(err.message));
          out.end(body);
        })
        .catch((err: Error) => res.writeHead(502).end(err.message));
    });
    // Outlive the SDK's pooled keep-alive sockets, so a reused socket is never closed under a request.
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }
}
