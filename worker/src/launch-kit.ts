/**
 * The launch kit: everything a Nextflow run needs on its side, made from the launch — a nextflow.config fragment, the
 * environment, a head script that writes Nextflow's secret store straight from AWS Secrets Manager, and the
 * `process.beforeScript` that gives AWS Batch tasks the secrets they declare.
 *
 * No value ever appears on a command line or in a log: the AWS CLI prints each value into the store file (created
 * 0600 before anything is written, in a 0700 directory) or into a shell variable of the task's own shell (`export`
 * and `printf` are builtins, never separate processes). Nextflow's store format is a JSON array of `{name, value}`
 * (LocalSecretsProvider); the CLI's own JSON output does the escaping, so values come back byte for byte.
 */

import { SECRET_NAME_PATTERN } from '../../shared/name-rules';

/** A secret of the run as the kit names it: Nextflow's name, and its id in Secrets Manager (ARN or name). */
export interface KitSecret {
  name: string;
  secretId: string;
}

export interface LaunchKitInput {
  runId: string;
  region: string;
  secrets: KitSecret[];
  /** Where Nextflow posts its weblog events for this run (no token in it). */
  weblogUrl: string;
  /** The run-scoped completion token, sent as the weblog's Basic password. */
  runToken: string;
  /** The AWS CLI inside AWS Batch task containers (Nextflow's `aws.batch.cliPath`). */
  batchCliPath: string;
}

/** Where the AWS CLI sits in the AMIs AWS Batch examples build (Nextflow's docs use it for `aws.batch.cliPath`). */
export const DEFAULT_BATCH_CLI_PATH = '/home/ec2-user/miniconda/bin/aws';

export interface LaunchKit {
  /** nextflow.config lines: weblog with Basic auth, the region, and the Batch task prelude. */
  config: string;
  /** Environment for the head job, before `nextflow run`. */
  env: Record<string, string>;
  /** bash for the head job: fills the secret store at NXF_SECRETS_FILE from Secrets Manager. */
  headScript: string;
  /** The bash that `process.beforeScript` runs in each AWS Batch task for the secrets it declares (for reading). */
  taskScript: string;
}

/** Single-quotes a word for bash and for Groovy alike ('it'"'"'s' in bash; Groovy strings are escaped separately). */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;
const groovyQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Every name a script uses is a shell identifier (the stored-name rule guarantees it): it appears unquoted in `case`
 * labels, `export` and a JMESPath literal, so anything else is refused here rather than trusted.
 */
function checkNames(secrets: KitSecret[]) {
  for (const s of secrets) if (!SECRET_NAME_PATTERN.test(s.name)) throw new Error(`launch kit: '${s.name}' is not a shell-safe secret name`);
}

/** The head script: fills Nextflow's secret store from Secrets Manager, atomically, never exposing a value. */
export function headScript(input: Pick<LaunchKitInput, 'runId' | 'region' | 'secrets'>): string {
  checkNames(input.secrets);
  const fetches = input.secrets.map((s, i) =>
    [
      i > 0 ? "  printf ','" : null,
      `  "$aws" secretsmanager get-secret-value --region ${shellQuote(input.region)} --secret-id ${shellQuote(s.secretId)} --query "{name: '${s.name}', value: SecretString}" --output json`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return `#!/usr/bin/env bash
# Latchkey run ${input.runId}: write Nextflow's secret store from AWS Secrets Manager on the head job.
# Needs the AWS CLI with secretsmanager:GetSecretValue on this run's secrets. Run it before \`nextflow run\`, with
# NXF_SECRETS_FILE exported (it defaults to a per-run file under ~/.nextflow/latchkey/).
set -euo pipefail
umask 077
export NXF_SECRETS_FILE="\${NXF_SECRETS_FILE:-\$HOME/.nextflow/latchkey/${input.runId}/store.json}"
aws="\${LATCHKEY_AWS_CLI:-aws}"
dir="$(dirname "$NXF_SECRETS_FILE")"
mkdir -p "$dir"
chmod 700 "$dir"
# mktemp creates the file 0600 before any value is written; values go from the CLI's stdout into it, never into argv.
tmp="$(mktemp "$NXF_SECRETS_FILE.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
{
  printf '['
${fetches.join('\n')}
  printf ']\\n'
} >"$tmp"
mv -f "$tmp" "$NXF_SECRETS_FILE"
trap - EXIT
echo "latchkey: ${input.secrets.length} secret(s) written to $NXF_SECRETS_FILE" >&2
`;
}

/**
 * The bash each AWS Batch task runs before its script: for every name in $LATCHKEY_SECRETS that is one of the run's
 * secrets, export it from Secrets Manager with the task's job role. It holds no backslash and no three quotes in a
 * row, so it sits in a Groovy triple-quoted string unchanged. Trailing newlines survive: `$(…)` would strip them, so a
 * sentinel `x` follows the CLI's output and `${v%?x}` removes exactly the CLI's own newline and the sentinel.
 */
export function taskPrelude(input: Pick<LaunchKitInput, 'region' | 'secrets' | 'batchCliPath'>): string {
  checkNames(input.secrets);
  if (!/^\/[A-Za-z0-9/._+-]+$/.test(input.batchCliPath)) throw new Error('launch kit: the AWS CLI path must be an absolute path');
  const cases = input.secrets.map((s) => `    ${s.name}) __lk_id=${shellQuote(s.secretId)} ;;`).join('\n');
  return `for __lk_n in $LATCHKEY_SECRETS; do
  case "$__lk_n" in
${cases}
    *) continue ;;
  esac
  __lk="$(${shellQuote(input.batchCliPath)} secretsmanager get-secret-value --region ${shellQuote(input.region)} --secret-id "$__lk_id" --query SecretString --output text && printf x)" || exit 1
  __lk="\${__lk%?x}"
  export "$__lk_n=$__lk"
done
unset __lk __lk_n __lk_id
`;
}

/** The task prelude for a given list of declared secret names, as a task's shell runs it (for tests and by hand). */
export const taskScript = (input: Pick<LaunchKitInput, 'region' | 'secrets' | 'batchCliPath'>, names = input.secrets.map((s) => s.name)) =>
  `LATCHKEY_SECRETS=${shellQuote(names.join(' '))}\n${taskPrelude(input)}`;

/**
 * `process.beforeScript` as a closure: Nextflow evaluates it per task, so each task exports only the secrets its
 * process declares with the `secret` directive (`task.secret`).
 */
function beforeScriptClosure(input: LaunchKitInput): string {
  return `{ 'LATCHKEY_SECRETS="' + ((task.secret ?: []) as List).join(' ') + '"; ' + '''\n${taskPrelude(input)}''' }`;
}

export function launchKit(input: LaunchKitInput): LaunchKit {
  checkNames(input.secrets);
  const config = `// Latchkey run ${input.runId}: report run events (its secrets are deleted when it ends) and give Batch tasks
// the secrets they declare. Keep this file private: basicToken ends this run.
weblog {
  enabled = true
  url = ${groovyQuote(input.weblogUrl)}
  basicToken = ${groovyQuote(`run:${input.runToken}`)}
}
aws {
  region = ${groovyQuote(input.region)}
  batch { cliPath = ${groovyQuote(input.batchCliPath)} }
}
process {
  beforeScript = ${beforeScriptClosure(input)}
}
`;
  return {
    config,
    env: { NXF_SECRETS_FILE: `$HOME/.nextflow/latchkey/${input.runId}/store.json`, AWS_REGION: input.region, LATCHKEY_RUN: input.runId },
    headScript: headScript(input),
    taskScript: taskPrelude(input),
  };
}
