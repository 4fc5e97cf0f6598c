/**
 * The vault: AES-256-GCM through Web Crypto with a versioned keyring.
 *
 * Every seal uses a fresh 96-bit random IV and additional authenticated data that binds the record kind, its
 * workspace, its id and the key version. A ciphertext copied to another row or workspace, or altered by one bit,
 * fails to open with a VaultIntegrityError, never garbage.
 */
import * as z from '../../shared/z';

/** What a sealed value belongs to; 'run' is the copy of the AWS keys a run keeps to delete its own secrets. */
export type SealedKind = 'credentials' | 'pipeline-secret' | 'run';

export interface SealContext {
  kind: SealedKind;
  workspaceId: string;
  recordId: string;
}

/** A sealed value as stored in D1: base64 ciphertext (with GCM tag) and IV, and the key version that sealed it. */
export interface Sealed {
  ct: string;
  iv: string;
  keyVersion: string;
}

export class VaultIntegrityError extends Error {
  constructor(readonly context: SealContext) {
    super(
      `The stored ${context.kind} ${context.recordId} failed its integrity check: it was altered, moved from another record, or sealed with a key that is no longer in VAULT_KEYS`,
    );
    this.name = 'VaultIntegrityError';
  }
}

export class VaultConfigError extends Error {
  constructor(problem: string) {
    super(`VAULT_KEYS ${problem}. Expected JSON {"current":"1","keys":{"1":"<base64 of 32 random bytes>"}}; run 'npm run keys' to make one`);
    this.name = 'VaultConfigError';
  }
}

const KeyringJson = z.object({
  current: z.string().check(z.minLength(1)),
  keys: z.record(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,32}$/)), z.string()),
});

const b64 = {
  encode(bytes: Uint8Array): string {
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  },
  decode(text: string): Uint8Array<ArrayBuffer> {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  },
};

const utf8 = new TextEncoder();
const encode = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(utf8.encode(text));
const utf8Decode = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function additionalData(ctx: SealContext, keyVersion: string): Uint8Array<ArrayBuffer> {
  // NUL cannot appear in any of the parts (ids and versions are validated), so the encoding is unambiguous.
  return encode(['latchkey/v1', ctx.kind, ctx.workspaceId, ctx.recordId, keyVersion].join('\u0000'));
}

/**
 * Versions named more than once in the keyring's `keys` object. JSON.parse keeps the last of duplicate names without
 * a word, so a pasted keyring with two '2's would silently lose a key; the raw text is checked instead.
 */
function repeatedVersions(text: string): string[] {
  const keysObject = /"keys"\s*:\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
  const counts = new Map<string, number>();
  for (const m of keysObject.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([v]) => v);
}

export class Keyring {
  private constructor(
    readonly currentVersion: string,
    private readonly keys: ReadonlyMap<string, CryptoKey>,
  ) {}

  /** Parses and imports VAULT_KEYS. Throws VaultConfigError naming what is wrong (never the key material). */
  static async fromJson(text: string | undefined): Promise<Keyring> {
    if (!text) throw new VaultConfigError('is not set');
    let parsed: z.infer<typeof KeyringJson>;
    try {
      parsed = KeyringJson.parse(JSON.parse(text));
    } catch {
      throw new VaultConfigError('is not valid keyring JSON');
    }
    const repeated = repeatedVersions(text);
    if (repeated.length > 0) throw new VaultConfigError(`lists key version${repeated.length > 1 ? 's' : ''} ${repeated.map((v) => `'${v}'`).join(', ')} more than once; each version must appear once`);
    const keys = new Map<string, CryptoKey>();
    const seen = new Map<string, string>(); // key material (base64) → the version that has it
    for (const [version, material] of Object.entries(parsed.keys)) {
      let raw: Uint8Array<ArrayBuffer>;
      try {
        raw = b64.decode(material);
      } catch {
        throw new VaultConfigError(`key '${version}' is not base64`);
      }
      if (raw.byteLength !== 32) throw new VaultConfigError(`key '${version}' is ${raw.byteLength} bytes; AES-256 needs 32`);
      if (raw.every((b) => b === raw[0])) throw new VaultConfigError(`key '${version}' is one byte repeated (such as all zeros), not random; make a new one`);
      const canonical = b64.encode(raw);
      const twin = seen.get(canonical);
      if (twin !== undefined) throw new VaultConfigError(`keys '${twin}' and '${version}' are the same key; every version needs its own random key`);
      seen.set(canonical, version);
      keys.set(version, await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
    }
    if (!keys.has(parsed.current)) throw new VaultConfigError(`names current key '${parsed.current}', which is not in keys`);
    return new Keyring(parsed.current, keys);
  }

  has(version: string): boolean {
    return this.keys.has(version);
  }

  async seal(ctx: SealContext, plaintext: string): Promise<Sealed> {
    const key = this.keys.get(this.currentVersion)!;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: additionalData(ctx, this.currentVersion), tagLength: 128 },
      key,
      encode(plaintext),
    );
    return { ct: b64.encode(new Uint8Array(ct)), iv: b64.encode(iv), keyVersion: this.currentVersion };
  }

  async open(ctx: SealContext, sealed: Sealed): Promise<string> {
    const key = this.keys.get(sealed.keyVersion);
    if (!key) throw new VaultIntegrityError(ctx);
    try {
      const iv = b64.decode(sealed.iv);
      if (iv.byteLength !== 12) throw new Error('bad iv');
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: additionalData(ctx, sealed.keyVersion), tagLength: 128 },
        key,
        b64.decode(sealed.ct),
      );
      return utf8Decode.decode(plain);
    } catch {
      throw new VaultIntegrityError(ctx);
    }
  }
}

const cache = new Map<string, Promise<Keyring>>();

/** The keyring for this VAULT_KEYS value, imported once per isolate. */
export function keyringFor(vaultKeys: string | undefined): Promise<Keyring> {
  const k = vaultKeys ?? '';
  let ring = cache.get(k);
  if (!ring) {
    ring = Keyring.fromJson(vaultKeys);
    ring.catch(() => cache.delete(k));
    cache.set(k, ring);
  }
  return ring;
}
