/**
 * faasport's Knative entry script: what `node entry.mjs` runs in a stock Node.js image. It is bundled
 * with the runtime shim into one file (`npm run bundle-shim` writes it into
 * `src/deploy/entry-script.generated.ts`), which the adapter puts into the function's ConfigMap next to
 * `code.zip`, mounted at `/var/faasport/code`. It unpacks the code (the ConfigMap's `code.zip` beside this
 * file, or the zip at `FAASPORT_CODE_URL` for bucket sources) into a fresh temporary folder, loads
 * `FAASPORT_HANDLER`, calls the initializer, and serves on `$PORT`. Node.js built-ins only.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { createKnativeHandler } from './index';

const env = process.env;
const port = Number(env.PORT ?? 8080);
// The code travels in the same ConfigMap volume as this script.
const codeDir = env.FAASPORT_CODE_DIR ?? dirname(fileURLToPath(import.meta.url));

function fail(message: string): never {
  throw new Error(message);
}

/** Reads the entries of a zip (stored or deflated) from its central directory. */
function unzip(buffer: Buffer): Array<{ name: string; data: Buffer }> {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) fail('not a zip archive (no end of central directory)');
  const count = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  const files: Array<{ name: string; data: Buffer }> = [];
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) fail('corrupt zip central directory');
    const method = buffer.readUInt16LE(offset + 10);
    const size = buffer.readUInt32LE(offset + 20);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const local = buffer.readUInt32LE(offset + 42);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(dataStart, dataStart + size);
    if (!name.endsWith('/'))
      files.push({
        name,
        data:
          method === 0 ? raw : method === 8 ? inflateRawSync(raw) : fail(`${name} uses zip method ${method}`),
      });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

async function fetchCode(): Promise<Buffer> {
  if (env.FAASPORT_CODE_URL) {
    const response = await fetch(env.FAASPORT_CODE_URL);
    if (!response.ok) fail(`cannot download the code from ${env.FAASPORT_CODE_URL}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
  const file = join(codeDir, 'code.zip');
  if (!existsSync(file))
    fail(`no code at ${file} (the function's ConfigMap holds it, or set FAASPORT_CODE_URL)`);
  return readFileSync(file);
}

/** Unpacks into a folder of its own (the container's /tmp is writable; the ConfigMap volume is not). */
function unpack(zip: Buffer): string {
  const root = resolve(env.FAASPORT_WORK_DIR ?? mkdtempSync(join(tmpdir(), 'faasport-function-')));
  for (const { name, data } of unzip(zip)) {
    const target = resolve(root, name);
    if (target !== root && !target.startsWith(root + sep)) fail(`zip entry ${name} escapes the code folder`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return root;
}

async function loadExport(root: string, spec: string): Promise<(...args: any[]) => unknown> {
  const dot = spec.lastIndexOf('.');
  const file = spec.slice(0, dot);
  const name = spec.slice(dot + 1);
  const path = ['.mjs', '.js', '.cjs', ''].map((ext) => join(root, file + ext)).find((p) => existsSync(p));
  if (!path) fail(`handler module ${file} not found in the code (looked for ${file}.mjs, .js, .cjs)`);
  const mod = await import(pathToFileURL(path).href);
  const fn = name === 'default' ? (mod.default?.default ?? mod.default) : (mod[name] ?? mod.default?.[name]);
  if (typeof fn !== 'function') fail(`${spec}: ${file} has no function export "${name}"`);
  return fn;
}

async function main(): Promise<void> {
  const root = unpack(await fetchCode());
  const contract = env.FAASPORT_CONTRACT === 'event' ? 'event' : 'web';
  const handler = await loadExport(root, env.FAASPORT_HANDLER ?? 'index.default');
  if (env.FAASPORT_INITIALIZER)
    await (await loadExport(root, env.FAASPORT_INITIALIZER))({
      functionName: env.K_SERVICE,
      revision: env.FAASPORT_REVISION,
    });
  const serve = createKnativeHandler(handler, {
    contract,
    functionName: env.K_SERVICE ?? env.FAASPORT_FUNCTION ?? 'function',
    revision: env.FAASPORT_REVISION ?? env.K_REVISION ?? '',
    timeoutSeconds: Number(env.FAASPORT_TIMEOUT_SECONDS ?? 300),
    env: Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('FAASPORT_'))),
  });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
    });
    const response = await serve(request);
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, key) => {
      if (key !== 'set-cookie') out[key] = value;
    });
    // Each cookie is a header line of its own: joined, or one left, a browser would lose cookies.
    const cookies = response.headers.getSetCookie();
    if (cookies.length) out['set-cookie'] = cookies;
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  server.listen(port, () =>
    console.log(
      JSON.stringify({
        level: 'info',
        message: `faasport runtime serving ${env.FAASPORT_HANDLER ?? 'index.default'} (${contract}) on port ${port}`,
      }),
    ),
  );
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: Error) => {
  console.error(JSON.stringify({ level: 'error', message: `the function cannot start: ${error.message}` }));
  process.exit(1);
});
