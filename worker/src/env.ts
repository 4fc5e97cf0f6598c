/** The worker's bindings and secrets; see wrangler.toml and .dev.vars.example. */
export interface Env {
  /** D1: every stored record. */
  DB: D1Database;
  /** Static assets (wrangler.toml [assets]): the prebuilt /openapi.json. */
  ASSETS: { fetch(input: URL | string | Request): Promise<Response> };
  /** JSON keyring for the vault: {"current":"2","keys":{"1":"<base64 32 bytes>","2":"…"}}. */
  VAULT_KEYS: string;
  /** Bearer token for /admin/…; unset disables administration over HTTP. */
  ADMIN_TOKEN?: string;
  /** Cloudflare Access team domain (myteam.cloudflareaccess.com, or an https origin); with ACCESS_AUD enables SSO. */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience tag. */
  ACCESS_AUD?: string;
  /** HS256 key (32+ characters) signing the completion URLs of runs. */
  RUN_TOKEN_KEY?: string;
  /** Send AWS calls here instead of AWS (a local stand-in in tests), like the AWS CLI's AWS_ENDPOINT_URL. */
  AWS_ENDPOINT_URL?: string;
  /** Outbound requests one request may make (Workers' subrequest limit for your plan); default 1000. */
  MAX_SUBREQUESTS?: string;
  /** Hours after which a run's secrets are deleted even without a completion event; default 72. */
  RUN_SECRETS_TTL_HOURS?: string;
  /** The most hours a launch may ask its secrets to live (`ttlHours`); default 168 (a week). */
  RUN_SECRETS_MAX_TTL_HOURS?: string;
  /**
   * Comma-separated AWS secret-name prefixes a launch may use (`secretsPrefix` must start with one); the first is the
   * default. Default `latchkey/`. Keep the IAM policy of the relay's AWS keys limited to these prefixes.
   */
  RUN_SECRETS_PREFIXES?: string;
  /** JSON map of registry host to base URL for login checks (a mirror, or a local registry in tests). */
  REGISTRY_ENDPOINTS?: string;
  /**
   * Comma-separated `host` or `host:port` entries registry checks may reach although the address rules refuse them
   * (IP literals, private or special-use names, ports other than 443): a private registry the worker can reach.
   */
  REGISTRY_ALLOWED_HOSTS?: string;
  /** "true": registry checks to loopback addresses may use plain HTTP (development only). */
  REGISTRY_ALLOW_INSECURE_LOOPBACK?: string;
  /** Longest life, in days, of an access token a user makes for themselves (POST /tokens); default 90. */
  ACCESS_TOKEN_MAX_DAYS?: string;
  /** Comma-separated AWS regions a launch may name beyond those Latchkey knows (shared/aws-regions.ts). */
  AWS_EXTRA_REGIONS?: string;
  /** First retry delay for AWS throttling and 5xx, in ms; default 200. */
  AWS_RETRY_BASE_MS?: string;
  /**
   * The worker's own AWS identity (worker secrets), with which it assumes the roles of role-mode aws credentials
   * (`mode: "role"`, no keys of their own). Unset: role-mode credentials can be stored but not used.
   */
  PLATFORM_AWS_ACCESS_KEY_ID?: string;
  PLATFORM_AWS_SECRET_ACCESS_KEY?: string;
  /** The ARN of the IAM user or role whose keys those are: the principal in the trust policy shown as setupSnippet. */
  PLATFORM_AWS_PRINCIPAL_ARN?: string;
}
