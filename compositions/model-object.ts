/**
 * Adds a typed model to a chart. The model validates itself against the JSON schema of its CRD
 * first, so a wrong field fails `npm run synth` instead of `kubectl apply`.
 */
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";

interface ValidatingModel {
  validate(): void;
  toJSON(): unknown;
}

export function addModel(scope: Construct, id: string, model: ValidatingModel): ApiObject {
  model.validate();
  const { apiVersion, kind, ...rest } = model.toJSON() as { apiVersion: string; kind: string };
  return new ApiObject(scope, id, { apiVersion, kind, ...rest });
}

/** For kinds no typed model exists for (meta.pkg.crossplane.io, Argo CD). */
export interface PlainObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function addPlain(scope: Construct, id: string, object: PlainObject): ApiObject {
  return new ApiObject(scope, id, object);
}
