/**
 * Starts the real function entry point (functions/src/main.ts) as a child process serving gRPC
 * on a free loopback port, and gives a real gRPC client for it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { FunctionRunnerServiceService, RunFunctionRequest, RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningFunction {
  address: string;
  process: ChildProcess;
  run(req: RunFunctionRequest, deadlineMs?: number): Promise<RunFunctionResponse>;
  stop(): Promise<number | null>;
  /** Everything it wrote, stdout and stderr interleaved. */
  logs(): string;
  /** What it wrote to stdout: its log lines. */
  stdout(): string;
}

const Client = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, "FunctionRunnerService");

/**
 * The entry point served. FUNCTION_SERVER_ENTRY swaps in another one, to show that a suite fails
 * against a server that lacks what it tests (a SIGTERM handler, say).
 */
const ENTRY = process.env["FUNCTION_SERVER_ENTRY"] ?? "functions/src/main.ts";

/** The name the entry point gives itself in its help and errors. */
export const FUNCTION_NAME = "function-dr-environment";

export interface EntryRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the entry point with `args` until it exits on its own (help, a refused flag, a failed bind),
 * killing it after `limitMs`: a run that has to be killed ends with `signal` SIGKILL.
 */
export function runEntry(args: string[], env: NodeJS.ProcessEnv = {}, limitMs = 30_000): Promise<EntryRun> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const limit = setTimeout(() => child.kill("SIGKILL"), limitMs);
  return new Promise((resolve) =>
    child.once("close", (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

export interface Transport {
  /** Flags that choose how the server listens: `--insecure`, or `--tls-server-certs-dir <dir>`. */
  flags: string[];
  credentials: () => grpc.ChannelCredentials;
  /** The TLS name the client checks the server certificate for. */
  serverName?: string;
}

export const INSECURE: Transport = { flags: ["--insecure"], credentials: () => grpc.credentials.createInsecure() };

export async function startFunction(extraArgs: string[] = [], transport: Transport = INSECURE): Promise<RunningFunction> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...transport.flags, "--address", address, ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  child.stdout?.on("data", (d) => ((output += d), (stdout += d)));
  child.stderr?.on("data", (d) => (output += d));
  // "close", not "exit": by then everything it wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  // A test that dies before stop() must not leave the server running after the test process.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  void exited.then(() => process.off("exit", reap));

  const options = transport.serverName ? { "grpc.ssl_target_name_override": transport.serverName } : {};
  const client = new Client(address, transport.credentials(), options) as unknown as grpc.Client & {
    runFunction(
      req: RunFunctionRequest,
      meta: grpc.Metadata,
      opts: grpc.CallOptions,
      cb: (e: grpc.ServiceError | null, r: RunFunctionResponse) => void,
    ): void;
  };
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 30_000, (error) => (error ? reject(new Error(`${error.message}\n${output}`)) : resolve())),
  );
  return {
    address,
    process: child,
    logs: () => output,
    stdout: () => stdout,
    run: (req, deadlineMs = 10_000) =>
      new Promise((resolve, reject) =>
        client.runFunction(req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e, r) => (e ? reject(e) : resolve(r))),
      ),
    stop: async () => {
      client.close();
      child.kill("SIGTERM");
      return exited;
    },
  };
}

export { RunFunctionResponse };

/** Starts the function before the suite's tests and stops it after; the getter gives the running server. */
export function useFunctionServer(): () => RunningFunction {
  let fn: RunningFunction | undefined;
  beforeAll(async () => {
    fn = await startFunction();
  }, 60_000);
  afterAll(async () => {
    await fn?.stop();
  });
  return () => {
    if (!fn) throw new Error("the function server has not started");
    return fn;
  };
}
