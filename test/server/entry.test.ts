/**
 * The function's process as Crossplane's package runtime starts it: the standard flags, exit codes
 * a supervisor can act on, JSON log lines with a `severity`, and a clean exit on SIGINT as on
 * SIGTERM. Each case runs the real entry point (functions/src/main.ts) in a child process on
 * loopback.
 */
import { createServer, type Server } from "node:net";
import { helpText } from "@crossplane-org/function-sdk-typescript";
import { compositeOf, requestFor } from "../../functions/src/render.js";
import { FUNCTION_NAME, freePort, runEntry, startFunction } from "../support/function-server.js";

const claim = {
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "entry", namespace: "team-entry", uid: "5e6f7a8b-0000-4000-8000-000000000077" },
  spec: { environmentSuffix: "ent01", tier: "backup-restore", primaryRegion: "eu-west-1" },
};

interface LogLine {
  severity: string;
  msg: string;
}

/** Every line the process wrote to stdout, each of which must be a JSON log record. */
const logLines = (stdout: string): LogLine[] =>
  stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as LogLine);

describe("the command line", () => {
  it("prints the standard flags for --help and exits 0 without serving", async () => {
    const run = await runEntry(["--help"]);
    expect(run).toEqual({ code: 0, signal: null, stdout: `${helpText(FUNCTION_NAME)}\n`, stderr: "" });
  });

  it("refuses an unknown flag with exit 2, naming the flag and pointing at --help", async () => {
    const run = await runEntry(["--insecure", "--no-such-flag"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      new RegExp(`^${FUNCTION_NAME}: .*'--no-such-flag'.*\nTry '${FUNCTION_NAME} --help' for the available flags.\n$`),
    );
  });

  it("exits 1 with an error record when its address is taken", async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, "127.0.0.1", resolve));
    try {
      const run = await runEntry(["--insecure", "--address", `127.0.0.1:${port}`]);
      expect(run.code).toBe(1);
      const errors = logLines(run.stdout).filter((line) => line.severity === "ERROR");
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toMatch(/^server bind error: /);
    } finally {
      taken.close();
    }
  });

  it("refuses to start on a response cache size that is not a whole number of MiB, naming the variable", async () => {
    const run = await runEntry(["--insecure", "--address", `127.0.0.1:${await freePort()}`], { FUNCTION_RESPONSE_CACHE_MIB: "lots" });
    expect(run.code).toBe(1);
    expect(run.signal).toBeNull();
    expect(run.stderr).toContain('FUNCTION_RESPONSE_CACHE_MIB: must be a whole number of MiB from 0 to 4096, got "lots"');
  });
});

describe("logs and signals", () => {
  it("writes JSON records with an upper-case severity, debug records only with --debug", async () => {
    const request = requestFor(compositeOf(claim));
    const withDebug = await startFunction(["--debug"]);
    await withDebug.run(request);
    await withDebug.stop();
    const plain = await startFunction();
    await plain.run(request);
    await plain.stop();

    const debugLines = logLines(withDebug.stdout());
    expect(debugLines).toContainEqual(
      expect.objectContaining({ severity: "INFO", msg: `server started and listening on ${withDebug.address}` }),
    );
    expect(debugLines).toContainEqual(expect.objectContaining({ severity: "DEBUG", msg: "composed" }));
    expect(logLines(plain.stdout()).map((line) => line.severity)).not.toContain("DEBUG");
    expect(logLines(plain.stdout())).toContainEqual(expect.objectContaining({ severity: "INFO", msg: "server shut down" }));
  });

  it.each(["SIGINT", "SIGTERM"] as const)("on %s shuts down once, however many signals arrive, and exits 0", async (signal) => {
    const fn = await startFunction();
    // "close": by then everything it wrote has been read.
    const closed = new Promise<number | null>((resolve) => fn.process.once("close", resolve));
    fn.process.kill(signal);
    fn.process.kill(signal);
    expect(await closed).toBe(0);
    await fn.stop();
    const messages = logLines(fn.stdout()).map((line) => line.msg);
    expect(messages.filter((msg) => msg.startsWith("received "))).toEqual([`received ${signal}, shutting down`]);
    expect(messages.filter((msg) => msg === "server shut down")).toHaveLength(1);
  });
});
