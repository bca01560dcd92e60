import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FaasportError, loadProject, ValidationError } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'faasport-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(text: string, ext = 'yaml'): string {
  const file = join(dir, `p${counter++}.${ext}`);
  writeFileSync(file, text);
  return file;
}

/** The adapter names a caller knows (the CLI passes its registry's): `providers` keys are checked against them. */
const adapters = ['local', 'knative', 'fc', 'functiongraph', 'lambda'];

/** What `loadProject` throws for `file`; fails the test when it is not a ValidationError. */
function loadError(file: string): ValidationError {
  let error: unknown;
  try {
    loadProject(file, { adapters });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

/** Wraps one function in a minimal project. */
const project = (fn: string) =>
  `name: shop\nfunctions:\n  - name: ok\n    source: { inline: "export default () => 'ok'" }\n${fn}`;

/**
 * Each malformed file, the path the error must name, and text the message must contain (the value
 * and the rule).
 */
const malformed: Array<[title: string, yaml: string, path: string, mustContain: string[]]> = [
  [
    'wrong type for memory',
    project('  - name: b\n    source: { dir: . }\n    resources: { memory: big }\n'),
    'functions[1].resources.memory',
    ['"big"', 'not a number'],
  ],
  [
    'unknown key with a near miss',
    project('  - name: b\n    source: { dir: . }\n    resources: { memroy: 128 }\n'),
    'functions[1].resources',
    ['"memroy"', 'did you mean "memory"'],
  ],
  [
    'unknown top-level key',
    'name: shop\nfuncions: []\nfunctions:\n  - name: a\n    source: { dir: . }\n',
    '',
    ['"funcions"', 'did you mean "functions"'],
  ],
  [
    'bad cron',
    project('  - name: b\n    source: { dir: . }\n    triggers:\n      - schedule: { cron: "* * *" }\n'),
    'functions[1].triggers[0].schedule.cron',
    ['"* * *"', 'is not a 5-field cron expression (minute hour day-of-month month day-of-week)'],
  ],
  [
    'cron field out of range',
    project('  - name: b\n    source: { dir: . }\n    triggers:\n      - schedule: { cron: "61 * * * *" }\n'),
    'functions[1].triggers[0].schedule.cron',
    ['"61 * * * *"', 'minute', '0-59'],
  ],
  [
    'bad timezone',
    project(
      '  - name: b\n    source: { dir: . }\n    triggers:\n      - schedule: { cron: "0 * * * *", timezone: Mars/Olympus }\n',
    ),
    'functions[1].triggers[0].schedule.timezone',
    ['"Mars/Olympus"', 'IANA time zone'],
  ],
  [
    'percent not summing to 100',
    project(
      '  - name: b\n    source: { dir: . }\n    revision: v2\n    traffic: [ { revision: v1, percent: 50 }, { revision: latest, percent: 40 } ]\n',
    ),
    'functions[1].traffic',
    ['sum to 90', 'must sum to 100'],
  ],
  [
    'two traffic entries with one tag',
    project(
      '  - name: b\n    source: { dir: . }\n    traffic: [ { revision: v1, percent: 50, tag: x }, { revision: latest, percent: 50, tag: x } ]\n',
    ),
    'functions[1].traffic[1].tag',
    ['"x"', 'tags must be unique'],
  ],
  [
    'latest twice',
    project(
      '  - name: b\n    source: { dir: . }\n    traffic: [ { revision: latest, percent: 50 }, { revision: latest, percent: 50, tag: c } ]\n',
    ),
    'functions[1].traffic[1].revision',
    ['"latest" appears 2 times', 'may appear once'],
  ],
  [
    'negative memory',
    project('  - name: b\n    source: { dir: . }\n    resources: { memory: -5 }\n'),
    'functions[1].resources.memory',
    ['-5', 'greater than 0'],
  ],
  [
    'empty name',
    project('  - name: ""\n    source: { dir: . }\n'),
    'functions[1].name',
    ['must not be empty'],
  ],
  [
    'image source with a handler',
    project('  - name: b\n    source: { image: { ref: "reg/app:1" } }\n    handler: index.handler\n'),
    'functions[1].handler',
    ['"index.handler"', 'image source has no handler'],
  ],
  [
    'secrets given as plain values',
    project('  - name: b\n    source: { dir: . }\n    secrets: { DB_PASSWORD: hunter2-very-secret }\n'),
    'functions[1].secrets.DB_PASSWORD',
    ['plain value', 'fromEnv'],
  ],
  [
    'two source kinds',
    project('  - name: b\n    source: { dir: ., inline: "x" }\n'),
    'functions[1].source',
    ['has inline and dir', 'exactly one'],
  ],
  [
    'no source kind',
    project('  - name: b\n    source: {}\n'),
    'functions[1].source',
    ['needs exactly one of inline, dir, archive, bucket, image'],
  ],
  ['missing source', project('  - name: b\n'), 'functions[1].source', ['is required']],
  [
    'unknown runtime with suggestion',
    project('  - name: b\n    source: { dir: . }\n    runtime: nodejs2O\n'),
    'functions[1].runtime',
    ['"nodejs2O"', 'did you mean "nodejs20"'],
  ],
  [
    'bad contract',
    project('  - name: b\n    source: { dir: . }\n    contract: http\n'),
    'functions[1].contract',
    ['"http"', 'web, event or native'],
  ],
  [
    'bad handler',
    project('  - name: b\n    source: { dir: . }\n    handler: index\n'),
    'functions[1].handler',
    ['"index"', 'file.export'],
  ],
  [
    'percent above 100',
    project('  - name: b\n    source: { dir: . }\n    traffic: [ { revision: latest, percent: 150 } ]\n'),
    'functions[1].traffic[0].percent',
    ['150', 'above 100'],
  ],
  [
    'fractional percent',
    project(
      '  - name: b\n    source: { dir: . }\n    traffic: [ { revision: latest, percent: 99.5 }, { revision: v1, percent: 0.5 } ]\n',
    ),
    'functions[1].traffic[0].percent',
    ['99.5', 'whole percent'],
  ],
  [
    'two trigger kinds in one item',
    project(
      '  - name: b\n    source: { dir: . }\n    triggers:\n      - { http: {}, queue: { topic: t } }\n',
    ),
    'functions[1].triggers[0]',
    ['has http and queue', 'own list item'],
  ],
  [
    'bad http method',
    project('  - name: b\n    source: { dir: . }\n    triggers:\n      - http: { methods: [get] }\n'),
    'functions[1].triggers[0].http.methods[0]',
    ['"get"', 'in capitals'],
  ],
  [
    'min above max',
    project('  - name: b\n    source: { dir: . }\n    scaling: { min: 5, max: 2 }\n'),
    'functions[1].scaling.min',
    ['5 is more than max (2)'],
  ],
  [
    'bad idle duration',
    project('  - name: b\n    source: { dir: . }\n    scaling: { idle: soon }\n'),
    'functions[1].scaling.idle',
    ['"soon"', 'not a duration'],
  ],
  [
    'env value not a string',
    project('  - name: b\n    source: { dir: . }\n    env: { PORT_COUNT: 3 }\n'),
    'functions[1].env.PORT_COUNT',
    ['3', 'quote numbers'],
  ],
  [
    'bad env name',
    project('  - name: b\n    source: { dir: . }\n    env: { "1BAD": x }\n'),
    'functions[1].env.1BAD',
    ['"1BAD"', 'environment variable name'],
  ],
  [
    'duplicate function names',
    project('  - name: ok\n    source: { dir: . }\n'),
    'functions[1].name',
    ['"ok"', 'names must be unique'],
  ],
  [
    'rollout steps not ending at 100',
    project('  - name: b\n    source: { dir: . }\n    rollout: { steps: [10, 50] }\n'),
    'functions[1].rollout.steps',
    ['ends at 50', 'must be 100'],
  ],
  [
    'rollout steps decreasing',
    project('  - name: b\n    source: { dir: . }\n    rollout: { steps: [50, 10, 100] }\n'),
    'functions[1].rollout.steps[1]',
    ['10 is not more than', 'must increase'],
  ],
  [
    'reserved revision label',
    project('  - name: b\n    source: { dir: . }\n    revision: latest\n'),
    'functions[1].revision',
    ['"latest" is reserved'],
  ],
  [
    'uppercase tag',
    project(
      '  - name: b\n    source: { dir: . }\n    traffic: [ { revision: latest, percent: 100, tag: Canary } ]\n',
    ),
    'functions[1].traffic[0].tag',
    ['"Canary"', 'lowercase'],
  ],
  [
    'bad domain',
    project('  - name: b\n    source: { dir: . }\n    domains: [ { host: "not a host" } ]\n'),
    'functions[1].domains[0].host',
    ['"not a host"', 'host name'],
  ],
  [
    'target without adapter',
    'name: shop\ntargets:\n  prod: { region: x }\nfunctions:\n  - name: a\n    source: { dir: . }\n',
    'targets.prod.adapter',
    ['is required'],
  ],
  ['functions not a list', 'name: shop\nfunctions: { a: 1 }\n', 'functions', ['an object', 'expected array']],
  [
    'archive that is not a zip',
    project('  - name: b\n    source: { archive: ./code.tar }\n'),
    'functions[1].source.archive',
    ['"./code.tar"', '.zip'],
  ],
  [
    'unknown provider key',
    project('  - name: b\n    source: { dir: . }\n    providers: { aliyun: {} }\n'),
    'functions[1].providers',
    ['"aliyun"', 'allowed: local, knative, fc, functiongraph, lambda'],
  ],
  ['broken YAML', 'name: shop\nfunctions:\n  - name: [unclosed\n', '', ['not valid YAML']],
  [
    'alias without an anchor',
    project('  - name: b\n    source: { dir: . }\n    env: *missing\n'),
    '',
    ['at line 7', 'alias *missing has no anchor &missing'],
  ],
  ['two YAML documents', `${project('')}---\nname: other\n`, '', ['2 YAML documents']],
];

describe('loadProject rejects malformed files with one clear issue each', () => {
  it.each(malformed)('%s', (_title, yaml, path, mustContain) => {
    const file = write(yaml);
    const error = loadError(file);
    const v = error;
    expect(FaasportError.isInstance(v)).toBe(true);
    expect(v.code).toBe('FP_VALIDATION');
    expect(v.file).toBe(file);
    const issue = v.issues.find((i) => i.path === path);
    expect(issue, `issues were: ${JSON.stringify(v.issues)}`).toBeDefined();
    for (const text of mustContain) expect(issue!.message).toContain(text);
    // The message lists the issue as "path: message".
    expect(v.message).toContain(path ? `${path}: ${issue!.message}` : issue!.message);
  });

  it('never echoes a plain secret value', () => {
    const file = write(
      project('  - name: b\n    source: { dir: . }\n    secrets: { DB_PASSWORD: hunter2-very-secret }\n'),
    );
    expect(() => loadProject(file)).toThrow(ValidationError);
    try {
      loadProject(file);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('hunter2');
      expect(JSON.stringify(e)).not.toContain('hunter2');
    }
  });

  it('checks providers keys against the known adapters, with a did-you-mean, in functions and defaults', () => {
    const file = write(
      `name: shop\ndefaults:\n  providers: { knatve: { workloadClass: fc } }\n${project('  - name: b\n    source: { dir: . }\n    providers: { fc: { service: s }, functiongrahp: {} }\n').split('\n').slice(1).join('\n')}`,
    );
    const issues = loadError(file).issues;
    expect(issues).toEqual([
      {
        path: 'defaults.providers',
        message:
          'unknown key "knatve"; did you mean "knative"? (allowed: local, knative, fc, functiongraph, lambda)',
        rule: 'unrecognized_keys',
      },
      {
        path: 'functions[1].providers',
        message:
          'unknown key "functiongrahp"; did you mean "functiongraph"? (allowed: local, knative, fc, functiongraph, lambda)',
        rule: 'unrecognized_keys',
      },
    ]);
    // Keys of other known adapters are kept: a function may carry options for several targets.
    const ok = write(
      project(
        '  - name: b\n    source: { dir: . }\n    providers: { fc: { service: s }, lambda: { x: 1 } }\n',
      ),
    );
    expect(loadProject(ok, { adapters }).functions[1]!.providers).toEqual({
      fc: { service: 's' },
      lambda: { x: 1 },
    });
  });

  it('leaves providers open when the caller names no adapters (core knows no platform)', () => {
    const file = write(project('  - name: b\n    source: { dir: . }\n    providers: { aliyun: { a: 1 } }\n'));
    expect(loadProject(file).functions[1]!.providers).toEqual({ aliyun: { a: 1 } });
    // The shape is still checked: each key holds a mapping of options.
    const bad = write(project('  - name: b\n    source: { dir: . }\n    providers: { fc: 3 }\n'));
    expect(() => loadProject(bad)).toThrow(/functions\[1\]\.providers\.fc: 3 is not a mapping of options/);
  });

  it('lists every problem of a file at once', () => {
    const file = write(
      'name: shop\nfunctions:\n  - name: a\n    source: { dir: . }\n    resources: { memory: -1, timeout: 0 }\n  - name: b\n    source: {}\n',
    );
    try {
      loadProject(file);
      expect.unreachable();
    } catch (e) {
      const paths = (e as ValidationError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'functions[0].resources.memory',
          'functions[0].resources.timeout',
          'functions[1].source',
        ]),
      );
    }
  });
});

