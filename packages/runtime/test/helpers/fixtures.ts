import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

/** Writes `files` into a fresh temp folder and returns its path. */
export function codeDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faasport-code-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** A fresh temp folder. */
export function tempDir(prefix = 'faasport-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * A fresh temp folder below one shared root that runtimes let functions write (`sandbox.writable`):
 * tests whose functions report through files use it; a function writes nothing else outside its temp folder.
 */
export function marksDir(): string {
  return fs.mkdtempSync(path.join(marksRoot(), 'marks-'));
}

let sharedMarks: string | undefined;
/** The root of {@link marksDir} folders, to pass as `sandbox: { writable: [marksRoot()] }`. */
export function marksRoot(): string {
  sharedMarks ??= tempDir('faasport-marks-');
  return sharedMarks;
}

/** Removes every folder made by this module. */
export function cleanTemp(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  sharedMarks = undefined;
}

/** The FunctionGraph custom-image example from the vendor docs, unchanged. */
export const functionGraphExpressExample = `const express = require('express');
const app = express();
const PORT = 8000;
app.post('/init', (req, res) => { res.send('Hello init\\n'); });
app.post('/invoke', (req, res) => { res.send('Hello invoke\\n'); });
app.listen(PORT, () => { console.log(\`Listening on http://localhost:\${PORT}\`); });
`;

/** The FC inline handler of the "coffee" example, unchanged. */
export const fcCoffeeExample = `var getRawBody = require('raw-body')
var version = 'coffee-default'
module.exports.handler = function (request, response, context) {
    var respBody = new Buffer('Hello ' + version + '\\n')
    response.setStatusCode(200)
    response.setHeader('content-type', 'application/json')
    response.send(respBody)
};
`;
