import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import pkg from '../package.json' with { type: 'json' };

// Least privilege: storage, the context menu for saving a selected token, and alarms (no data: it re-checks credential
// expiry for the toolbar badge every few hours). The worker's origin is asked for at connect time (optional host permission);
// calls work through CORS too, so a refusal does not break the extension.
export default defineConfig({
  srcDir: '.',
  // LATCHKEY_EXT_OUT and LATCHKEY_EXT_SOURCEMAPS let the web-ext lint test build a separate copy with source maps,
  // so each warning can be traced to the module it comes from.
  outDir: process.env.LATCHKEY_EXT_OUT ?? '.output',
  // Every user-visible string is in locales/en.yml; the module writes _locales/en/messages.json and types i18n.t keys.
  modules: ['@wxt-dev/i18n/module'],
  manifest: ({ browser }) => ({
    name: '__MSG_app_name__',
    version: pkg.version,
    description: '__MSG_app_description__',
    default_locale: 'en',
    permissions: ['storage', 'contextMenus', 'alarms'],
    optional_host_permissions: ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    action: { default_title: '__MSG_app_name__' },
    ...(browser === 'firefox' ? { browser_specific_settings: { gecko: { id: 'latchkey@latchkey.dev', strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } }, gecko_android: { strict_min_version: '142.0' } } } : {}),
  }),
  // WXT takes the toolbar title from popup.html's <title>; the manifest's own title is localised like its name.
  hooks: { 'build:manifestGenerated': (_wxt, manifest) => void (manifest.action && (manifest.action.default_title = '__MSG_app_name__')) },
  vite: () => ({ plugins: [preact()], build: { sourcemap: process.env.LATCHKEY_EXT_SOURCEMAPS === '1' ? 'hidden' : false } }),
});
