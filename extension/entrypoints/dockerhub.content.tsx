import { defineContentScript } from 'wxt/utils/define-content-script';
import '../assets/capture-panel.css';
import { findDockerHubToken } from '../lib/capture';
import { watchForTokens } from '../lib/capture-ui';

/** Offers to save a Docker Hub personal access token when the site shows a new one. */
export default defineContentScript({
  matches: ['https://hub.docker.com/*'],
  cssInjectionMode: 'ui',
  main: (ctx) => watchForTokens(ctx, 'Docker Hub', findDockerHubToken),
});
