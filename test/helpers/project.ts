import { cpSync, writeFileSync } from 'node:fs';
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
