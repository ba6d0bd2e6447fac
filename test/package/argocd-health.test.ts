/**
 * Runs the Argo CD health checks from argocd-cm in a real Lua VM against the states a claim, a
 * package and an Application go through. Argo CD's gopher-lua is Lua 5.1; the scripts use only
 * what 5.1 and 5.3 share.
 */
import { lauxlib, lua, lualib, to_luastring } from "fengari";
import { only, type Manifest } from "./support.js";

const data = (only("argocd/argocd-cm.yaml") as Manifest & { data: Record<string, string> }).data;
const script = (key: string) => data[`resource.customizations.health.${key}`];

function toLua(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(", ")}}`;
  return `{${Object.entries(value)
    .map(([k, v]) => `[${JSON.stringify(k)}] = ${toLua(v)}`)
    .join(", ")}}`;
}

function health(key: string, obj: unknown): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const code = `local obj = ${toLua(obj)}\n${script(key)}`;
  if (lauxlib.luaL_dostring(L, to_luastring(code)) !== 0) throw new Error(lua.lua_tojsstring(L, -1));
  expect(lua.lua_type(L, -1)).toBe(lua.LUA_TTABLE);
  const field = (name: string) => {
    lua.lua_getfield(L, -1, to_luastring(name));
    const text = lua.lua_tojsstring(L, -1);
    lua.lua_pop(L, 1);
    return text;
  };
  return { status: field("status"), message: field("message") };
}

const conditions = (...list: Array<[string, string, string?, string?]>) => ({
  status: { conditions: list.map(([type, status, reason, message]) => ({ type, status, reason, message })) },
});

/** [case, resource key, object, expected status, text the message must contain] */
const CASES: Array<[string, string, unknown, string, string]> = [
  ["a new claim without status", "dr.platform.io_DisasterRecoveryEnvironment", {}, "Progressing", "Ready"],
  [
    "a claim still creating",
    "dr.platform.io_DisasterRecoveryEnvironment",
    conditions(["Synced", "True"], ["Ready", "False", "Creating", "waiting for 12 resources"]),
    "Progressing",
    "waiting for 12 resources",
  ],
  [
    "a ready claim",
    "dr.platform.io_DisasterRecoveryEnvironment",
    conditions(["Synced", "True"], ["Ready", "True", "Available"]),
    "Healthy",
    "Ready",
  ],
  [
    "a claim the function refused",
    "dr.platform.io_DisasterRecoveryEnvironment",
    conditions(["Synced", "False", "ReconcileError", "spec.secondaryRegion is required"], ["Ready", "True"]),
    "Degraded",
    "spec.secondaryRegion",
  ],
  [
    "a namespaced composite the function refused",
    "dr.m.platform.io_DisasterRecoveryEnvironment",
    conditions(["Synced", "False", "ReconcileError", "spec.secondaryRegion is required"], ["Ready", "False"]),
    "Degraded",
    "spec.secondaryRegion",
  ],
  [
    "a ready namespaced composite",
    "dr.m.platform.io_DisasterRecoveryEnvironment",
    conditions(["Synced", "True"], ["Ready", "True", "Available"]),
    "Healthy",
    "Ready",
  ],
  ["a provider installing", "pkg.crossplane.io_Provider", conditions(["Installed", "True"], ["Healthy", "Unknown"]), "Progressing", ""],
  ["a healthy provider", "pkg.crossplane.io_Provider", conditions(["Installed", "True"], ["Healthy", "True"]), "Healthy", ""],
  [
    "a broken function revision",
    "pkg.crossplane.io_Function",
    conditions(["Installed", "True"], ["Healthy", "False", "UnhealthyPackageRevision", "crash loop"]),
    "Degraded",
    "crash loop",
  ],
  ["a healthy configuration", "pkg.crossplane.io_Configuration", conditions(["Installed", "True"], ["Healthy", "True"]), "Healthy", ""],
  ["a child Application still syncing", "argoproj.io_Application", { status: { health: { status: "Progressing" } } }, "Progressing", ""],
  ["a healthy child Application", "argoproj.io_Application", { status: { health: { status: "Healthy" } } }, "Healthy", ""],
  ["a child Application without status", "argoproj.io_Application", {}, "Progressing", ""],
];

describe("Argo CD health checks", () => {
  it.each(CASES)("%s is reported as expected", (_, key, obj, status, message) => {
    const result = health(key, obj);
    expect(result.status).toBe(status);
    expect(result.message).toContain(message);
  });

  it("exist for every key the cases exercise, and no key goes untested", () => {
    const keys = Object.keys(data).map((k) => k.replace("resource.customizations.health.", ""));
    expect([...new Set(CASES.map(([, key]) => key))].sort()).toEqual(keys.sort());
  });
});
