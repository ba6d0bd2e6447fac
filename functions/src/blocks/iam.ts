/** IAM policy documents, written once for every block. */

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** A policy document as the JSON string the IAM kinds take; key order is fixed for stable output. */
export function policyDocument(statements: Statement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy that lets one AWS service assume the role. */
export function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

/** The ARN of an AWS managed policy, e.g. `service-role/AWSBackupServiceRolePolicyForBackup`. */
export function awsManagedPolicyArn(path: string): string {
  return `arn:aws:iam::aws:policy/${path}`;
}

/** Lets a principal write log streams of exactly one log group (its ARN with or without the `:*` suffix). */
export function writeLogsStatement(groupArn: string): Statement {
  const group = groupArn.replace(/:\*$/, "");
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [group, `${group}:log-stream:*`],
  };
}
