/**
 * Every user-visible string goes through i18n (extension/locales/en.yml). This scans the extension's components,
 * entry points and lib (the capture panel's guard, the client's own failures) for English that bypasses it: JSX
 * text, literals in user-facing attributes (aria-label, title, placeholder, label, hint…), literals rendered as JSX
 * children, and literal `text`/`title`/`message` properties (toasts, the context menu). Strings without letters (symbols such as ⚙ or ✕) pass; the allow-list is for the few
 * literals that are formats, not words.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from '@babel/parser';
import { describe, expect, it } from 'vitest';

/** Literals that are not language: an example URL and a token's prefix. Keep this short. */
const ALLOWED = new Set(['https://latchkey.example.com', 'https://git.example.com', 'lk_…']);
const USER_ATTRS = new Set(['aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext', 'title', 'placeholder', 'alt', 'label', 'hint', 'ok']);
const USER_PROPS = new Set(['text', 'title', 'message']);
const ROOTS = ['extension/components', 'extension/entrypoints', 'extension/lib'];

type Node = { type: string; loc?: { start: { line: number } }; [k: string]: unknown };

const words = (s: string) => /\p{L}/u.test(s) && !ALLOWED.has(s.trim());

/** The literals an expression can evaluate to directly (branches of ?:, && and ||), not those passed to calls. */
function literals(n: Node | null | undefined, out: Array<[string, Node]>) {
  if (!n) return;
  if (n.type === 'StringLiteral') out.push([n.value as string, n]);
  else if (n.type === 'TemplateLiteral') out.push([(n.quasis as Array<{ value: { cooked: string } }>).map((q) => q.value.cooked).join('…'), n]);
  else if (n.type === 'ConditionalExpression') (literals(n.consequent as Node, out), literals(n.alternate as Node, out));
  else if (n.type === 'LogicalExpression') (literals(n.left as Node, out), literals(n.right as Node, out));
  else if (n.type === 'TSAsExpression' || n.type === 'ParenthesizedExpression') literals(n.expression as Node, out);
}

export function hardCodedStrings(source: string, file = 'source.tsx'): string[] {
  const ast = parse(source, { sourceType: 'module', plugins: ['jsx', 'typescript'] }) as unknown as Node;
  const found: string[] = [];
  const report = (text: string, n: Node, where: string) => {
    if (words(text)) found.push(`${file}:${n.loc?.start.line} ${where}: ${JSON.stringify(text.trim())}`);
  };
  const walk = (n: Node, parent: Node | null) => {
    if (n.type === 'JSXText') report(n.value as string, n, 'JSX text');
    else if (n.type === 'JSXAttribute') {
      const name = (n.name as Node).type === 'JSXIdentifier' ? ((n.name as Node).name as string) : '';
      const value = n.value as Node | null;
      if (USER_ATTRS.has(name) && value) {
        const out: Array<[string, Node]> = [];
        literals(value.type === 'JSXExpressionContainer' ? (value.expression as Node) : value, out);
        for (const [text, at] of out) report(text, at, `${name}=`);
      }
    } else if (n.type === 'JSXExpressionContainer' && parent && (parent.type === 'JSXElement' || parent.type === 'JSXFragment')) {
      const out: Array<[string, Node]> = [];
      literals(n.expression as Node, out);
      for (const [text, at] of out) report(text, at, 'JSX child');
    } else if (n.type === 'ObjectProperty' && !n.computed) {
      const key = n.key as Node;
      const name = key.type === 'Identifier' ? (key.name as string) : key.type === 'StringLiteral' ? (key.value as string) : '';
      if (USER_PROPS.has(name)) {
        const out: Array<[string, Node]> = [];
        literals(n.value as Node, out);
        for (const [text, at] of out) report(text, at, `${name}:`);
      }
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === 'loc' || k === 'leadingComments' || k === 'trailingComments' || k === 'innerComments') continue;
      for (const child of Array.isArray(v) ? v : [v]) if (child && typeof child === 'object' && typeof (child as Node).type === 'string') walk(child as Node, n);
    }
  };
  walk(ast, null);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('user-visible strings go through i18n', () => {
  it('finds none hard-coded in extension/components, extension/entrypoints and extension/lib', () => {
    const files = ROOTS.flatMap((r) => sourceFiles(resolve(r)));
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((f) => hardCodedStrings(readFileSync(f, 'utf8'), relative(process.cwd(), f)));
    expect(found, 'Move these to extension/locales/en.yml and use i18n.t(…)').toEqual([]);
  });

  it('catches each kind of hard-coded string, and lets symbols, i18n calls and allowed formats through', () => {
    const source = `
      export const A = ({ busy, name }) => (
        <div title="Options" aria-label={\`Delete \${name}\`} class="small danger" placeholder="lk_…">
          Hello
          {busy ? 'Saving…' : i18n.t('common.save')}
          <button aria-label={i18n.t('popup.options')}>⚙</button>{' · '}
          <Field label={busy ? i18n.t('a') : 'Name'} hint="https://git.example.com" />
        </div>
      );
      toast({ kind: 'success', text: \`Deleted '\${name}'\` });
      browser.contextMenus.create({ id: 'x', title: 'Save selection' });
      const ok = { kind: 'error', message: i18n.t('x'), id: 'Not a user string' };`;
    expect(hardCodedStrings(source)).toEqual([
      'source.tsx:3 title=: "Options"',
      'source.tsx:3 aria-label=: "Delete …"',
      'source.tsx:3 JSX text: "Hello"',
      'source.tsx:5 JSX child: "Saving…"',
      'source.tsx:7 label=: "Name"',
      "source.tsx:10 text:: \"Deleted '…'\"",
      'source.tsx:11 title:: "Save selection"',
    ]);
  });
});
