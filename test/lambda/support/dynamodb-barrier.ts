/**
 * A loopback proxy in front of a real DynamoDB emulator that forwards every request unchanged and
 * records each call's operation and HTTP status. Armed with `holdReads(n)`, it holds the answers to
 * GetItem until n of them have arrived, so n requests are forced past their read before any of
 * them writes: the interleaving a race needs, made certain instead of likely.
 */
import { createServer, request } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./signed-proxy.js";

export interface ProxiedCall {
  operation: string;
  status: number;
  /** The request as the SDK sent it (DynamoDB's JSON protocol). */
  input: Record<string, unknown>;
}

export class DynamoDbBarrier {
  readonly calls: ProxiedCall[] = [];
  endpoint = "";
  private server: Server | undefined;
  private readsToHold = 0;
  private waiting: Array<() => void> = [];

  constructor(private readonly upstream: string) {}

  /** Holds the next `count` GetItem answers until all `count` have been asked for. */
  holdReads(count: number): void {
    this.readsToHold = count;
    this.waiting = [];
  }

  reset(): void {
    this.calls.length = 0;
    this.readsToHold = 0;
    for (const release of this.waiting.splice(0)) release();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        const operation =
          String(req.headers["x-amz-target"] ?? "")
            .split(".")
            .pop() ?? "";
        if (operation === "GetItem" && this.readsToHold > 0) {
          await new Promise<void>((release) => {
            this.waiting.push(release);
            if (this.waiting.length >= this.readsToHold) {
              this.readsToHold = 0;
              for (const r of this.waiting.splice(0)) r();
            }
          });
        }
        const answer = await this.forward(req, body);
        this.calls.push({ operation, status: answer.status, input: JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown> });
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      })().catch((err: Error) => res.writeHead(502).end(err.message));
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.reset();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const target = new URL(req.url ?? "/", this.upstream);
    return new Promise((resolve, reject) => {
      const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        void readBody(up).then((b) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(up.headers))
            if (typeof v === "string" && k !== "content-length" && k !== "transfer-encoding") headers[k] = v;
          resolve({ status: up.statusCode ?? 500, headers, body: b });
        }, reject);
      });
      out.on("error", reject);
      out.end(body);
    });
  }
}
