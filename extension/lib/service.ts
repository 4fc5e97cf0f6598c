import { createProxyService } from '@webext-core/proxy-service';
import { LATCHKEY_SERVICE } from './api';

/** The background's Latchkey service, as seen from pages and content scripts. */
export const latchkey = createProxyService(LATCHKEY_SERVICE);
