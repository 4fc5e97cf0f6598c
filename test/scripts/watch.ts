/** Runs bash on a generated script, sampling every process's command line meanwhile (to prove no value is in argv). */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function runWatched(dir: string, script: string, args: string[], env: Record<string, string>, cwd = dir) {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const seen = new Set<string>();
  let running = true;
  const sampler = (async () => {
    while (running) {
      try {
        seen.add(execFileSync('ps', ['-eo', 'args', '--no-headers'], { encoding: 'utf8' }));
      } catch {
        /* a process exited while ps read it */
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile('bash', [file, ...args], { env, cwd, maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
  running = false;
  await sampler;
  return { ...result, processes: [...seen].join('\n') };
}
