import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '@faasport/core';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers';

/** The helloworld-go Service from the Knative Serving chapter (seed example 3). */
const helloworldGo = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: helloworld-go
  namespace: default
spec:
  template:
    spec:
      containers:
        - image: gcr.io/knative-samples/helloworld-go
          env:
            - name: TARGET
              value: "Yeah, it works!!!"
`;

const openFunction = `apiVersion: core.openfunction.io/v1beta2
kind: Function
metadata:
  name: sample-node
spec:
  version: "v2.0.0"
  image: openfunctiondev/sample-node:v1
  build:
    builder: openfunction/builder-node:v2-16.13
    srcRepo:
      url: https://github.com/OpenFunction/samples.git
      sourceSubPath: functions/knative/hello-world-node
  serving:
    template:
      containers:
        - name: function
          imagePullPolicy: IfNotPresent
    triggers:
      http:
        port: 8080
`;

const funcYaml = `specVersion: 0.36.0
name: greeter
runtime: node
invoke: http
run:
  envs:
    - name: GREETING
      value: hi
deploy:
  namespace: apps
  options:
    scale:
      min: 1
      max: 5
`;

function file(name: string, text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, name), text);
  return dir;
}

describe('faasport import', () => {
  it('prints the neutral faasport.yaml of a Knative Service', async () => {
    const dir = file('service.yaml', helloworldGo);
    const { code, stdout, stderr } = await cli(['import', 'service.yaml'], { cwd: dir });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('name: helloworld-go');
    expect(stdout).toContain('ref: gcr.io/knative-samples/helloworld-go');
    expect(stdout).toContain('TARGET: Yeah, it works!!!');
    // What it prints is a project faasport reads back.
    writeFileSync(join(dir, 'faasport.yaml'), stdout);
    const project = loadProject(dir);
    expect(project.functions[0]).toMatchObject({
      name: 'helloworld-go',
      env: { TARGET: 'Yeah, it works!!!' },
    });
    expect(project.functions[0]!.source).toMatchObject({
      kind: 'image',
      ref: 'gcr.io/knative-samples/helloworld-go',
    });
  });

  it('converts an OpenFunction Function, listing what does not carry over', async () => {
    const dir = file('function.yaml', openFunction);
    const { code, stdout } = await cli(['import', 'function.yaml', '--json'], { cwd: dir });
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.project.functions[0]).toMatchObject({
      name: 'sample-node',
      revision: 'v2-0-0',
      source: { image: { ref: 'openfunctiondev/sample-node:v1', port: 8080 } },
    });
    expect(result.notes.join('\n')).toContain('build dropped');
  });

  it('writes a func.yaml project with -o, its source folder re-based, and refuses to overwrite', async () => {
    const dir = file('func.yaml', funcYaml);
    mkdirSync(join(dir, 'out'));
    const first = await cli(['import', 'func.yaml', '-o', 'out/faasport.yaml'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('not carried over: namespace apps');
    const project = loadProject(join(dir, 'out'));
    expect(project.functions[0]).toMatchObject({
      name: 'greeter',
      env: { GREETING: 'hi' },
      scaling: { min: 1, max: 5 },
    });
    expect(project.functions[0]!.source).toEqual({ kind: 'dir', path: dir });

    const again = await cli(['import', 'func.yaml', '-o', 'out/faasport.yaml'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
  });

  it('rejects a file that is none of the three kinds, and a missing file', async () => {
    const dir = file('deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n');
    const wrong = await cli(['import', 'deployment.yaml'], { cwd: dir });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('FP_VALIDATION');
    expect(wrong.stderr).toContain('OpenFunction Function');
    const missing = await cli(['import', 'nope.yaml'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.yaml does not exist');
    expect(existsSync(join(dir, 'faasport.yaml'))).toBe(false);
    expect(readFileSync(join(dir, 'deployment.yaml'), 'utf8')).toContain('Deployment');
  });
});

describe('render then import: a round trip through Knative YAML', () => {
  it('imports the Service and its code ConfigMap back into a project with the same code', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'hello'));
    writeFileSync(join(dir, 'hello', 'index.mjs'), 'export default () => "round trip\\n";\n');
    writeFileSync(
      join(dir, 'faasport.yaml'),
      'name: rt\nfunctions:\n  - name: hello\n    source: { dir: ./hello }\n    env: { A: "1" }\n',
    );
    const rendered = await cli(['render', '--target', 'knative'], { cwd: dir });
    expect(rendered.code, rendered.stderr).toBe(0);
    mkdirSync(join(dir, 'back'));
    writeFileSync(join(dir, 'back', 'service.yaml'), rendered.stdout);
    const imported = await cli(['import', 'service.yaml', '-o', 'faasport.yaml', '--json'], {
      cwd: join(dir, 'back'),
    });
    expect(imported.code, imported.stdout).toBe(0);
    expect(JSON.parse(imported.stdout).files).toEqual([
      join(dir, 'back', 'faasport.yaml'),
      join(dir, 'back', 'hello.zip'),
    ]);
    const project = loadProject(join(dir, 'back'));
    expect(project.functions[0]).toMatchObject({
      name: 'hello',
      env: { A: '1' },
      source: { kind: 'archive', path: join(dir, 'back', 'hello.zip') },
    });
    const again = await cli(['render', '--target', 'knative'], { cwd: join(dir, 'back') });
    // The same code gives the same code ConfigMap (content-addressed name and bytes).
    const configMap = (text: string) => /name: (hello-code-[0-9a-f]+)/.exec(text)?.[1];
    expect(configMap(again.stdout)).toBe(configMap(rendered.stdout));
  });
});
