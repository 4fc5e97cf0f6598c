import { parse } from '@babel/parser';
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
 * The shared API schemas are built at the top of their modules (`export const X = z.object(…)`): calls the bundler
 * must keep, not knowing they are free of side effects, so every page would carry every schema. In shared/ files
 * that use zod, every call in a top-level `const`'s initializer (outside function bodies) gets a `@__PURE__`
 * annotation on its way into the bundle: not only the outer one, whose arguments (`z.withMeta(…)`, `.check(…)`)
 * would otherwise stay behind when the schema goes, but each nested one too, so a schema a page never uses is dropped
 * whole. (Their one side effect, `withMeta` registering a schema for the OpenAPI document, matters only to the
 * worker, which is built without this; the forms read the metadata of the provider fields they use, which stay.)
 * Top-level statements (`z.config(…)`) and function bodies are left as they are.
 */
const pureSchemas = {
  name: 'latchkey-pure-schemas',
  enforce: 'pre' as const,
  transform(code: string, id: string) {
    if (!/[\\/]shared[\\/][\w-]+\.ts$/.test(id) || !/from '(?:zod(?:\/[\w-]+)?|\.\/z)'/.test(code)) return null;
    const at: number[] = [];
    const visit = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(visit);
      const n = node as { type?: string; start?: number };
      if (typeof n.type !== 'string') return;
      if (/Function|Method|Class/.test(n.type)) return; // bodies run later (or never): left alone
      if ((n.type === 'CallExpression' || n.type === 'NewExpression') && n.start !== undefined) at.push(n.start);
      for (const [k, v] of Object.entries(n)) if (k !== 'leadingComments' && k !== 'trailingComments' && k !== 'innerComments' && k !== 'loc') visit(v);
    };
    for (const stmt of parse(code, { sourceType: 'module', plugins: ['typescript'] }).program.body) {
      const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
      if (decl?.type === 'VariableDeclaration') for (const d of decl.declarations) visit(d.init);
    }
    let out = code;
    for (const i of [...new Set(at)].sort((a, b) => b - a)) out = `${out.slice(0, i)}/* @__PURE__ */ ${out.slice(i)}`;
    return { code: out, map: null };
  },
};

/**
 * The pages' (popup, options, capture) and the popup forms' shared code in one chunk, rather than one chunk per set
 * of pages sharing it (four small files, each with its own imports and exports, compressed apart). Only for the ES
 * build of the pages; the background and content scripts are single IIFE files.
 */
const oneCommonChunk = {
  name: 'latchkey-one-common-chunk',
  outputOptions: <T extends { format?: string }>(options: T) => (options.format === 'iife' ? null : { ...options, codeSplitting: { groups: [{ name: 'common', minShareCount: 2 }] } }),
};

/**
 * Vite wraps every `import()` in a helper that preloads the imported chunk's dependencies and CSS (0.7 kB gzip in
 * the popup). The extension's one dynamic import is the popup's forms, whose dependencies the popup has already
 * loaded; the browser fetches any other static import itself. What is left is the CSS, which is linked here if a
 * page does not have it yet (build.modulePreload.resolveDependencies gives a dynamic import only its CSS).
 */
const PRELOAD_HELPER = '\0vite/preload-helper.js';
const lightPreload = {
  name: 'latchkey-light-preload',
  enforce: 'pre' as const,
  resolveId: (id: string) => (id === PRELOAD_HELPER ? id : null),
  load: (id: string) =>
    id === PRELOAD_HELPER
      ? `export const __vitePreload = (load, deps) => {
  for (const css of deps || []) if (!document.querySelector(\`[href="/\${css}"],[data-href="/\${css}"]\`)) document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/' + css }));
  return load();
};`
      : null,
};

/**
 * The popup's stylesheet in its page (a <style>, marked with the file it is; extension pages may have inline
 * styles), not linked: a linked stylesheet is one more file for the browser to fetch as the popup opens, and the
 * popup's scripts wait for it before they run. The options and capture pages keep the link.
 */
const inlinePopupCss = {
  name: 'latchkey-inline-popup-css',
  transformIndexHtml: {
    order: 'post' as const,
    handler(html: string, ctx: { filename: string; bundle?: Record<string, { type: string; source?: string | Uint8Array }> }) {
      if (!ctx.bundle || !/[\\/]popup[\\/]index\.html$/.test(ctx.filename)) return html;
      return html.replace(/<link rel="stylesheet"[^>]*href="\/([^"]+\.css)"[^>]*>/g, (tag, file: string) => {
        const asset = ctx.bundle![file];
        return asset?.type === 'asset' ? `<style data-href="/${file}">${String(asset.source)}</style>` : tag;
      });
    },
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
    plugins: [pureSchemas, providerLabels, preact(), oneCommonChunk, lightPreload, inlinePopupCss],
    // shared/docs.ts: the forms' field help stays, OpenAPI-only text (schema descriptions) goes. shared/z.ts: zod's
    // own English, which no form can show, stays out.
    define: { LATCHKEY_OPENAPI_DOCS: JSON.stringify('help'), LATCHKEY_ZOD_ENGLISH: 'false' },
    build: {
      // Chrome and Firefox (140+, the minimum) support modulepreload: no polyfill in every page. The HTML keeps its
      // modulepreload links; a dynamic import is given only its CSS (see lightPreload).
      modulePreload: { polyfill: false, resolveDependencies: (_file: string, deps: string[], { hostType }: { hostType: 'html' | 'js' }) => (hostType === 'html' ? deps : []) },
      sourcemap: process.env.LATCHKEY_EXT_SOURCEMAPS === '1' ? 'hidden' : false,
    },
  }),
});
