/**
 * Mozilla's `web-ext lint` on the Firefox build: no errors, and no warning from Latchkey's own code. The build is
 * made with source maps in a scratch directory, so each warning's position is traced back to the module it comes from;
 * a warning may only come from a dependency (Preact's renderer, zod's optional JIT), never from extension/ or shared/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { afterAll, expect, it } from 'vitest';

interface LintMessage {
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

const out = mkdtempSync(join(tmpdir(), 'latchkey-firefox-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('passes web-ext lint with zero errors and no warnings from the project’s own code', () => {
  execFileSync('node_modules/.bin/wxt', ['build', 'extension', '-b', 'firefox', '--mv3'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WXT_TELEMETRY: 'false', LATCHKEY_EXT_OUT: out, LATCHKEY_EXT_SOURCEMAPS: '1' },
  });
  const dir = join(out, 'firefox-mv3');
  // web-ext exits non-zero when it finds errors; the JSON report is read either way.
  let report: string;
  try {
    report = execFileSync('node_modules/.bin/web-ext', ['lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery'], { encoding: 'utf8' });
  } catch (err) {
    report = (err as { stdout: string }).stdout;
  }
  const result = JSON.parse(report) as { errors: LintMessage[]; warnings: LintMessage[]; summary: { errors: number } };
  expect(result.errors, JSON.stringify(result.errors, null, 2)).toEqual([]);

  const ours = result.warnings
    .map((w) => {
      if (!w.file?.endsWith('.js') || w.line === undefined || w.column === undefined) return { ...w, source: w.file ?? '(the package)' };
      const map = new TraceMap(readFileSync(join(dir, `${w.file}.map`), 'utf8'));
      const at = originalPositionFor(map, { line: w.line, column: w.column });
      return { ...w, source: at.source ?? '(unmapped)' };
    })
    .filter((w) => !/(^|\/)node_modules\//.test(w.source));
  expect(ours, JSON.stringify(ours, null, 2)).toEqual([]);
});
