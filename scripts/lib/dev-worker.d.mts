export function freePort(): Promise<number>;
export interface DevWorker {
  url: string;
  adminToken: string;
  admin(method: string, path: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}
export function startDevWorker(options?: { vars?: Record<string, string>; config?: string; log?: (line: string) => void }): Promise<DevWorker>;
export function startPeers(): Promise<{ secretsManagerUrl: string; registryBasicHost: string; registryTokenHost: string; stop(): Promise<void> }>;
