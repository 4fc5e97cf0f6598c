/** The commands that start a Tower Agent with this connection ID. */
export function agentSnippet(connectionId: string, workDir: string): string {
  const id = connectionId || '<connection ID>';
  return [
    'curl -fSL https://github.com/seqeralabs/tower-agent/releases/latest/download/tw-agent-linux-x86_64 > tw-agent',
    'chmod +x ./tw-agent',
    'export TOWER_ACCESS_TOKEN=<your Seqera Platform access token>',
    `./tw-agent ${id}${workDir.trim() ? ` --work-dir=${workDir.trim()}` : ''}`,
  ].join('\n');
}
