/**
 * Kubernetes' protobuf request bodies for the core kinds the emulator serves. client-go's typed
 * clients send built-in kinds as protobuf since Kubernetes 1.31 (kubernetes/kubernetes#125314, "Use
 * protobuf for core clients"), and there is no fallback to JSON for a request body, so `kubectl create
 * namespace|configmap|secret` must be understood. Responses stay JSON: those clients accept it.
 *
 * The envelope is the magic `k8s\0` followed by a `runtime.Unknown` (k8s.io/apimachinery
 * pkg/runtime/serializer/protobuf/protobuf.go `protoEncodingPrefix`, pkg/runtime/generated.proto);
 * field numbers come from k8s.io/api core/v1/generated.proto and k8s.io/apimachinery
 * pkg/apis/meta/v1/generated.proto.
 */
import type { Json } from './patch';
import { badRequest } from './status';

/** The media type of Kubernetes protobuf. */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** One field of a protobuf message: its number and its raw value (a number or the bytes of a length-delimited field). */
interface Field {
  no: number;
  value: bigint | Buffer;
}

function varint(buf: Buffer, at: number): [bigint, number] {
  let out = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const byte = buf[i]!;
    out |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [out, i + 1];
    shift += 7n;
  }
  throw badRequest('the protobuf body ends inside a varint');
}

/** Splits a message into its fields (protobuf wire types 0, 1, 2 and 5). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = varint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = varint(buf, at);
      out.push({ no, value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = varint(buf, at);
      const end = after + Number(length);
      if (end > buf.length) throw badRequest('the protobuf body ends inside a field');
      out.push({ no, value: buf.subarray(after, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ no, value: buf.subarray(at, at + size) });
      at += size;
    } else
      throw badRequest(`the protobuf body has a field of wire type ${wire}, which no Kubernetes object uses`);
  }
  return out;
}

const bytesOf = (f: Field) => (Buffer.isBuffer(f.value) ? f.value : Buffer.alloc(0));
const text = (f: Field) => bytesOf(f).toString('utf8');
const all = (list: Field[], no: number) => list.filter((f) => f.no === no);
const one = (list: Field[], no: number) => list.filter((f) => f.no === no).pop();

/** A `map<string, V>` field: repeated entries of key = 1, value = 2. */
function map<V>(list: Field[], no: number, value: (f: Field) => V): Record<string, V> | undefined {
  const entries = all(list, no);
  if (!entries.length) return undefined;
  const out: Record<string, V> = {};
  for (const entry of entries) {
    const kv = fields(bytesOf(entry));
    const k = one(kv, 1);
    const v = one(kv, 2);
    out[k ? text(k) : ''] = v ? value(v) : value({ no: 2, value: Buffer.alloc(0) });
  }
  return out;
}

/** ObjectMeta: the fields a client sets when it creates an object. */
function objectMeta(buf: Buffer): Json {
  const f = fields(buf);
  const meta: Json = {};
  const strings: Array<[number, string]> = [
    [1, 'name'],
    [2, 'generateName'],
    [3, 'namespace'],
    [5, 'uid'],
    [6, 'resourceVersion'],
  ];
  for (const [no, key] of strings) {
    const field = one(f, no);
    if (field && text(field) !== '') meta[key] = text(field);
  }
  const labels = map(f, 11, text);
  if (labels) meta.labels = labels;
  const annotations = map(f, 12, text);
  if (annotations) meta.annotations = annotations;
  const owners = all(f, 13).map((o) => {
    const of = fields(bytesOf(o));
    const ref: Json = {};
    for (const [no, key] of [
      [5, 'apiVersion'],
      [1, 'kind'],
      [3, 'name'],
      [4, 'uid'],
    ] as const) {
      const field = one(of, no);
      if (field) ref[key] = text(field);
    }
    for (const [no, key] of [
      [6, 'controller'],
      [7, 'blockOwnerDeletion'],
    ] as const) {
      const field = one(of, no);
      if (field) ref[key] = field.value === 1n;
    }
    return ref;
  });
  if (owners.length) meta.ownerReferences = owners;
  const finalizers = all(f, 14).map(text);
  if (finalizers.length) meta.finalizers = finalizers;
  return meta;
}

const base64 = (f: Field) => bytesOf(f).toString('base64');

/** Decoders of the core kinds, by kind: the object's fields after `metadata` (field 1). */
const kinds: Record<string, (f: Field[]) => Json> = {
  Namespace: (f) => {
    const spec = one(f, 2);
    const finalizers = spec ? all(fields(bytesOf(spec)), 1).map(text) : [];
    return finalizers.length ? { spec: { finalizers } } : {};
  },
  ConfigMap: (f) => {
    const out: Json = {};
    const data = map(f, 2, text);
    if (data) out.data = data;
    const binaryData = map(f, 3, base64);
    if (binaryData) out.binaryData = binaryData;
    const immutable = one(f, 4);
    if (immutable) out.immutable = immutable.value === 1n;
    return out;
  },
  Secret: (f) => {
    const out: Json = {};
    const data = map(f, 2, base64);
    if (data) out.data = data;
    const stringData = map(f, 4, text);
    if (stringData) out.stringData = stringData;
    const type = one(f, 3);
    if (type && text(type)) out.type = text(type);
    const immutable = one(f, 5);
    if (immutable) out.immutable = immutable.value === 1n;
    return out;
  },
};

/**
 * Decodes a protobuf request body into the JSON form of the object. Throws a 415 KubeApiError-style
 * BadRequest naming the kind when it is not one the emulator decodes.
 */
export function decodeProtobuf(body: Buffer): Json {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest('the protobuf body does not start with k8s\\0');
  const unknown = fields(body.subarray(4));
  const typeMeta = one(unknown, 1);
  const tm = typeMeta ? fields(bytesOf(typeMeta)) : [];
  const apiVersion = one(tm, 1);
  const kind = one(tm, 2);
  const kindName = kind ? text(kind) : '';
  const decode = kinds[kindName];
  if (!decode) {
    throw badRequest(
      `the emulator decodes protobuf bodies of ${Object.keys(kinds).join(', ')} only, not ${kindName || 'this object'}; send it as application/json`,
    );
  }
  const raw = one(unknown, 2);
  const object = fields(raw ? bytesOf(raw) : Buffer.alloc(0));
  const metadata = one(object, 1);
  return {
    apiVersion: apiVersion ? text(apiVersion) : 'v1',
    kind: kindName,
    metadata: metadata ? objectMeta(bytesOf(metadata)) : {},
    ...decode(object),
  };
}
