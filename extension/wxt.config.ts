import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import pkg from '../package.json' with { type: 'json' };

// Least privilege: storage, and the context menu for saving a selected token. The worker's origin is asked for at connect time (optional host permission);
// calls work through CORS too, so a refusal does not break the extension.
export default defineConfig({
  srcDir: '.',
  outDir: '.output',
  manifest: ({ browser }) => ({
    name: 'Latchkey',
    version: pkg.version,
    description: 'Your Nextflow platform credentials and pipeline secrets, in one place, from the toolbar.',
    permissions: ['storage', 'contextMenus'],
    optional_host_permissions: ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    action: { default_title: 'Latchkey' },
    ...(browser === 'firefox' ? { browser_specific_settings: { gecko: { id: 'latchkey@latchkey.dev', strict_min_version: '128.0', data_collection_permissions: { required: ['none'] } } } } : {}),
  }),
  vite: () => ({ plugins: [preact()] }),
});
