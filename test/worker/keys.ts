/** Fixed test keyrings: the worker runs with both versions (2 current); "v1 only" seals rows as an older deployment did. */
export const KEY_V1 = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
export const KEY_V2 = 'ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=';
export const VAULT_KEYS_TEST = JSON.stringify({ current: '2', keys: { 1: KEY_V1, 2: KEY_V2 } });
export const VAULT_KEYS_V1_ONLY = JSON.stringify({ current: '1', keys: { 1: KEY_V1 } });
export const ADMIN_TOKEN_TEST = 'test-admin-token-0123456789abcdef';
export const ACCESS_AUD_TEST = 'latchkey-test-aud';
export const RUN_TOKEN_KEY_TEST = 'test-run-token-key-0123456789abcdef0123';
/** The worker's own AWS identity in tests (role mode): an account of the Secrets Manager stand-in with these keys. */
export const PLATFORM_AWS_TEST = {
  accountId: '999988887777',
  accessKeyId: 'AKIAPLATFORMTEST0001',
  secretAccessKey: 'platform-test-secret-0123456789abcdefghijkl',
  principalArn: 'arn:aws:iam::999988887777:user/latchkey-relay',
};
