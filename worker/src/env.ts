/** The worker's bindings and secrets; see wrangler.toml and .dev.vars.example. */
export interface Env {
  /** D1: every stored record. */
  DB: D1Database;
  /** JSON keyring for the vault: {"current":"2","keys":{"1":"<base64 32 bytes>","2":"…"}}. */
  VAULT_KEYS: string;
  /** Bearer token for /admin/…; unset disables administration over HTTP. */
  ADMIN_TOKEN?: string;
  /** Cloudflare Access team domain (myteam.cloudflareaccess.com, or an https origin); with ACCESS_AUD enables SSO. */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience tag. */
  ACCESS_AUD?: string;
}
