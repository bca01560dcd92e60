import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eventTypes, ValidationError } from '@faasport/core';
import type { Broker, SettingsSource } from './broker';
import type { Store } from './store';

const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks a bucket name and object key; throws a ValidationError naming the rule. */
export function checkObjectName(bucket: string, key: string): void {
  const issues = [];
  if (!bucketName.test(bucket)) {
    issues.push({
      path: 'bucket',
      message: `${JSON.stringify(bucket)} is not a bucket name (3-63 lowercase letters, digits, "." and "-")`,
      rule: 'bucket-name',
    });
  }
  if (
    key === '' ||
    key.length > 1024 ||
    key.startsWith('/') ||
    key.includes('\0') ||
    key.includes('\\') ||
    key.split('/').some((p) => p === '..' || p === '.')
  ) {
    issues.push({
      path: 'key',
      message: `${JSON.stringify(key.slice(0, 100))} is not an object key (1-1024 characters, relative, no "." or ".." segments)`,
      rule: 'object-key',
    });
  }
  if (issues.length) throw new ValidationError(issues);
}

/**
 * Local buckets: objects stored under `buckets/<bucket>/<sha256 of key>` (so no key can name a path
 * outside the folder), metadata in SQLite. Writes and deletes emit storage events to functions
 * whose `storage` triggers match the bucket, event, prefix and suffix.
 */
export class Buckets {
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly store: Store,
    private readonly broker: Broker,
    private readonly settings: SettingsSource,
  ) {
    this.root = path.join(dataDir, 'buckets');
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  private fileOf(bucket: string, key: string): string {
    return path.join(this.root, bucket, createHash('sha256').update(key).digest('hex'));
  }

  /** Stores an object and queues its `created` events atomically with the metadata. */
  put(
    bucket: string,
    key: string,
    data: Uint8Array,
    contentType?: string,
  ): { bucket: string; key: string; size: number; etag: string; deliveries: string[] } {
    checkObjectName(bucket, key);
    const file = this.fileOf(bucket, key);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomUUID()}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
    const etag = createHash('md5').update(data).digest('hex');
    const deliveries = this.store.transaction(() => {
      this.store.putObject(bucket, key, data.length, etag, contentType);
      return this.emit('created', bucket, key, { size: data.length, etag, contentType });
    });
    this.broker.kick();
    return { bucket, key, size: data.length, etag, deliveries };
  }

  get(bucket: string, key: string): { data: Buffer; contentType?: string; etag: string } | undefined {
    checkObjectName(bucket, key);
    const meta = this.store.getObject(bucket, key);
    if (!meta) return undefined;
    try {
      return {
        data: fs.readFileSync(this.fileOf(bucket, key)),
        contentType: meta.contentType,
        etag: meta.etag,
      };
    } catch {
      return undefined;
    }
  }

  delete(bucket: string, key: string): boolean {
    checkObjectName(bucket, key);
    const existed = this.store.transaction(() => {
      const gone = this.store.deleteObject(bucket, key);
      if (gone) this.emit('deleted', bucket, key, {});
      return gone;
    });
    if (existed) {
      fs.rmSync(this.fileOf(bucket, key), { force: true });
      this.broker.kick();
    }
    return existed;
  }

  list(bucket: string, prefix = '') {
    return this.store.listObjects(bucket, prefix);
  }

  private emit(
    kind: 'created' | 'deleted',
    bucket: string,
    key: string,
    info: Record<string, unknown>,
  ): string[] {
    const deliveries: string[] = [];
    const id = `storage:${bucket}:${key}:${kind}:${randomUUID()}`;
    for (const { name, settings } of this.settings()) {
      for (const trigger of settings.triggers) {
        if (trigger.kind !== 'storage' || trigger.bucket !== bucket || !trigger.events.includes(kind))
          continue;
        if (trigger.prefix && !key.startsWith(trigger.prefix)) continue;
        if (trigger.suffix && !key.endsWith(trigger.suffix)) continue;
        this.broker.enqueue(settings, trigger.name, {
          specversion: '1.0',
          id,
          source: `/faasport/buckets/${bucket}`,
          type: kind === 'created' ? eventTypes.storageCreated : eventTypes.storageDeleted,
          subject: key,
          time: new Date().toISOString(),
          datacontenttype: 'application/json',
          data: { bucket, key, event: kind, ...info },
        });
        deliveries.push(`${name}/${trigger.name}`);
      }
    }
    return deliveries;
  }
}