describe('YAML anchors, aliases and merge keys', () => {
  it('101 and more `<<: *common` merges load, each function keeping its own keys over the merged ones', () => {
    let text =
      'name: shop\nfunctions:\n  - &common\n    name: f0\n    source: { inline: "export default () => 1" }\n    env: { STAGE: prod }\n    scaling: { max: 3 }\n';
    for (let i = 1; i <= 500; i++) text += `  - <<: *common\n    name: f${i}\n`;
    text += '  - <<: *common\n    name: own\n    scaling: { max: 7 }\n';
    const resolved = loadProject(write(text));
    expect(resolved.functions).toHaveLength(502);
    expect(resolved.functions[101]).toMatchObject({ name: 'f101', env: { STAGE: 'prod' } });
    expect(resolved.functions[101]!.scaling.max).toBe(3);
    expect(resolved.functions[501]!.scaling.max).toBe(7);
  });

  it('an alias bomb is a ValidationError naming the line of the alias that crosses the limit', () => {
    const lines = ['name: shop', 'functions: []', 'x-l0: &l0 [a, a, a, a, a, a, a, a, a, a]'];
    for (let level = 1; level <= 6; level++)
      lines.push(
        `x-l${level}: &l${level} [${Array(10)
          .fill(`*l${level - 1}`)
          .join(', ')}]`,
      );
    const file = write(`${lines.join('\n')}\n`);
    const error = loadError(file);
    const issue = error.issues[0]!;
    expect(issue.rule).toBe('alias-limit');
    // Level 5 repeats level 4, which already stands for 10,000 copies: its second alias crosses 10,000.
    expect(issue.message).toContain('at line 8: alias *l4');
    expect(error.message).not.toContain('    at ');
  });
});

