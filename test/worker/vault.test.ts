import { describe, expect, it } from 'vitest';
import { Keyring, VaultConfigError, VaultIntegrityError } from '../../worker/src/vault';
import { KEY_V1, VAULT_KEYS_TEST, VAULT_KEYS_V1_ONLY } from './keys';

const ctx = { kind: 'credentials' as const, workspaceId: '100000000000001', recordId: 'abc' };

function flipBit(b64: string, byte: number, bit = 0): string {
  const raw = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  raw[byte]! ^= 1 << bit;
  return btoa(String.fromCharCode(...raw));
}

describe('vault', () => {
  it('round-trips and uses a fresh 96-bit IV for every seal', async () => {
    const ring = await Keyring.fromJson(VAULT_KEYS_TEST);
    const a = await ring.seal(ctx, 'hunter2 ✓');
    const b = await ring.seal(ctx, 'hunter2 ✓');
    expect(a.keyVersion).toBe('2');
    expect(atob(a.iv)).toHaveLength(12);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(a.ct).not.toContain('hunter2');
    expect(await ring.open(ctx, a)).toBe('hunter2 ✓');
  });

  it('refuses a ciphertext, IV or tag altered by one bit, never returning garbage', async () => {
    const ring = await Keyring.fromJson(VAULT_KEYS_TEST);
    const sealed = await ring.seal(ctx, 'a secret long enough to span blocks: 0123456789abcdef');
    const ctLen = atob(sealed.ct).length;
    for (const byte of [0, 7, ctLen - 17, ctLen - 1]) {
      for (const bit of [0, 7]) {
        await expect(ring.open(ctx, { ...sealed, ct: flipBit(sealed.ct, byte, bit) })).rejects.toBeInstanceOf(VaultIntegrityError);
      }
    }
    await expect(ring.open(ctx, { ...sealed, iv: flipBit(sealed.iv, 3) })).rejects.toBeInstanceOf(VaultIntegrityError);
    await expect(ring.open(ctx, { ...sealed, ct: sealed.ct.slice(0, -8) })).rejects.toBeInstanceOf(VaultIntegrityError);
  });

  it('binds kind, workspace, record id and key version: a moved ciphertext fails to open', async () => {
    const ring = await Keyring.fromJson(VAULT_KEYS_TEST);
    const sealed = await ring.seal(ctx, 'bound');
    for (const moved of [
      { ...ctx, workspaceId: '100000000000002' },
      { ...ctx, recordId: 'abd' },
      { ...ctx, kind: 'pipeline-secret' as const },
    ]) {
      const err = await ring.open(moved, sealed).catch((e) => e);
      expect(err).toBeInstanceOf(VaultIntegrityError);
      expect(err.message).toMatch(/failed its integrity check/);
    }
    // Relabelling the key version (both keys present) also fails: the version is in the AAD.
    await expect(ring.open(ctx, { ...sealed, keyVersion: '1' })).rejects.toBeInstanceOf(VaultIntegrityError);
  });

  it('opens rows sealed under an older key version while sealing new ones with the current key', async () => {
    const old = await Keyring.fromJson(VAULT_KEYS_V1_ONLY);
    const sealedOld = await old.seal(ctx, 'from v1');
    const ring = await Keyring.fromJson(VAULT_KEYS_TEST);
    expect(sealedOld.keyVersion).toBe('1');
    expect(await ring.open(ctx, sealedOld)).toBe('from v1');
    expect((await ring.seal(ctx, 'x')).keyVersion).toBe('2');
    // A keyring without the old version cannot open it, with the same clear error.
    const onlyV2 = await Keyring.fromJson(JSON.stringify({ current: '2', keys: { 2: JSON.parse(VAULT_KEYS_TEST).keys['2'] } }));
    await expect(onlyV2.open(ctx, sealedOld)).rejects.toBeInstanceOf(VaultIntegrityError);
  });

  it('rejects a malformed, weak or ambiguous keyring naming the problem, never the key material', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /is not set/],
      ['not json', /not valid keyring JSON/],
      [JSON.stringify({ current: '1', keys: { 1: btoa('short') } }), /key '1' is 5 bytes; AES-256 needs 32/],
      [JSON.stringify({ current: '3', keys: { 1: KEY_V1 } }), /current key '3', which is not in keys/],
      [JSON.stringify({ current: '1', keys: { 1: btoa('\0'.repeat(32)) } }), /key '1' is one byte repeated \(such as all zeros\), not random/],
      [JSON.stringify({ current: '1', keys: { 1: btoa('\xff'.repeat(32)) } }), /key '1' is one byte repeated/],
      [JSON.stringify({ current: '2', keys: { 1: KEY_V1, 2: KEY_V1 } }), /keys '1' and '2' are the same key/],
      [`{"current":"1","keys":{"1":"${KEY_V1}","1":"${btoa('x'.repeat(32))}"}}`, /lists key version '1' more than once/],
    ];
    for (const [text, pattern] of cases) {
      const err = await Keyring.fromJson(text).catch((e) => e);
      expect(err).toBeInstanceOf(VaultConfigError);
      expect(err.message).toMatch(pattern);
      expect(err.message).not.toContain(KEY_V1);
    }
  });
});
