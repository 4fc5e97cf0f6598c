/** Random identifiers. Workspace-like ids are numeric strings, as Seqera's tools expect numbers there. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of base62 from Web Crypto, without modulo bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const b of bytes) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

/** A record id such as a credentials id: 22 base62 characters (131 bits). */
export const newId = () => randomBase62(22);

/** A numeric id below 2^53 (15-16 digits), for users, organizations, workspaces and pipeline secrets. */
export function newNumericId(): string {
  const [hi = 0, lo = 0] = crypto.getRandomValues(new Uint32Array(2));
  const value = (hi & 0x1fffff) * 2 ** 32 + lo; // 53 bits
  return String(value < 1e14 ? value + 1e14 : value);
}

/** An instant (a Date or epoch milliseconds; now by default) in ISO-8601 UTC to the second: 2026-11-22T10:00:00Z. */
export const isoSeconds = (at: Date | number = Date.now()) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const nowIso = () => isoSeconds();
