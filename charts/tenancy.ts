/**
 * Tenancy: app teams may manage claims, and namespaced composites, in their own namespaces and
 * nothing else of this API. Cluster-scoped composites and managed resources (the namespaced
 * flavor's live in the team's namespace too) stay with the platform team: a team that could write
 * managed resources could create any AWS resource with the platform's ClusterProviderConfig.
 */
import { Chart } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import { Construct } from "constructs";
import { API_GROUP, CLAIM_PLURAL, NAMESPACED_API_GROUP, NAMESPACED_PLURAL } from "../src/api/index.js";

export const QUOTA_RESOURCE = `count/${CLAIM_PLURAL}.${API_GROUP}`;
/** The namespaced flavor's composites count apart from claims: a quota names one resource. */
export const NAMESPACED_QUOTA_RESOURCE = `count/${NAMESPACED_PLURAL}.${NAMESPACED_API_GROUP}`;
const claims = kplus.ApiResource.custom({ apiGroup: API_GROUP, resourceType: CLAIM_PLURAL });
const namespacedComposites = kplus.ApiResource.custom({ apiGroup: NAMESPACED_API_GROUP, resourceType: NAMESPACED_PLURAL });

/**
 * Verbs per built-in role. Edit includes update and patch: a planned switchover is a change of
 * spec.failover.activeRegion on the claim.
 */
export const CLAIM_ROLES = {
  view: ["get", "list", "watch"],
  edit: ["create", "update", "patch", "delete"],
} as const;

export class ClaimRoles extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const [builtIn, verbs] of Object.entries(CLAIM_ROLES)) {
      const role = new kplus.ClusterRole(this, builtIn, {
        metadata: {
          name: `dr-environment-claims-${builtIn}`,
          labels: { [`rbac.authorization.k8s.io/aggregate-to-${builtIn}`]: "true" },
        },
      });
      role.allow([...verbs], claims, namespacedComposites);
    }
  }
}

export class ClaimRolesChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ClaimRoles(this, "roles");
  }
}

export interface TeamNamespaceProps {
  namespace: string;
  /** Identity-provider group whose members work in the namespace. */
  group: string;
  /** How many environments the team may have at once; each is a full AWS footprint. */
  maxEnvironments: number;
}

/** Onboards a team: its namespace, `edit` for its group there, and a cap on environments. */
export class TeamNamespace extends Construct {
  constructor(scope: Construct, id: string, props: TeamNamespaceProps) {
    super(scope, id);
    const labels = { "dr.platform.io/team-namespace": "true" };
    new kplus.Namespace(this, "namespace", { metadata: { name: props.namespace, labels } });
    const binding = new kplus.RoleBinding(this, "edit", {
      metadata: { name: "team-edit", namespace: props.namespace },
      role: kplus.ClusterRole.fromClusterRoleName(this, "edit-role", "edit"),
    });
    binding.addSubjects(kplus.Group.fromName(this, "group", props.group));
    new kplus.k8s.KubeResourceQuota(this, "quota", {
      metadata: { name: "dr-environments", namespace: props.namespace },
      spec: {
        hard: {
          [QUOTA_RESOURCE]: kplus.k8s.Quantity.fromNumber(props.maxEnvironments),
          [NAMESPACED_QUOTA_RESOURCE]: kplus.k8s.Quantity.fromNumber(props.maxEnvironments),
        },
      },
    });
  }
}

export const EXAMPLE_TEAM: TeamNamespaceProps = { namespace: "team-payments", group: "team-payments", maxEnvironments: 3 };

export class TeamNamespaceChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new TeamNamespace(this, "team", EXAMPLE_TEAM);
  }
}

export const TENANCY_CHARTS = { rbac: ClaimRolesChart, [EXAMPLE_TEAM.namespace]: TeamNamespaceChart } as const;
