/** Builds the extension once before the browser tests, as `npm start` does. */
import { execFileSync } from 'node:child_process';

export default function setup() {
  execFileSync('node_modules/.bin/wxt', ['build', 'extension'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, WXT_TELEMETRY: 'false' } });
}
