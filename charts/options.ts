/**
 * How a platform team sets up its install, in package.json `config` beside the registry (read by
 * every chart, so `npm run synth` writes dist/ already configured; dist/ is never edited by hand):
 *   irsaRoleArn       the IAM role the providers assume through IRSA on EKS; empty: credentials
 *                     come from the `aws-credentials` Secret.
 *   environmentsPath  the repository folder of claims Argo CD syncs; empty: Argo CD syncs no
 *                     claims. Each claim is a billed AWS environment, so they are opt-in and the
 *                     folder is the team's own, never the examples.
 */
import { readFileSync } from "node:fs";

export interface InstallOptions {
  irsaRoleArn?: string;
  environmentsPath?: string;
}

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The options, checked: a wrong one fails the synth with the field named rather than a broken install. */
export function installOptions(config: Record<string, unknown>): InstallOptions {
  const text = (key: string) => {
    const value = config[key];
    if (value !== undefined && typeof value !== "string") throw new Error(`package.json config.${key} must be a string`);
    return value ? value : undefined;
  };
  const irsaRoleArn = text("irsaRoleArn");
  if (irsaRoleArn && !IAM_ROLE_ARN.test(irsaRoleArn))
    throw new Error(`package.json config.irsaRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${irsaRoleArn}`);
  const environmentsPath = text("environmentsPath")?.replace(/\/+$/, "");
  if (environmentsPath && (environmentsPath === "examples" || environmentsPath.startsWith("dist")))
    throw new Error(`package.json config.environmentsPath must be a folder of your own claims, not ${environmentsPath}`);
  return { irsaRoleArn, environmentsPath };
}

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { config?: Record<string, unknown> };
export const INSTALL_OPTIONS: InstallOptions = installOptions(manifest.config ?? {});
