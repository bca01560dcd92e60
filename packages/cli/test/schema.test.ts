import Ajv2020 from 'ajv/dist/2020';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledProjectJsonSchema } from '../src/schema';

// ajv is what editors' YAML language servers use too (a dev dependency of the repository).
let validate: ReturnType<Ajv2020['compile']>;
beforeAll(async () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  validate = ajv.compile(await bundledProjectJsonSchema());
});

const fn = { name: 'web', source: { dir: './web' } };
const errors = () =>
  (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

describe("the published JSON Schema of faasport.yaml carries each bundled adapter's options", () => {
  it('accepts a project with targets of every adapter and their provider options', () => {
    const ok = validate({
      name: 'shop',
      targets: {
        dev: { adapter: 'local' },
        k8s: { adapter: 'knative', kubeconfig: './kube.yaml', namespace: 'shop' },
        fc: { adapter: 'fc', region: 'cn-hangzhou', accountId: '123' },
        hw: { adapter: 'functiongraph', region: 'cn-north-4' },
      },
      functions: [{ ...fn, providers: { fc: { service: 'shop' }, knative: { workloadClass: 'fc' } } }],
    });
    expect(ok, errors().join('\n')).toBe(true);
  });

  it('rejects a wrong FC target option, naming the key', () => {
    expect(
      validate({ name: 'shop', targets: { fc: { adapter: 'fc', regoin: 'cn-hangzhou' } }, functions: [fn] }),
    ).toBe(false);
    expect(errors()).toContainEqual(
      expect.stringContaining(
        '/targets/fc must NOT have additional properties {"additionalProperty":"regoin"}',
      ),
    );
    // The same key is fine on the adapter that has it: the schema follows `adapter`.
    expect(
      validate({ name: 'shop', targets: { fc: { adapter: 'fc', region: 'cn-hangzhou' } }, functions: [fn] }),
    ).toBe(true);
  });

  it('rejects a wrong FC provider option and an unknown adapter under providers', () => {
    expect(validate({ name: 'shop', functions: [{ ...fn, providers: { fc: { servise: 'shop' } } }] })).toBe(
      false,
    );
    expect(errors()).toContainEqual(
      expect.stringContaining(
        '/functions/0/providers/fc must NOT have additional properties {"additionalProperty":"servise"}',
      ),
    );
    expect(validate({ name: 'shop', functions: [{ ...fn, providers: { aliyun: {} } }] })).toBe(false);
    expect(errors()).toContainEqual(
      expect.stringContaining(
        '/functions/0/providers must NOT have additional properties {"additionalProperty":"aliyun"}',
      ),
    );
  });

  it('rejects an adapter name no package provides', () => {
    expect(validate({ name: 'shop', targets: { x: { adapter: 'azure' } }, functions: [fn] })).toBe(false);
    expect(errors()).toContainEqual(
      expect.stringContaining('/targets/x/adapter must be equal to one of the allowed values'),
    );
  });
});
