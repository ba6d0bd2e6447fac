/**
 * A loopback proxy in front of an emulator that records every request as the SDK signed it, then
 * forwards it unchanged, Host header included, so the URLs the emulator builds from it (SQS queue
 * URLs) point back through the proxy. It answers nothing itself: what the emulator says is passed on.
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
  region: string | undefined;
  service: string | undefined;
  /** The JSON request body (empty for other protocols). */
  input: Record<string, unknown>;
}

export class SignedProxy {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  endpoint = "";

  constructor(private readonly upstream: string) {}

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
          this.calls.push({ operation: String(req.headers["x-amz-target"] ?? ""), ...credentialScope(req.headers.authorization), input });
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
