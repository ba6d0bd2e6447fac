/**
 * The function served over TLS the way Crossplane runs it: `--tls-server-certs-dir` naming a
 * directory with tls.key, tls.crt and ca.crt, called by a client that presents its own
 * certificate from the same CA. The certificates are made for this run with openssl, in a
 * temporary directory that is removed afterwards.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { FunctionRunnerServiceService, RunFunctionRequest, Severity } from "@crossplane-org/function-sdk-typescript";
import { compositeOf, requestFor } from "../../functions/src/render.js";
import { startFunction, type RunningFunction } from "../support/function-server.js";

const openssl = (dir: string, ...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

/** A CA, and a server and a client certificate it signed; the server's names 127.0.0.1 and localhost. */
function makeCertificates(dir: string, name: string): void {
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    `/CN=${name} CA`,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
  );
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [key, cn, ext] of [
    ["tls", "function-dr-environment", "server.ext"],
    ["client", "crossplane", "client.ext"],
  ]) {
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", `${key}.key`, "-out", `${key}.csr`);
    openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${key}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      ext,
      "-out",
      `${key}.crt`,
    );
  }
}

const Client = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, "FunctionRunnerService");

/** One RunFunction call over `credentials`: the gRPC status code, OK when it was answered. */
function callWith(address: string, credentials: grpc.ChannelCredentials): Promise<grpc.status> {
  const client = new Client(address, credentials) as unknown as grpc.Client & {
    runFunction(r: RunFunctionRequest, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void): void;
  };
  const req = requestFor(compositeOf({ kind: "DisasterRecoveryEnvironment", metadata: { name: "tls" }, spec: {} }));
  return new Promise((resolve) =>
    client.runFunction(req, new grpc.Metadata(), { deadline: Date.now() + 15_000 }, (e) => {
      client.close();
      resolve(e ? e.code : grpc.status.OK);
    }),
  );
}

describe("the function served with --tls-server-certs-dir", () => {
  let dir: string;
  let other: string;
  let fn: RunningFunction;
  const file = (d: string, name: string) => readFileSync(join(d, name));
  const trusted = () => grpc.credentials.createSsl(file(dir, "ca.crt"), file(dir, "client.key"), file(dir, "client.crt"));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "function-tls-"));
    other = mkdtempSync(join(tmpdir(), "function-tls-other-"));
    makeCertificates(dir, "test");
    makeCertificates(other, "untrusted");
    fn = await startFunction([], { flags: ["--tls-server-certs-dir", dir], credentials: trusted });
  }, 60_000);

  afterAll(async () => {
    await fn?.stop();
    for (const d of [dir, other]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it("answers a client that trusts its CA and presents a certificate, as Crossplane does", async () => {
    const rsp = await fn.run(
      requestFor(
        compositeOf({
          kind: "DisasterRecoveryEnvironment",
          metadata: { name: "tls", namespace: "team-tls", uid: "7a8b9c0d-0000-4000-8000-0000000000f1" },
          spec: { environmentSuffix: "tls01", tier: "backup-restore", primaryRegion: "eu-west-1" },
        }),
      ),
    );
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(Object.keys(rsp.desired?.resources ?? {}).length).toBeGreaterThan(0);
  });

  it("is not reachable in plaintext", async () => {
    expect(await callWith(fn.address, grpc.credentials.createInsecure())).toBe(grpc.status.UNAVAILABLE);
  });

  it("is refused by a client that does not trust the server's CA", async () => {
    expect(await callWith(fn.address, grpc.credentials.createSsl(file(other, "ca.crt")))).toBe(grpc.status.UNAVAILABLE);
  });
});
