/**
 * moto server (RDS, SNS, SQS) from a project-local virtualenv, on a free loopback port.
 * Without python3 the suites that need it are skipped with a console message saying so, except
 * under CI (`CI` set), where a suite that cannot run fails: a green CI run has run them all.
 */
import { fileURLToPath } from "node:url";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";

const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const SETUP = resolve(ROOT, "test/lambda/setup/moto-venv.sh");

export const PYTHON_AVAILABLE = spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0;

/** Under CI every suite must run: a missing prerequisite is a failure there, not a skip. */
export const MUST_RUN = Boolean(process.env["CI"]);

/** `describe`; when python3 is missing, a failing suite under CI and a visibly announced `describe.skip` elsewhere. */
export function describeWithMoto(name: string, fn: () => void): void {
  if (PYTHON_AVAILABLE) {
    describe(name, fn);
  } else if (MUST_RUN) {
    describe(name, () => {
      it("runs: CI is set, so a missing moto server is a failure", () => {
        throw new Error(
          "python3 is not installed, and these tests need moto server: install python3 and python3-venv, then npm run setup:lambda",
        );
      });
    });
  } else {
    console.warn(`SKIPPING "${name}": python3 is not installed, and these tests need moto server (run npm run setup:lambda once it is)`);
    describe.skip(name, fn);
  }
}

/** Generous: the first install downloads moto and its dependencies. */
export const MOTO_SETUP_TIMEOUT_MS = 10 * 60_000;

/** A loopback port free at the time of asking: nothing listens on it, so connections are refused. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}

export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const server = execFileSync("bash", [SETUP], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .pop()!;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(server, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
      }),
  };
}
