import { defineContentScript } from 'wxt/utils/define-content-script';
import { findQuayRobot } from '../lib/capture';
import { watchForTokens } from '../lib/capture-ui';

/** Offers to save a Quay robot account (namespace+name and its token) when the site shows its credentials. */
export default defineContentScript({
  matches: ['https://quay.io/*'],
  main: (ctx) => watchForTokens(ctx, 'Quay robot', findQuayRobot),
});
