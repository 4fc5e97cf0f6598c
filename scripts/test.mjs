// npm test: the typecheck (tsc, wxt prepare, tsc for the extension) beside the test run instead of before it, so its
// seconds of CPU fill the time the tests spend waiting on browsers and wrangler. Arguments go to `vitest run`. The
// typecheck's output is printed when both are done; the exit code is non-zero if either failed.
import { spawn } from 'node:child_process';

const exited = (child) => new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

const typecheck = spawn('npm', ['run', '--silent', 'typecheck'], { stdio: ['ignore', 'pipe', 'pipe'] });
let typecheckOutput = '';
typecheck.stdout.on('data', (d) => (typecheckOutput += d));
typecheck.stderr.on('data', (d) => (typecheckOutput += d));
const tests = spawn('node_modules/.bin/vitest', ['run', ...process.argv.slice(2)], { stdio: 'inherit' });

const [typecheckCode, testsCode] = await Promise.all([exited(typecheck), exited(tests)]);
console.log(`\n── typecheck (tsc -p . && wxt prepare extension && tsc -p extension): ${typecheckCode === 0 ? 'passed' : `FAILED (exit ${typecheckCode})`}`);
if (typecheckCode !== 0) console.log(typecheckOutput);
process.exit(typecheckCode || testsCode);
