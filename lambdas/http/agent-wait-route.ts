import { AGENT_CLUSTER_HEADER, ClusterName, echo } from "../../contract/index.js";
import { AGENT_WAIT_PATH, AgentWaitQuery, AgentWaitReply } from "../../contract/agent-wait.js";
import { parseWith } from "../../contract/validation.js";
import type { ClusterRegistry } from "../inventory/cluster-registry.js";
import { bearerToken } from "../inventory/token.js";
import type { DeployHeads } from "../status/deploy-heads.js";
import type { ApiRequest, Route } from "./api.js";
import { HttpError } from "./http-error.js";

export interface AgentWaitDependencies {
  deployHeads: Pick<DeployHeads, "waitForChange" | "waitSeconds">;
  registry: Pick<ClusterRegistry, "authenticateAgent">;
}

/** The cluster whose agent token the request carries, checked as a status report's is (the same messages). */
async function authenticatedCluster(request: ApiRequest, deps: AgentWaitDependencies): Promise<string> {
  const token = bearerToken(request.headers);
  if (token === undefined)
    throw new HttpError("unauthorized", "missing credentials: send 'Authorization: Bearer <agent token>' (the token in the agent's Secret)");
  if (!token.startsWith("rdl_agent_")) throw new HttpError("unauthorized", "agents wait with the cluster's agent token (rdl_agent_...), not an operator token");
  const claimed = request.headers[AGENT_CLUSTER_HEADER];
  const name = ClusterName.safeParse(claimed);
  if (!name.success) {
    const got = claimed === undefined ? "" : ` (got ${echo(claimed)})`;
    throw new HttpError("unauthorized", `name the cluster whose agent token this is in the ${AGENT_CLUSTER_HEADER} header, as a cluster name${got}`);
  }
  if (!(await deps.registry.authenticateAgent(name.data, token))) {
    throw new HttpError(
      "unauthorized",
      `the agent token is not valid for cluster ${name.data}: it is another cluster's token, a token rotated out after its grace period, ` +
        `or the cluster is not registered (deleted); install a new bootstrap manifest (radial cluster rotate-token ${name.data}, or register it again)`,
    );
  }
  return name.data;
}

/** `GET /v1/agent/revision`: an agent's long-poll for a new head of its deploy branch (see contract/agent-wait.ts). */
export function agentWaitRoutes(deps: AgentWaitDependencies): Route[] {
  return [
    {
      method: "GET",
      path: AGENT_WAIT_PATH,
      summary:
        "An agent waits (up to RADIAL_AGENT_WAIT_SECONDS, at most 25 s) until its deploy branch has a head other than ?known=<commit>; with its agent token and X-Radial-Cluster",
      auth: "agent",
      responses: { 200: { description: "The head once it differs from `known`, or as it is when the wait is over", schema: AgentWaitReply } },
      async handle(request) {
        const cluster = await authenticatedCluster(request, deps);
        const query = parseWith(AgentWaitQuery, Object.fromEntries(request.query), "query");
        if (!query.ok) throw new HttpError("validation_failed", query.message, { problems: query.problems });
        const waitSeconds = deps.deployHeads.waitSeconds;
        const revision = await deps.deployHeads.waitForChange(cluster, query.value.known ?? null);
        return { status: 200, body: { revision, waitSeconds } satisfies AgentWaitReply };
      },
    },
  ];
}
