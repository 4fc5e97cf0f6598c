/** Runs bash on a generated script, sampling every process's command line meanwhile (to prove no value is in argv). */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every process's command line, arguments joined by spaces as `ps -eo args` shows them, read from /proc (no ps to start). */
function commandLines(): string {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (args) lines.push(args.replace(/\0+$/, '').replaceAll('\0', ' '));
    } catch {
      /* the process exited while it was read */
    }
  }
  return lines.join('\n');
}


export async function runWatched(dir: string, script: string, args: string[], env: Record<string, string>, cwd = dir) {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const seen = new Set<string>();
  let running = true;
  const sampler = (async () => {
    while (running) {
      seen.add(commandLines());
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
