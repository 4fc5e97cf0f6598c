import { defineContentScript } from 'wxt/utils/define-content-script';
import { findDockerHubToken } from '../lib/capture';
import { watchForTokens } from '../lib/capture-ui';

/** Offers to save a Docker Hub personal access token when the site shows a new one. */
export default defineContentScript({
  matches: ['https://hub.docker.com/*'],
  main: (ctx) => watchForTokens(ctx, 'Docker Hub', findDockerHubToken),
});
