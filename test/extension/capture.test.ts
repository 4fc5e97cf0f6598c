import { describe, expect, it } from 'vitest';
import { findDockerHubToken, findQuayRobot, isDockerHubTokenPage, isQuayRobotView, maskToken } from '../../extension/lib/capture';

const page = (html: string) => {
  document.body.innerHTML = html;
  return document;
};
const HUB_TOKENS = new URL('https://hub.docker.com/settings/personal-access-tokens');
const QUAY_ROBOTS = new URL('https://quay.io/organization/acme?tab=robots');
const TOKEN = 'dckr_pat_Xq2v8LmN3pR7sT1wZ9yB4cD6fG0';
const ROBOT = '7QW2M8K3ZP0T4XN6B1VR9HJ5DL2CGS8AF3EY6UQ0KO7IW4NB1MZ5TX9PR2JD8HV3';

describe('token detection', () => {
  it('finds a Docker Hub token shown in the copy dialog, with the user name from the login hint', () => {
    const doc = page(`<div role="dialog"><h2>Copy access token</h2><pre>$ docker login -u alice</pre><input readonly></div>`);
    doc.querySelector('input')!.value = TOKEN;
    expect(findDockerHubToken(doc, HUB_TOKENS)).toEqual({ registry: 'docker.io', token: TOKEN, userName: 'alice', nameBase: 'dockerhub-alice' });
  });

  it('finds nothing before the token is shown, nor in script source', () => {
    expect(findDockerHubToken(page('<h1>Personal access tokens</h1><button>Generate new token</button>'), HUB_TOKENS)).toBeNull();
    expect(findDockerHubToken(page(`<script>const t = '${TOKEN}'</script><p>Nothing here</p>`), HUB_TOKENS)).toBeNull();
  });

  it('looks only inside the token dialog, and only on the token pages', () => {
    // A README or comment quoting a token, even on the token page, is not the token dialog.
    expect(findDockerHubToken(page(`<article><h2>README</h2><p>docker login -u bob -p ${TOKEN}</p></article>`), HUB_TOKENS)).toBeNull();
    expect(findDockerHubToken(page(`<textarea>${TOKEN}</textarea>`), HUB_TOKENS)).toBeNull();
    // The dialog itself, on a repository page, is not offered either.
    const dialog = `<div role="dialog"><h2>Copy access token</h2><pre>${TOKEN}</pre></div>`;
    expect(findDockerHubToken(page(dialog), new URL('https://hub.docker.com/r/bob/readme'))).toBeNull();
    expect(findDockerHubToken(page(dialog), new URL('https://hub.docker.com/settings/personal-access-tokens'))?.token).toBe(TOKEN);
    expect(isDockerHubTokenPage(new URL('https://hub.docker.com/settings/security'))).toBe(true);
    expect(isDockerHubTokenPage(new URL('https://hub.docker.com/settings/personal-access-tokens-evil'))).toBe(false);
    expect(isDockerHubTokenPage(new URL('https://evil.example/settings/personal-access-tokens'))).toBe(false);
    expect(isQuayRobotView(QUAY_ROBOTS)).toBe(true);
    expect(isQuayRobotView(new URL('https://quay.io/user/bob?tab=robots'))).toBe(true);
    expect(isQuayRobotView(new URL('https://quay.io/repository/acme/app?tab=info'))).toBe(false);
    expect(isQuayRobotView(new URL('https://quay.io/organization/acme'))).toBe(false);
  });

  it('finds a Quay robot account name and token in its credentials modal', () => {
    const doc = page(`<div class="modal" role="dialog"><h4>Credentials for acme+ci</h4><input id="u"><input id="t"></div>`);
    (doc.getElementById('u') as HTMLInputElement).value = 'acme+ci';
    (doc.getElementById('t') as HTMLInputElement).value = ROBOT;
    expect(findQuayRobot(doc, QUAY_ROBOTS)).toEqual({ registry: 'quay.io', token: ROBOT, userName: 'acme+ci', nameBase: 'quay-acme-ci' });
    expect(findQuayRobot(doc, new URL('https://quay.io/repository/acme/app'))).toBeNull();
    expect(findQuayRobot(page('<div role="dialog">Credentials for acme+ci</div>'), QUAY_ROBOTS)).toBeNull();
    expect(findQuayRobot(page(`<p>acme+ci ${ROBOT}</p>`), QUAY_ROBOTS)).toBeNull();
  });

  it('masks tokens to their kind and last four characters', () => {
    expect(maskToken(TOKEN)).toBe('dckr_pat_••••••••6fG0');
    expect(maskToken(ROBOT)).toBe('••••••••8HV3');
    expect(maskToken(TOKEN)).not.toContain(TOKEN.slice(9, -4));
  });
});

describe('token expiry on the page', () => {
  it('reads the expiry date a token dialog states', async () => {
    const { expiryIn } = await import('../../extension/lib/capture');
    expect(expiryIn('Access token Expires on Mar 31, 2027 Copy')).toBe('2027-03-31');
    expect(expiryIn('Expiration date: 2027-01-15')).toBe('2027-01-15');
    expect(expiryIn('expires 5 April 2027')).toBe('2027-04-05');
    expect(expiryIn('Expiration date: Never')).toBeUndefined();
    expect(expiryIn('no date here')).toBeUndefined();
  });
});

