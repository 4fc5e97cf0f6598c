import { registerService } from '@webext-core/proxy-service';
import { defineBackground } from 'wxt/utils/define-background';
import { createLatchkeyService, LATCHKEY_SERVICE } from '../lib/api';

/** The background owns the network: the popup, options page and content scripts call it through the proxy. */
export default defineBackground(() => {
  registerService(LATCHKEY_SERVICE, createLatchkeyService());
});
