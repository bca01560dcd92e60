// The faasport Knative runtime image's entry: unpacks the function's code (the ConfigMap-mounted
// code.zip, or the zip at FAASPORT_CODE_URL for bucket sources), loads the handler, and serves it on
// $PORT through the runtime shim (runtime.mjs, built from src/runtime). Node.js built-ins only.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const env = process.env;
const port = Number(env.PORT ?? 8080);
const codeDir = env.FAASPORT_CODE_DIR ?? '/var/faasport/code';
const workDir = env.FAASPORT_WORK_DIR ?? join(tmpdir(), 'faasport-function');
const shimPath = env.FAASPORT_SHIM ?? new URL('./runtime.mjs', import.meta.url).pathname;

/** Reads the entries of a zip (stored or deflated) from its central directory. */
function unzip(buffer) {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  const files = [];
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt zip central directory');
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

function fail(message) {
  throw new Error(message);
}

async function fetchCode() {
  if (env.FAASPORT_CODE_URL) {
    const response = await fetch(env.FAASPORT_CODE_URL);
    if (!response.ok)
      throw new Error(`cannot download the code from ${env.FAASPORT_CODE_URL}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
  const file = join(codeDir, 'code.zip');
  if (!existsSync(file))
    throw new Error(`no code at ${file} (mount the function's ConfigMap there, or set FAASPORT_CODE_URL)`);
  return readFileSync(file);
}

function unpack(zip) {
  const root = resolve(workDir);
  for (const { name, data } of unzip(zip)) {
    const target = resolve(root, name);
    if (target !== root && !target.startsWith(root + sep))
      throw new Error(`zip entry ${name} escapes the code folder`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return root;
}

async function loadExport(root, spec) {
  const dot = spec.lastIndexOf('.');
  const file = spec.slice(0, dot);
  const name = spec.slice(dot + 1);
  const candidates = ['.mjs', '.js', '.cjs', ''].map((ext) => join(root, file + ext));
  const path = candidates.find((p) => existsSync(p));
  if (!path)
    throw new Error(`handler module ${file} not found in the code (looked for ${file}.mjs, .js, .cjs)`);
  const mod = await import(pathToFileURL(path).href);
  const fn = name === 'default' ? (mod.default?.default ?? mod.default) : (mod[name] ?? mod.default?.[name]);
  if (typeof fn !== 'function') throw new Error(`${spec}: ${file} has no function export "${name}"`);
  return fn;
}

async function main() {
  const { createKnativeHandler } = await import(pathToFileURL(shimPath).href);
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
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
      method: req.method,
      headers,
      ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
    });
    const response = await serve(request);
    const out = {};
    response.headers.forEach((value, key) => {
      out[key] = value;
    });
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

main().catch((error) => {
  console.error(JSON.stringify({ level: 'error', message: `the function cannot start: ${error.message}` }));
  process.exit(1);
});
