import { RemovalPolicy, SecretValue } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

/**
 * The hub's secrets, in Secrets Manager only: the functions get their ARNs and read the values with
 * Powertools Parameters, so no value is in an environment variable or the template. The git
 * credentials are created with a generated placeholder password for the operator to replace
 * (README, "Deploy to AWS"); the webhook secret is generated and is the one to give the git host.
 * The chart repository credentials start as `{}`, no repository, which is no secret.
 */
export class HubSecrets extends Construct {
  /** `{ "username", "password", "credentials"? }`: the hub's own credential, which writes every deploy branch. */
  readonly git: Secret;
  /** `{ "username", "password" }`: the read-only credential bootstrap manifests give agents. */
  readonly agentGit: Secret;
  /** The git webhook's shared secret, as the whole secret string. */
  readonly webhook: Secret;
  /** `{ "<chart repository URL prefix>": { "username", "password", "plainHttp"? } }`: the worker's helm credentials. */
  readonly helmRepositories: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const credential = (name: string, description: string, username: string) =>
      new Secret(this, name, {
        description,
        generateSecretString: { secretStringTemplate: JSON.stringify({ username }), generateStringKey: "password", excludePunctuation: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.git = credential(
      "GitCredentials",
      "Radial hub: its git credential for the fleet repo (reads generators, writes deploy branches). Replace the placeholder password.",
      "radial-hub",
    );
    this.agentGit = credential(
      "AgentGitCredentials",
      "Radial hub: the read-only fleet repo credential bootstrap manifests give agents. Replace the placeholder password.",
      "radial-agent",
    );
    this.webhook = new Secret(this, "WebhookSecret", {
      description: "Radial hub: the shared secret of the git webhook (POST /v1/webhooks/git); give the git host this value.",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.helmRepositories = new Secret(this, "HelmRepositories", {
      description: "Radial hub: chart repository credentials by URL prefix, for the generation worker's helm. Starts empty: {}.",
      secretStringValue: SecretValue.unsafePlainText("{}"),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Every secret, for the acknowledgements that concern them all. */
  all(): Secret[] {
    return [this.git, this.agentGit, this.webhook, this.helmRepositories];
  }
}
