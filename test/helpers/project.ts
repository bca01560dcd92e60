import { cpSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { repoRoot, tempDir } from './bin';

/** Copies an example into a temporary folder (tests edit files and keep state there, never in the repo). */
export function copyExample(name: string): string {
  const dir = tempDir(`faasport-${name}-`);
  cpSync(join(repoRoot, 'examples', name), dir, {
    recursive: true,
    filter: (src) => !src.includes(`${join('/', '.faasport')}`) && !src.includes('node_modules'),
  });
  return dir;
}

/** Writes files (path → text) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
}

/** Reads a response body as text. */
export async function text(url: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text() };
}

/** GETs `url` with another Host header (as `curl -H "Host: ..."` does through an ingress); fetch cannot. */
export function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
