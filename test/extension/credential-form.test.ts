import { beforeEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../shared/api';
import { PROVIDER_IDS, providerFields, secretFieldNames } from '../../shared/providers';
import { agentSnippet, check, draftFrom, fieldsFor, newDraft, registryHint, requestBody, switchProvider } from '../../extension/lib/credential-form';
import { SecretValue } from '../../shared/names';
import * as z from '../../shared/z';
import { sampleKeys } from '../fixtures/credentials';
import { useEnglishMessages } from './messages';

describe('credentials form logic', () => {
  beforeEach(useEnglishMessages);

  it.each(PROVIDER_IDS)('%s: a filled-in form makes a request the worker schema accepts', (provider) => {
    const draft = newDraft(provider);
    const keys = sampleKeys(provider, 'CANARY');
    for (const [k, v] of Object.entries(keys)) draft.values[k] = v as string;
    const checked = check({ ...draft, name: `${provider}-x`, baseUrl: provider === 'github' ? 'https://github.example.com' : '' });
    expect(checked.ok, JSON.stringify(checked)).toBe(true);
    if (!checked.ok) return;
    expect(checked.body.credentials.provider).toBe(provider);
    expect(Object.keys(checked.body.credentials.keys).sort()).toEqual(Object.keys(keys).sort());
  });

  it('generates the fields from the catalogue, and hides the shared-agent switch outside organizations', () => {
    expect(fieldsFor('aws', 'personal').map((f) => [f.name, f.secret, f.required])).toEqual([
      // Optional one by one: Seqera's role mode needs neither key; the cross-field rule requires both in keys mode.
      ['accessKey', false, false],
      ['secretKey', true, false],
      ['assumeRoleArn', false, false],
      ['mode', false, false],
      ['externalId', false, false],
    ]);
    expect(fieldsFor('tw-agent', 'personal').map((f) => f.name)).toEqual(['connectionId', 'workDir']);
    expect(fieldsFor('tw-agent', 'organization').map((f) => f.name)).toEqual(['connectionId', 'workDir', 'shared']);
    for (const p of PROVIDER_IDS) expect(fieldsFor(p, 'organization')).toEqual(providerFields(p));
  });

  it('aws role mode: only the role is sent; the keys a draft still holds and any External ID never are', () => {
    const draft = { ...newDraft('aws'), name: 'role-only' };
    Object.assign(draft.values, { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'CANARY-left-over', assumeRoleArn: 'arn:aws:iam::123456789012:role/R', mode: 'role', externalId: 'typed-by-hand' });
    expect(requestBody(draft)).toEqual({ credentials: { name: 'role-only', provider: 'aws', keys: { assumeRoleArn: 'arn:aws:iam::123456789012:role/R', mode: 'role' } } });
    expect(check(draft).ok).toBe(true);
    draft.values.assumeRoleArn = '';
    const refused = check(draft);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.assumeRoleArn).toBe('Required');
    // Keys mode keeps the user's own External ID.
    Object.assign(draft.values, { mode: 'keys', assumeRoleArn: 'arn:aws:iam::123456789012:role/R' });
    expect((requestBody(draft) as any).credentials.keys.externalId).toBe('typed-by-hand');
  });

  it('names each invalid field, with the worker’s own rules', () => {
    const draft = { ...newDraft('aws'), name: 'bad name' };
    draft.values.accessKey = 'AKIA WITH SPACE';
    const checked = check(draft);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors).toEqual({
      name: "Must be 1-100 characters of letters, digits, '-' and '_' (no spaces or dots)",
      accessKey: 'Must be an access key ID such as AKIA…: 1-128 characters without spaces',
      secretKey: 'Required',
    });
  });

  it('on edit leaves empty secret fields out, so the stored values are kept', () => {
    const stored: Credentials = {
      id: 'abc', name: 'gl', provider: 'gitlab', baseUrl: 'https://gitlab.example.com', category: 'git',
      dateCreated: '2026-01-01T00:00:00Z', lastUpdated: '2026-01-01T00:00:00Z', status: 'AVAILABLE',
      keys: { discriminator: 'gitlab', username: 'octo' },
    };
    const draft = draftFrom(stored);
    expect(draft).toMatchObject({ mode: 'edit', name: 'gl', baseUrl: 'https://gitlab.example.com', values: { username: 'octo', password: '', token: '' } });
    const untouched = check(draft);
    expect(untouched.ok).toBe(true);
    if (untouched.ok) expect(untouched.body.credentials.keys).toEqual({ username: 'octo' });
    draft.values.token = 'glpat-new';
    const replaced = check(draft);
    if (replaced.ok) expect(replaced.body.credentials.keys).toEqual({ username: 'octo', token: 'glpat-new' });
    for (const f of secretFieldNames('gitlab')) expect(draftFrom(stored).values[f]).toBe('');
  });

  it('defaults the registry to docker.io and stores the host of whatever is pasted', () => {
    const draft = newDraft('container-reg');
    expect(draft.values.registry).toBe('docker.io');
    draft.values.registry = 'https://Quay.io/v2/';
    expect((requestBody(draft).credentials as any).keys.registry).toBe('quay.io');
    expect(registryHint('https://index.docker.io/v1/')).toMatch(/^Docker Hub: .*read-only personal access token/);
    expect(registryHint('quay.io')).toMatch(/robot account \(namespace\+name\)/);
    expect(registryHint('registry.example.com:5000/team/image')).toBe('Stored as registry.example.com:5000');
    expect(registryHint('not a host!')).toMatch(/^Not a registry host/);
  });

  it('keeps what two providers share when switching, and drops secrets', () => {
    const gh = { ...newDraft('github'), name: 'mine', description: 'd', baseUrl: 'https://ghe.example.com' };
    gh.values.username = 'octo';
    gh.values.password = 'secret';
    const gitea = switchProvider(gh, 'gitea');
    expect(gitea).toMatchObject({ provider: 'gitea', name: 'mine', description: 'd', baseUrl: 'https://ghe.example.com', values: { username: 'octo', password: '' } });
    expect(switchProvider(gh, 'aws').baseUrl).toBe('');
  });

  it('says the same without zod’s own English, which the extension’s build leaves out: every rule a form can break has its own message', () => {
    const drafts = PROVIDER_IDS.flatMap((provider) =>
      (['create', 'edit'] as const).flatMap((mode) => {
        const empty = { ...newDraft(provider), mode };
        return [empty, ...['x', ' ', 'a'.repeat(70_000), 'not a url', '2027-13-45', '{}', 'https://' + 'h'.repeat(3000) + '.example'].map((v) => {
          const values = { ...empty.values };
          for (const f of providerFields(provider)) if (f.kind !== 'boolean') values[f.name] = v;
          return { ...empty, name: v.slice(0, 150), description: v, baseUrl: v, expiresAt: v, values };
        })];
      }),
    );
    const withEnglish = drafts.map((d) => check(d));
    const english = z.config().localeError;
    try {
      z.config({ localeError: undefined });
      expect(drafts.map((d) => check(d))).toEqual(withEnglish);
      expect(SecretValue.safeParse('').error?.issues[0]?.message).toBe('must not be empty');
    } finally {
      z.config({ localeError: english });
    }
    // Not vacuous: the drafts are refused, and zod's English is what a message without its own would read.
    expect(withEnglish.filter((c) => !c.ok)).toHaveLength(withEnglish.length);
    expect(z.string().safeParse(1).error?.issues[0]?.message).toMatch(/^Invalid input: expected string/);
  });

  it('fills the connection ID into the Tower Agent snippet', () => {
    const s = agentSnippet('0f6b7c1e-8a8d-4f0e-9a33-2d1f5c3b7e21', ' /scratch/work ');
    expect(s.split('\n').at(-1)).toBe('./tw-agent 0f6b7c1e-8a8d-4f0e-9a33-2d1f5c3b7e21 --work-dir=/scratch/work');
    expect(agentSnippet('', '')).toContain('./tw-agent <connection ID>');
  });
});
