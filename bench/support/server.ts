/**
 * A composition function served by a real process on loopback, driven by a gRPC client that
 * sends pre-encoded requests and does not decode responses, so the client's own protobuf work does
 * not count against the server. Works for any function binary: ours (bundled or under tsx) and a
 * Go one. The server is optionally pinned to one CPU with taskset.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import { FunctionRunnerServiceService } from "@crossplane-org/function-sdk-typescript";
import { freePort } from "../../test/support/function-server.js";
import { rssOf } from "./stats.js";

/** Crossplane's v1 service, and v1beta1 which older functions (and patch-and-transform v0.5) serve; the messages are identical. */
export type ProtoVersion = "v1" | "v1beta1";

export interface FunctionCommand {
  label: string;
  command: string;
  args: (address: string) => string[];
  proto: ProtoVersion;
  /** The process answers SIGUSR2 with a memory line on stderr (see memory-probe.mjs). */
  reportsHeap?: boolean;
  /** Set on top of this process's environment (e.g. what the runtime image sets). */
  env?: Record<string, string>;
}

export interface Served {
  label: string;
  pid: number;
  /** Spawn until the port accepts connections. */
  listeningMs: number;
  /** Raw RunFunction: encoded request in, encoded response out. */
  call(request: Buffer, deadlineMs?: number): Promise<Buffer>;
  rss(): Promise<number | undefined>;
  /** V8 heap of a Node server (undefined for others). */
  heap(): Promise<{ heapUsed: number; heapTotal: number; rss: number } | undefined>;
  stop(): Promise<void>;
  logs(): string;
}

const runtimeStage = (root: string) =>
  readFileSync(join(root, "functions/Dockerfile"), "utf8")
    .split(/^FROM /m)
    .at(-1)!;

/**
 * The Node flags the runtime image starts the function with (functions/Dockerfile's ENTRYPOINT,
 * between the node binary and the bundle), so the bench measures the process as it ships.
 */
export function runtimeFlags(root = join(import.meta.dirname, "../..")): string[] {
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtimeStage(root))?.[1];
  if (!entrypoint) throw new Error("functions/Dockerfile has no ENTRYPOINT in exec form");
  const argv = JSON.parse(entrypoint) as string[];
  return argv.slice(1, -1);
}

/** The environment the runtime image sets (its last stage's `ENV KEY=value` lines). */
export function runtimeEnv(root = join(import.meta.dirname, "../..")): Record<string, string> {
  const lines = [...runtimeStage(root).matchAll(/^ENV\s+(\S+?)=(\S*)\s*$/gm)];
  return Object.fromEntries(lines.map(([, key, value]) => [key!, value!]));
}

export const hasTaskset = spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;

/** Pins a running process (e.g. the bench itself) to the given CPUs, when taskset exists. */
export function pin(pid: number, cpus: string): boolean {
  return hasTaskset && spawnSync("taskset", ["-p", "-c", cpus, String(pid)], { stdio: "ignore" }).status === 0;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => (socket.destroy(), resolve(false)));
  });
}

const raw = (b: Buffer) => b;

export async function serveFunction(fn: FunctionCommand, opts: { cpu?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Served> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const [command, args] =
    opts.cpu !== undefined && hasTaskset ? ["taskset", ["-c", opts.cpu, fn.command, ...fn.args(address)]] : [fn.command, fn.args(address)];
  const start = performance.now();
  const child: ChildProcess = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...(opts.env ?? process.env), ...fn.env } });
  let output = "";
  const heapWaiters: Array<(line: string) => void> = [];
  child.stdout?.on("data", (d) => (output = (output + d).slice(-20_000)));
  child.stderr?.on("data", (d: Buffer) => {
    const text = d.toString();
    for (const line of text.split("\n")) if (line.startsWith("BENCH_MEMORY ")) heapWaiters.shift()?.(line.slice(13));
    output = (output + text).slice(-20_000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));

  const deadline = start + 30_000;
  while (!(await portOpen(port))) {
    if (exited || performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${fn.label} did not start listening on ${address}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const listeningMs = performance.now() - start;

  const service = {
    runFunction: {
      ...FunctionRunnerServiceService.runFunction,
      path: `/apiextensions.fn.proto.${fn.proto}.FunctionRunnerService/RunFunction`,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    },
  };
  const Client = grpc.makeGenericClientConstructor(service, "FunctionRunnerService");
  // Responses of a large environment exceed gRPC's 4 MiB default only in extreme cases; lift it anyway, as Crossplane does.
  const client = new Client(address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    "grpc.max_send_message_length": 64 * 1024 * 1024,
  }) as unknown as grpc.Client & {
    runFunction(req: Buffer, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Buffer) => void): void;
  };

  return {
    label: fn.label,
    pid: child.pid!,
    listeningMs,
    call: (request, deadlineMs = 30_000) =>
      new Promise((resolve, reject) =>
        client.runFunction(request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e, r) => (e ? reject(e) : resolve(r))),
      ),
    rss: () => rssOf(child.pid!),
    heap: async () => {
      if (!fn.reportsHeap || exited) return undefined;
      const line = new Promise<string>((resolve, reject) => {
        heapWaiters.push(resolve);
        setTimeout(() => reject(new Error(`${fn.label} did not report its memory`)), 5_000).unref();
      });
      child.kill("SIGUSR2");
      return JSON.parse(await line);
    },
    stop: async () => {
      client.close();
      if (!exited) child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(killer);
    },
    logs: () => output,
  };
}
