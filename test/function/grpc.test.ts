import { RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { compositeOf, render, requestFor } from "../../functions/src/render.js";
import { startFunction, useFunctionServer } from "../support/function-server.js";

const claim = {
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "payments", namespace: "team-payments", uid: "3d4e5f60-0000-4000-8000-000000000001" },
  spec: { environmentSuffix: "prod01", tier: "backup-restore", primaryRegion: "eu-west-1" },
};

describe("the function served over real gRPC on loopback", () => {
  const server = useFunctionServer();

  it("answers RunFunction with the same desired state as the in-process render", async () => {
    const overTheWire = RunFunctionResponse.toJSON(await server().run(requestFor(compositeOf(claim)))) as any;
    const inProcess = RunFunctionResponse.toJSON(await render(claim)) as any;
    expect(Object.keys(overTheWire.desired.resources).length).toBeGreaterThan(20);
    expect(overTheWire.desired).toEqual(inProcess.desired);
    expect(overTheWire.results).toEqual(inProcess.results);
  });

  it("refuses an invalid claim with a Fatal result naming the field, composing nothing", async () => {
    const bad = { ...claim, spec: { ...claim.spec, tier: "warm-standby" } };
    const rsp = await server().run(requestFor(compositeOf(bad)));
    const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
    expect(fatal).toHaveLength(1);
    expect(fatal[0].message).toContain("spec.secondaryRegion");
    expect(Object.keys(rsp.desired?.resources ?? {})).toHaveLength(0);
  });

  it("exits cleanly on SIGTERM", async () => {
    const other = await startFunction();
    const code = await other.stop();
    expect(other.process.signalCode === "SIGTERM" || code === 0).toBe(true);
  }, 60_000);
});