describe('loadProject resolves valid files', () => {
  it('applies defaults, resolves paths against the file, and reads .json too', () => {
    const sub = mkdtempSync(join(dir, 'proj-'));
    writeFileSync(
      join(sub, 'faasport.yaml'),
      [
        'name: shop',
        'defaults: { runtime: nodejs22, resources: { memory: 512 }, env: { STAGE: dev } }',
        'targets:',
        '  prod: { adapter: fc, region: cn-hangzhou, accountId: "123" }',
        'functions:',
        '  - name: coffee',
        '    source: { dir: ./functions/coffee }',
        '    env: { VERSION: coffee-default }',
        '    resources: { timeout: 10 }',
        '    triggers:',
        '      - schedule: { cron: "*/5 * * * *", timezone: Asia/Shanghai, payload: { ping: true } }',
        '  - name: tea',
        '    contract: native',
        '    source: { inline: "module.exports.handler = () => 1" }',
      ].join('\n'),
    );
    const p = loadProject(sub);
    expect(p.name).toBe('shop');
    expect(p.targets.prod).toEqual({
      name: 'prod',
      adapter: 'fc',
      options: { region: 'cn-hangzhou', accountId: '123' },
    });
    const [coffee, tea] = p.functions;
    expect(coffee!.source).toEqual({ kind: 'dir', path: join(sub, 'functions/coffee') });
    expect(coffee!.runtime).toBe('nodejs22');
    expect(coffee!.resources).toEqual({ memory: 512, timeout: 10 });
    expect(coffee!.env).toEqual({ STAGE: 'dev', VERSION: 'coffee-default' });
    expect(coffee!.handler).toBe('index.default');
    expect(coffee!.triggers).toEqual([
      {
        kind: 'schedule',
        name: 'schedule',
        cron: '*/5 * * * *',
        timezone: 'Asia/Shanghai',
        payload: { ping: true },
        enabled: true,
      },
    ]);
    expect(coffee!.traffic).toEqual([{ revision: 'latest', percent: 100 }]);
    expect(tea!.handler).toBe('index.handler');
    expect(tea!.triggers).toEqual([]);
    expect(Object.isFrozen(coffee)).toBe(true);

    const json = write(
      JSON.stringify({ name: 'j', functions: [{ name: 'a', source: { inline: 'x' } }] }),
      'json',
    );
    const pj = loadProject(json);
    expect(pj.functions[0]!.triggers).toEqual([
      {
        kind: 'http',
        name: 'http',
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
        auth: 'anonymous',
      },
    ]);
  });

  it('says where it looked when there is no project file', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(() => loadProject(empty)).toThrow(/faasport.yaml, faasport.yml, faasport.json/);
  });
});
