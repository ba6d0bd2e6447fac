/**
 * A patch-and-transform Input equivalent to our composition of one environment, generated from our
 * own rendered output: every composed resource becomes a `resources[]` entry whose `base` is the
 * manifest we rendered, with FromCompositeFieldPath patches for the values that come from the XR
 * (region, tags, provider config, deletion policy, names built from the environment suffix) and
 * ToCompositeFieldPath patches for the status values we report. Applied to the same XR, P&T then
 * composes the same resources, which the bench checks (up to metadata.name, which P&T copies from
 * the observed resource and Crossplane fills in for us).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./claims.js";

type Json = Record<string, unknown>;
type Patch = Json;

export const PT_BUILD_SCRIPT = join(ROOT, "bench/go/build-patch-and-transform.sh");

/** Path of the P&T binary, building it on first use; undefined (with the reason) when Go or the module is not available. */
export function patchAndTransformBinary(): { path?: string; reason?: string } {
  const run = spawnSync("bash", [PT_BUILD_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 20 * 60_000 });
  const path = run.stdout?.trim().split("\n").pop();
  return run.status === 0 && path ? { path } : { reason: `build script exited ${run.status ?? run.signal}` };
}

const from = (fromFieldPath: string, toFieldPath: string, transforms?: Json[]): Patch => ({
  type: "FromCompositeFieldPath",
  fromFieldPath,
  toFieldPath,
  ...(transforms ? { transforms } : {}),
});
const to = (fromFieldPath: string, toFieldPath: string): Patch => ({ type: "ToCompositeFieldPath", fromFieldPath, toFieldPath });

/** `dr-app-prod01` with suffix `prod01` -> fmt `dr-app-%s`; only when the suffix occurs exactly once. */
function formatOf(value: string, suffix: string): string | undefined {
  const at = value.indexOf(suffix);
  if (at < 0 || value.indexOf(suffix, at + 1) >= 0) return undefined;
  const esc = (s: string) => s.replaceAll("%", "%%");
  return `${esc(value.slice(0, at))}%s${esc(value.slice(at + suffix.length))}`;
}

const STATUS_FIELDS: Record<string, Record<string, string>> = {
  Stage: { invokeUrl: "apiUrl" },
  Cluster: { endpoint: "dbWriterEndpoint", readerEndpoint: "dbReaderEndpoint" },
};

export function patchAndTransformInput(xrSpec: Json, resources: Record<string, Json>): { input: Json; patches: number } {
  const suffix = String(xrSpec.environmentSuffix);
  const claimTags = (xrSpec.tags ?? {}) as Record<string, string>;
  let patches = 0;
  const entries = Object.entries(resources).map(([name, base]) => {
    const role = name.startsWith("secondary-") ? "secondary" : "primary";
    const regionField = role === "primary" ? "spec.primaryRegion" : "spec.secondaryRegion";
    const spec = (base.spec ?? {}) as Json;
    const forProvider = (spec.forProvider ?? {}) as Json;
    const list: Patch[] = [];
    if (forProvider.region !== undefined && forProvider.region === xrSpec[regionField.slice(5)])
      list.push(from(regionField, "spec.forProvider.region"));
    const tags = forProvider.tags as Record<string, string> | undefined;
    if (tags) {
      for (const [key, value] of Object.entries(claimTags))
        if (tags[key] === value) list.push(from(`spec.tags[${key}]`, `spec.forProvider.tags[${key}]`));
      for (const [key, value] of Object.entries(tags)) {
        if (value === suffix) list.push(from("spec.environmentSuffix", `spec.forProvider.tags[${key}]`));
        else if (value === xrSpec.tier) list.push(from("spec.tier", `spec.forProvider.tags[${key}]`));
      }
    }
    if ((spec.providerConfigRef as Json | undefined)?.name === xrSpec.providerConfigName)
      list.push(from("spec.providerConfigName", "spec.providerConfigRef.name"));
    if (spec.deletionPolicy === (xrSpec.protection ? "Orphan" : "Delete")) {
      list.push(
        from("spec.protection", "spec.deletionPolicy", [
          { type: "convert", convert: { toType: "string" } },
          { type: "map", map: { true: "Orphan", false: "Delete" } },
        ]),
      );
    }
    const annotations = ((base.metadata as Json | undefined)?.annotations ?? {}) as Record<string, string>;
    const fields: Array<[string, unknown]> = [
      ...Object.entries(annotations).map(([k, v]) => [`metadata.annotations[${k}]`, v] as [string, unknown]),
      ...Object.entries(forProvider)
        .filter(([k]) => k !== "region")
        .map(([k, v]) => [`spec.forProvider.${k}`, v] as [string, unknown]),
    ];
    for (const [key, value] of Object.entries(tags ?? {})) if (value !== suffix) fields.push([`spec.forProvider.tags[${key}]`, value]);
    for (const [path, value] of fields) {
      const fmt = typeof value === "string" ? formatOf(value, suffix) : undefined;
      if (fmt) list.push(from("spec.environmentSuffix", path, [{ type: "string", string: { type: "Format", fmt } }]));
    }
    for (const [field, status] of Object.entries(STATUS_FIELDS[String(base.kind)] ?? {}))
      list.push(to(`status.atProvider.${field}`, `status.${role}.${status}`));
    patches += list.length;
    return { name, base, patches: list };
  });
  return { input: { apiVersion: "pt.fn.crossplane.io/v1beta1", kind: "Resources", resources: entries }, patches };
}
