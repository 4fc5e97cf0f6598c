import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import pkg from '../package.json' with { type: 'json' };
import { providers } from '../shared/providers';

/**
 * `virtual:provider-labels`: each provider's label and category, taken from the catalogue in shared/ when the
 * extension is built. The popup's list shows them without loading the catalogue's zod schemas (only its forms do).
 */
const providerLabels = {
  name: 'latchkey-provider-labels',
  resolveId: (id: string) => (id === 'virtual:provider-labels' ? '\0virtual:provider-labels' : null),
  load: (id: string) =>
    id === '\0virtual:provider-labels'
      ? `export const providerLabels = ${JSON.stringify(Object.fromEntries(Object.values(providers).map((p) => [p.id, { label: p.label, category: p.category }])))};`
      : null,
};

/**
 * zod's schema builders are side-effect free as far as the extension is concerned (the registry `.meta({…})` fills is
 * read back only for schemas a page uses): in shared/ the builder is renamed `__zodPure` on its way into the bundle,
 * and the bundler treats its calls as pure, so it drops the API schemas a page never uses instead of keeping them
 * all. (Marking plain `z` would also hit minified libraries' own functions named z.)
 */
const pureZod = {
  name: 'latchkey-pure-zod',
  enforce: 'pre' as const,
  transform(code: string, id: string) {
    if (!/[\\/]shared[\\/][\w-]+\.ts$/.test(id)) return null;
    const imported = /import (\{ z \}|\* as z) from ('zod(?:\/[\w-]+)?');/;
    if (!imported.test(code)) return null;
    return code
      .replace(imported, (_m, what: string, from: string) => `import ${what === '{ z }' ? '{ z as __zodPure }' : '* as __zodPure'} from ${from};`)
      .replace(/(?<![.\w$])z(?=\s*\.)/g, '__zodPure');
  },
};

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
  vite: () => ({
    plugins: [pureZod, providerLabels, preact()],
    build: {
      sourcemap: process.env.LATCHKEY_EXT_SOURCEMAPS === '1' ? 'hidden' : false,
      rolldownOptions: { treeshake: { manualPureFunctions: ['__zodPure'] } },
    },
  }),
});
