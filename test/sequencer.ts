/**
 * Two kinds of files share the workers: those that mostly compute (the worker project in workerd, the extension's
 * unit tests) and those that mostly wait (Chromium, `wrangler dev`, awscli). Each kind is ordered longest first and the
 * two lists are dealt alternately, so one worker tends to run a computing file while the other waits on a browser,
 * and the short files fill the gaps at the end. Durations come from the last run (Vitest's cache), failed files
 * first; without one, from what a file of its project usually takes.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Rough seconds per file when there is no earlier run to go by. */
const USUAL: Record<string, number> = { e2e: 30, contract: 15, scripts: 10, worker: 3, extension: 0.5 };
const usual = (spec: TestSpecification) => (/\/fuzz-\d+\.test\.ts$/.test(spec.moduleId) ? 50 : (USUAL[spec.project.name] ?? 5)) * 1000;
const computes = (spec: TestSpecification) => spec.project.name === 'worker' || spec.project.name === 'extension';

export default class ComputeBesideWaiting extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const expected = (spec: TestSpecification) => {
      const last = this.ctx.cache.getTestSpecificationResult(spec);
      return last?.failed ? Number.POSITIVE_INFINITY : (last?.duration ?? usual(spec));
    };
    const longestFirst = (list: TestSpecification[]) => list.sort((a, b) => expected(b) - expected(a));
    const compute = longestFirst(files.filter(computes));
    const waiting = longestFirst(files.filter((f) => !computes(f)));
    const out: TestSpecification[] = [];
    while (compute.length || waiting.length) {
      if (compute.length) out.push(compute.shift()!);
      if (waiting.length) out.push(waiting.shift()!);
    }
    return out;
  }
}
