/**
 * What a drill needs besides the emulators: a Lambda Invoke endpoint that runs the real handlers
 * in-process (MOCK, named as such: moto runs Lambda code only in Docker, which this machine lacks),
 * an EventBridge pattern matcher for the few operators the composition's patterns use, and the
 * CloudWatch "M out of N" evaluation of an alarm over data points.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { lambdaContext } from "../lambda/support/lambda-context.js";

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** MOCK: answers Lambda's Invoke (POST /2015-03-31/functions/<name>/invocations) with a real handler's result. */
export class LambdaInvokeStandIn {
  readonly invocations: Array<{ functionName: string; payload: unknown }> = [];
  private server: Server | undefined;
  endpoint = "";

  constructor(private readonly handlers: Record<string, Handler>) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const name = decodeURIComponent(/^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? "")?.[1] ?? "");
        const handler = this.handlers[name];
        if (!handler) {
          res.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "ResourceNotFoundException" });
          res.end(JSON.stringify({ message: `Function not found: ${name}` }));
          return;
        }
        const payload = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as unknown;
        this.invocations.push({ functionName: name, payload });
        handler(payload, lambdaContext(name)).then(
          (result) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result)),
          (err: Error) =>
            res
              .writeHead(200, { "content-type": "application/json", "x-amz-function-error": "Unhandled" })
              .end(JSON.stringify({ errorMessage: err.message })),
        );
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }
}

/** EventBridge matching as the composition's patterns use it: arrays list accepted values, objects nest. */
export function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((accepted) => accepted === event);
  if (typeof pattern === "object" && pattern !== null) {
    if (typeof event !== "object" || event === null) return false;
    return Object.entries(pattern).every(([k, p]) => matches(p, (event as Record<string, unknown>)[k]));
  }
  return pattern === event;
}

export interface AlarmRule {
  comparisonOperator: string;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
}

/** ALARM when at least datapointsToAlarm of the last evaluationPeriods data points breach. */
export function alarmState(alarm: AlarmRule, datapoints: number[]): "ALARM" | "OK" | "INSUFFICIENT_DATA" {
  const window = datapoints.slice(-alarm.evaluationPeriods);
  if (window.length === 0) return "INSUFFICIENT_DATA";
  const breach = (v: number) =>
    ({
      LessThanThreshold: v < alarm.threshold,
      GreaterThanThreshold: v > alarm.threshold,
      GreaterThanOrEqualToThreshold: v >= alarm.threshold,
      LessThanOrEqualToThreshold: v <= alarm.threshold,
    })[alarm.comparisonOperator] ?? false;
  return window.filter(breach).length >= (alarm.datapointsToAlarm ?? alarm.evaluationPeriods) ? "ALARM" : "OK";
}
