/**
 * Where a test run's time goes: per file (environment, setup, import, tests and hooks) and per project (first start to
 * last end, the sum of its files), with the wall time of the whole run. Add it beside the usual reporter:
 *   npx vitest run --reporter=default --reporter=./test/timing-reporter.ts
 * LATCHKEY_TIMINGS=file.json also writes the figures as JSON (to compare runs).
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const s = (ms: number) => (ms / 1000).toFixed(1).padStart(6);

export default class TimingReporter implements Reporter {
  private started = performance.now();
  private startedAt = new Map<string, number>();
  private endedAt = new Map<string, number>();

  onTestRunStart() {
    this.started = performance.now();
  }

  onTestModuleQueued(module: TestModule) {
    this.startedAt.set(module.moduleId, performance.now() - this.started);
  }

  onTestModuleEnd(module: TestModule) {
    this.endedAt.set(module.moduleId, performance.now() - this.started);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const wall = performance.now() - this.started;
    const rows = modules.map((m) => {
      const d = m.diagnostic();
      return {
        project: m.project.name,
        file: relative(process.cwd(), m.moduleId),
        tests: [...m.children.allTests()].length,
        environment: d.environmentSetupDuration,
        setup: d.setupDuration + d.prepareDuration,
        import: d.collectDuration,
        run: d.duration,
        queued: this.startedAt.get(m.moduleId) ?? 0,
        ended: this.endedAt.get(m.moduleId) ?? 0,
      };
    });
    rows.sort((a, b) => a.project.localeCompare(b.project) || b.ended - b.queued - (a.ended - a.queued));
    const lines = ['', 'timings (s)   queued→ended    env  setup import  tests+hooks  tests  file'];
    for (const r of rows)
      lines.push(`  ${r.project.padEnd(10)} ${s(r.queued)}→${s(r.ended)} ${s(r.environment)} ${s(r.setup)} ${s(r.import)} ${s(r.run)}       ${String(r.tests).padStart(4)}  ${r.file}`);
    const projects = [...new Set(rows.map((r) => r.project))].map((name) => {
      const of = rows.filter((r) => r.project === name);
      return {
        name,
        files: of.length,
        tests: of.reduce((a, r) => a + r.tests, 0),
        from: Math.min(...of.map((r) => r.queued)),
        to: Math.max(...of.map((r) => r.ended)),
        sum: of.reduce((a, r) => a + r.run + r.import + r.setup + r.environment, 0),
      };
    });
    lines.push('', 'projects      from→to        span   sum of files  files tests');
    for (const p of projects) lines.push(`  ${p.name.padEnd(10)} ${s(p.from)}→${s(p.to)} ${s(p.to - p.from)} ${s(p.sum)}         ${String(p.files).padStart(4)} ${String(p.tests).padStart(5)}`);
    lines.push(`  wall ${s(wall)} s, ${rows.reduce((a, r) => a + r.tests, 0)} tests in ${rows.length} files`, '');
    console.log(lines.join('\n'));
    if (process.env.LATCHKEY_TIMINGS) writeFileSync(process.env.LATCHKEY_TIMINGS, JSON.stringify({ wall, projects, files: rows }, null, 2));
  }
}
