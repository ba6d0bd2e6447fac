/**
 * How drctl finds its cluster and namespace, as kubectl does: real kubeconfig files on disk read
 * by the real client library; no cluster is contacted.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadKubeConfig, namespaceOf, NoKubeconfigError } from "../../tools/drctl/drctl.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "drctl-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(namespace?: string): string {
  const file = join(dir, `config-${namespace ?? "none"}`);
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
      users: [{ name: "u", user: { token: "not-a-real-token" } }],
      contexts: [{ name: "ctx", context: { cluster: "c", user: "u", ...(namespace ? { namespace } : {}) } }],
      "current-context": "ctx",
    }),
  );
  return file;
}

test("the namespace comes from -n, else the current context, else default", () => {
  const withNs = loadKubeConfig(kubeconfig("team-payments"));
  expect(namespaceOf(withNs)).toBe("team-payments");
  expect(namespaceOf(withNs, "other")).toBe("other");
  expect(namespaceOf(loadKubeConfig(kubeconfig()))).toBe("default");
});

test("$KUBECONFIG is read as kubectl reads it", () => {
  const kc = loadKubeConfig(undefined, { KUBECONFIG: kubeconfig("from-env"), HOME: dir });
  expect(namespaceOf(kc)).toBe("from-env");
});

test("with no kubeconfig anywhere it says where it looked", () => {
  expect(() => loadKubeConfig(undefined, { HOME: join(dir, "nowhere") })).toThrow(NoKubeconfigError);
  expect(() => loadKubeConfig(undefined, { HOME: join(dir, "nowhere") })).toThrow(
    `no kubeconfig: looked for ${join(dir, "nowhere", ".kube", "config")}`,
  );
  expect(() => loadKubeConfig(join(dir, "missing"))).toThrow("--kubeconfig");
});

test("the CLI: --help exits 0, usage errors and a missing kubeconfig exit 2 with a clear message", () => {
  const drctl = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    spawnSync(process.execPath, ["--import", "tsx", "tools/drctl/drctl.ts", ...args], { encoding: "utf8", env });
  const help = drctl(["--help"]);
  expect(help.status).toBe(0);
  expect(help.stdout).toContain("exit codes: 0 done, 1 failed or timed out, 2 usage or no kubeconfig");
  expect(drctl(["explode", "x"]).status).toBe(2);
  const none = drctl(["status", "payments"], { PATH: process.env.PATH, HOME: join(dir, "nowhere") });
  expect(none.status).toBe(2);
  expect(none.stderr).toContain("no kubeconfig");
  expect(none.stderr).not.toContain("HTTP protocol");
});
