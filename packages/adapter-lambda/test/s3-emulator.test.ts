/**
 * The Lambda emulator's S3 as real clients use it: @aws-sdk/client-s3 and the aws CLI write, read, range,
 * list, copy and delete objects, with S3's answers and error codes; and a function triggered by an object
 * write reads that object back through the emulator.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketCorsCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketCorsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { defineFunction, deploy } from '@faasport/core';
import { type LambdaEmulator, startLambdaEmulator } from '@faasport/emulators/lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaAdapter } from '../src';
import { hasAwsCli, hasBoto3 } from './moto';

const run = promisify(execFile);
let emulator: LambdaEmulator;
let s3: S3Client;
let dir: string;

beforeAll(async () => {
  emulator = await startLambdaEmulator();
  s3 = new S3Client({
    region: emulator.region,
    endpoint: emulator.url,
    forcePathStyle: true,
    credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: emulator.secretAccessKey },
  });
  dir = mkdtempSync(join(tmpdir(), 'faasport-s3-emu-'));
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The S3 error a call failed with: its code and HTTP status. */
async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(S3ServiceException);
  const e = error as S3ServiceException;
  return { code: e.name, status: e.$metadata.httpStatusCode };
}

describe('S3 on the Lambda emulator, through @aws-sdk/client-s3', () => {
  it('gives an object back with its bytes, content type, metadata and validators; one range as 206', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'docs' }));
    const bytes = new Uint8Array(Array.from({ length: 300 }, (_, i) => i % 256));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'docs',
        Key: 'reports/q1 final.bin',
        Body: bytes,
        ContentType: 'application/x-report',
        CacheControl: 'max-age=60',
        Metadata: { Owner: 'finance', run: '7' },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'reports/q1 final.bin' }));
    expect(new Uint8Array(await got.Body!.transformToByteArray())).toEqual(bytes);
    expect(got).toMatchObject({
      ContentType: 'application/x-report',
      CacheControl: 'max-age=60',
      ContentLength: 300,
      ETag: put.ETag,
      AcceptRanges: 'bytes',
      Metadata: { owner: 'finance', run: '7' },
    });
    expect(got.LastModified).toBeInstanceOf(Date);

    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: 'docs', Key: 'reports/q1 final.bin', Range: 'bytes=10-19' }),
    );
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(ranged.ContentRange).toBe('bytes 10-19/300');
    expect(new Uint8Array(await ranged.Body!.transformToByteArray())).toEqual(bytes.subarray(10, 20));
    const tail = await s3.send(
      new GetObjectCommand({ Bucket: 'docs', Key: 'reports/q1 final.bin', Range: 'bytes=-5' }),
    );
    expect(tail.ContentRange).toBe('bytes 295-299/300');
    expect(
      await failure(
        s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'reports/q1 final.bin', Range: 'bytes=300-' })),
      ),
    ).toEqual({
      code: 'InvalidRange',
      status: 416,
    });

    // Preconditions: If-Match fails with 412, If-None-Match on the same ETag is 304.
    expect(
      await failure(
        s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'reports/q1 final.bin', IfMatch: '"0000"' })),
      ),
    ).toMatchObject({ status: 412 });
    expect(
      await failure(
        s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'reports/q1 final.bin', IfNoneMatch: put.ETag })),
      ),
    ).toMatchObject({ status: 304 });
    const fresh = await s3.send(
      new GetObjectCommand({ Bucket: 'docs', Key: 'reports/q1 final.bin', IfModifiedSince: new Date(0) }),
    );
    expect(fresh.ContentLength).toBe(300);

    // response-* overrides, as a presigned download sets them.
    const renamed = await s3.send(
      new GetObjectCommand({
        Bucket: 'docs',
        Key: 'reports/q1 final.bin',
        ResponseContentDisposition: 'attachment; filename="q1.bin"',
      }),
    );
    expect(renamed.ContentDisposition).toBe('attachment; filename="q1.bin"');
    await renamed.Body?.transformToByteArray();
  });

  it('answers HeadObject without a body, and names missing keys and buckets with S3 codes', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'plain', Body: 'x' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'plain' }));
    // The SDK labels a body it was given no type for; S3 keeps what was sent.
    expect(head).toMatchObject({ ContentLength: 1, ContentType: 'application/octet-stream' });
    // HEAD has no body, so the SDK names the status: NotFound.
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'absent' })))).toEqual({
      code: 'NotFound',
      status: 404,
    });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'absent' })))).toEqual({
      code: 'NoSuchKey',
      status: 404,
    });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'nobucket', Key: 'a' })))).toEqual({
      code: 'NoSuchBucket',
      status: 404,
    });
    await s3.send(new HeadBucketCommand({ Bucket: 'docs' }));
    expect(await failure(s3.send(new HeadBucketCommand({ Bucket: 'nobucket' })))).toMatchObject({
      status: 404,
    });
  });

  it('lists keys in order with prefix, delimiter and pages that join up', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'tree' }));
    const keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd e', 'z'];
    for (const Key of [...keys].reverse())
      await s3.send(new PutObjectCommand({ Bucket: 'tree', Key, Body: Key }));
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'tree' }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(keys);
    expect(all).toMatchObject({ KeyCount: 7, IsTruncated: false, MaxKeys: 1000 });
    expect(all.Contents?.[0]).toMatchObject({
      Size: 3,
      StorageClass: 'STANDARD',
      ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
    });

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['c', 'd e', 'z']);
    const underA = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'a/', Delimiter: '/' }));
    expect(underA.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    expect(underA.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/']);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', StartAfter: 'b/1' }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['c', 'd e', 'z']);

    // Two entries a page, a rolled-up prefix counting as one: the pages hold every entry exactly once.
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2(
      { client: s3, pageSize: 2 },
      { Bucket: 'tree', Delimiter: '/' },
    ))
      pages.push([
        ...(page.Contents ?? []).map((c) => c.Key!),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      ]);
    expect(pages).toEqual([['a/', 'b/'], ['c', 'd e'], ['z']]);
    expect(
      await failure(s3.send(new ListObjectsV2Command({ Bucket: 'tree', ContinuationToken: 'nonsense' }))),
    ).toEqual({
      code: 'InvalidArgument',
      status: 400,
    });
  });

  it('copies with metadata kept or replaced, deletes many at once, and deletes only an empty bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'copies' }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'copies',
        Key: 'src',
        Body: 'original',
        ContentType: 'text/plain',
        Metadata: { a: '1' },
      }),
    );
    const copied = await s3.send(
      new CopyObjectCommand({ Bucket: 'copies', Key: 'kept', CopySource: 'copies/src' }),
    );
    expect(copied.CopyObjectResult?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const kept = await s3.send(new GetObjectCommand({ Bucket: 'copies', Key: 'kept' }));
    expect(await kept.Body!.transformToString()).toBe('original');
    expect(kept).toMatchObject({ ContentType: 'text/plain', Metadata: { a: '1' } });
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'copies',
        Key: 'replaced',
        CopySource: 'copies/src',
        MetadataDirective: 'REPLACE',
        ContentType: 'application/json',
        Metadata: { b: '2' },
      }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'copies', Key: 'replaced' }));
    expect(replaced).toMatchObject({ ContentType: 'application/json', Metadata: { b: '2' } });
    expect(
      await failure(
        s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'src', CopySource: 'copies/src' })),
      ),
    ).toEqual({
      code: 'InvalidRequest',
      status: 400,
    });
    expect(
      await failure(
        s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'x', CopySource: 'copies/absent' })),
      ),
    ).toEqual({
      code: 'NoSuchKey',
      status: 404,
    });

    expect(await failure(s3.send(new DeleteBucketCommand({ Bucket: 'copies' })))).toEqual({
      code: 'BucketNotEmpty',
      status: 409,
    });
    const removed = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'copies',
        Delete: { Objects: [{ Key: 'src' }, { Key: 'kept' }, { Key: 'replaced' }, { Key: 'never-there' }] },
      }),
    );
    expect(removed.Deleted?.map((d) => d.Key)).toEqual(['src', 'kept', 'replaced', 'never-there']);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'copies' }))).KeyCount).toBe(0);
    await s3.send(new DeleteBucketCommand({ Bucket: 'copies' }));
    expect(await failure(s3.send(new HeadBucketCommand({ Bucket: 'copies' })))).toMatchObject({
      status: 404,
    });
  });

  it('builds an object from a multipart upload: parts listed, ETag of the parts, headers from the start', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    const started = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'uploads',
        Key: 'big/archive.bin',
        ContentType: 'application/x-archive',
        Metadata: { build: '42' },
      }),
    );
    const uploadId = started.UploadId!;
    expect(started).toMatchObject({ Bucket: 'uploads', Key: 'big/archive.bin' });
    const mib = 1024 * 1024;
    const bodies = [
      new Uint8Array(5 * mib).fill(1),
      new Uint8Array(5 * mib + 3).fill(2),
      new Uint8Array(1000).fill(3),
    ];
    const etags: string[] = [];
    for (const [i, body] of bodies.entries()) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: 'uploads',
          Key: 'big/archive.bin',
          UploadId: uploadId,
          PartNumber: i + 1,
          Body: body,
        }),
      );
      expect(part.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
      etags.push(part.ETag!);
    }
    // A part copied from a range of an object; a range past the object's end is refused.
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'source.txt', Body: 'abcdefghij' }));
    const scratch = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'scratch' }));
    const copiedPart = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'uploads',
        Key: 'scratch',
        UploadId: scratch.UploadId,
        PartNumber: 1,
        CopySource: 'uploads/source.txt',
        CopySourceRange: 'bytes=2-5',
      }),
    );
    expect(copiedPart.CopyPartResult?.ETag).toBe(`"${createHash('md5').update('cdef').digest('hex')}"`);
    expect(
      await failure(
        s3.send(
          new UploadPartCopyCommand({
            Bucket: 'uploads',
            Key: 'scratch',
            UploadId: scratch.UploadId,
            PartNumber: 2,
            CopySource: 'uploads/source.txt',
            CopySourceRange: 'bytes=5-10',
          }),
        ),
      ),
    ).toEqual({ code: 'InvalidArgument', status: 400 });
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: 'uploads', Key: 'scratch', UploadId: scratch.UploadId }),
    );
    await s3.send(
      new DeleteObjectsCommand({ Bucket: 'uploads', Delete: { Objects: [{ Key: 'source.txt' }] } }),
    );
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: 'uploads', Key: 'big/archive.bin', UploadId: uploadId, MaxParts: 2 }),
    );
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, 5 * mib, etags[0]],
      [2, 5 * mib + 3, etags[1]],
    ]);
    expect(listed).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2' });
    // Nothing is an object until the upload completes.
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'uploads' }))).KeyCount).toBe(0);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'uploads',
        Key: 'big/archive.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    // S3's multipart ETag: the MD5 of the parts' binary MD5s, "-", the part count.
    const digests = Buffer.concat(bodies.map((b) => createHash('md5').update(b).digest()));
    const etag = `"${createHash('md5').update(digests).digest('hex')}-3"`;
    expect(done).toMatchObject({ Bucket: 'uploads', Key: 'big/archive.bin', ETag: etag });
    expect(done.Location).toMatch(/\/uploads\/big\/archive\.bin$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'big/archive.bin' }));
    const bytes = await got.Body!.transformToByteArray();
    expect(bytes.length).toBe(10 * mib + 1003);
    expect(Buffer.from(bytes).equals(Buffer.concat(bodies))).toBe(true);
    expect(got).toMatchObject({
      ETag: etag,
      ContentType: 'application/x-archive',
      Metadata: { build: '42' },
    });
    // A completed upload is gone.
    expect(
      await failure(
        s3.send(new ListPartsCommand({ Bucket: 'uploads', Key: 'big/archive.bin', UploadId: uploadId })),
      ),
    ).toEqual({ code: 'NoSuchUpload', status: 404 });
  });

  it('refuses a completion that S3 refuses, and changes nothing; uploads in progress are listed, aborted ones gone', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'refusals' }));
    const key = 'r.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'refusals', Key: key }));
    const put = async (PartNumber: number, size: number) =>
      (
        await s3.send(
          new UploadPartCommand({
            Bucket: 'refusals',
            Key: key,
            UploadId,
            PartNumber,
            Body: new Uint8Array(size),
          }),
        )
      ).ETag!;
    const small = await put(1, 1024);
    const last = await put(2, 10);
    const complete = (Parts: Array<{ ETag: string; PartNumber: number }>) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'refusals',
          Key: key,
          UploadId,
          MultipartUpload: { Parts },
        }),
      );
    // Every part but the last holds at least 5 MiB.
    expect(
      await failure(
        complete([
          { ETag: small, PartNumber: 1 },
          { ETag: last, PartNumber: 2 },
        ]),
      ),
    ).toEqual({
      code: 'EntityTooSmall',
      status: 400,
    });
    expect(
      await failure(
        complete([
          { ETag: last, PartNumber: 2 },
          { ETag: small, PartNumber: 1 },
        ]),
      ),
    ).toEqual({
      code: 'InvalidPartOrder',
      status: 400,
    });
    expect(await failure(complete([{ ETag: '"0123456789abcdef0123456789abcdef"', PartNumber: 1 }]))).toEqual({
      code: 'InvalidPart',
      status: 400,
    });
    expect(
      await failure(
        s3.send(
          new UploadPartCommand({ Bucket: 'refusals', Key: key, UploadId, PartNumber: 10_001, Body: 'x' }),
        ),
      ),
    ).toEqual({ code: 'InvalidArgument', status: 400 });
    // The refusals changed nothing: both parts are there, and no object was written.
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'refusals', Key: key, UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 1024],
      [2, 10],
    ]);
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'refusals', Key: key })))).toMatchObject({
      status: 404,
    });
    // A single part of any size completes.
    const one = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'refusals', Key: 'one.bin' }));
    const only = await s3.send(
      new UploadPartCommand({
        Bucket: 'refusals',
        Key: 'one.bin',
        UploadId: one.UploadId,
        PartNumber: 1,
        Body: 'tiny',
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'refusals',
        Key: 'one.bin',
        UploadId: one.UploadId,
        MultipartUpload: { Parts: [{ ETag: only.ETag!, PartNumber: 1 }] },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'refusals', Key: 'one.bin' }));
    expect(await got.Body!.transformToString()).toBe('tiny');
    // The upload in progress is listed, under its key; the completed one is not.
    const second = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'refusals', Key: 'sub/x.bin' }));
    const inProgress = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'refusals' }));
    expect(inProgress.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      [key, UploadId],
      ['sub/x.bin', second.UploadId],
    ]);
    const paged = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'refusals', MaxUploads: 1 }));
    expect(paged).toMatchObject({ IsTruncated: true, NextKeyMarker: key, NextUploadIdMarker: UploadId });
    const next = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: 'refusals',
        KeyMarker: paged.NextKeyMarker,
        UploadIdMarker: paged.NextUploadIdMarker,
        Delimiter: '/',
      }),
    );
    expect(next.Uploads ?? []).toEqual([]);
    expect(next.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['sub/']);
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: 'refusals', Key: 'sub/x.bin', UploadId: second.UploadId }),
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'refusals', Key: key, UploadId }));
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'refusals' }))).Uploads ?? []).toEqual(
      [],
    );
    expect(await failure(s3.send(new ListPartsCommand({ Bucket: 'refusals', Key: key, UploadId })))).toEqual({
      code: 'NoSuchUpload',
      status: 404,
    });
    expect(
      await failure(s3.send(new AbortMultipartUploadCommand({ Bucket: 'refusals', Key: key, UploadId }))),
    ).toEqual({ code: 'NoSuchUpload', status: 404 });
  });

  it('keeps tags on objects (written, replaced, copied, counted) and on buckets, refusing what S3 refuses', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'tagged' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'tagged', Key: 'k', Body: 'v', Tagging: 'team=core&note=a b' }),
    );
    const tagsOf = async (Key: string) =>
      (await s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key }))).TagSet?.map((t) => [
        t.Key,
        t.Value,
      ]);
    expect(await tagsOf('k')).toEqual([
      ['team', 'core'],
      ['note', 'a b'],
    ]);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'tagged', Key: 'k' }))).TagCount).toBe(2);
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'tagged',
        Key: 'k',
        Tagging: { TagSet: [{ Key: 'env', Value: 'prod' }] },
      }),
    );
    expect(await tagsOf('k')).toEqual([['env', 'prod']]);
    // Refused, and the tags stay as they were.
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `t${i}`, Value: String(i) }));
    expect(
      await failure(
        s3.send(new PutObjectTaggingCommand({ Bucket: 'tagged', Key: 'k', Tagging: { TagSet: eleven } })),
      ),
    ).toEqual({ code: 'BadRequest', status: 400 });
    const twice = [
      { Key: 'a', Value: '1' },
      { Key: 'a', Value: '2' },
    ];
    expect(
      await failure(
        s3.send(new PutObjectTaggingCommand({ Bucket: 'tagged', Key: 'k', Tagging: { TagSet: twice } })),
      ),
    ).toEqual({ code: 'InvalidTag', status: 400 });
    expect(await tagsOf('k')).toEqual([['env', 'prod']]);
    // A copy keeps the source's tags unless told to replace them.
    await s3.send(new CopyObjectCommand({ Bucket: 'tagged', Key: 'copy', CopySource: 'tagged/k' }));
    expect(await tagsOf('copy')).toEqual([['env', 'prod']]);
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'tagged',
        Key: 'copy2',
        CopySource: 'tagged/k',
        TaggingDirective: 'REPLACE',
        Tagging: 'c=3',
      }),
    );
    expect(await tagsOf('copy2')).toEqual([['c', '3']]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'tagged', Key: 'k' }));
    expect(await tagsOf('k')).toEqual([]);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'tagged', Key: 'k' }))).TagCount).toBeUndefined();
    expect(await failure(s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'none' })))).toEqual({
      code: 'NoSuchKey',
      status: 404,
    });
    // Bucket tags: none until put, then as put, and none again after removal.
    expect(await failure(s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' })))).toEqual({
      code: 'NoSuchTagSet',
      status: 404,
    });
    await s3.send(
      new PutBucketTaggingCommand({ Bucket: 'tagged', Tagging: { TagSet: [{ Key: 'cost', Value: 'x' }] } }),
    );
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' }))).TagSet).toEqual([
      { Key: 'cost', Value: 'x' },
    ]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'tagged' }));
    expect(await failure(s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' })))).toMatchObject({
      code: 'NoSuchTagSet',
    });
  });

  it('keeps versions once versioning is on: delete markers, reads and removals by id, listings, suspension', async () => {
    const Bucket = 'versioned';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const put = (Body: string) => s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body }));
    const read = async (VersionId?: string) =>
      (await s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId }))).Body!.transformToString();
    expect((await put('before')).VersionId).toBeUndefined();
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    const v1 = (await put('one')).VersionId!;
    const v2 = (await put('two')).VersionId!;
    expect(v1).toMatch(/^\w+$/);
    expect(v2).not.toBe(v1);
    expect(await read()).toBe('two');
    expect(await read(v1)).toBe('one');
    // What was there before versioning is version "null".
    expect(await read('null')).toBe('before');
    const removed = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'doc' }));
    expect(removed.DeleteMarker).toBe(true);
    const marker = removed.VersionId!;
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'doc' })))).toEqual({
      code: 'NoSuchKey',
      status: 404,
    });
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId: marker }))),
    ).toMatchObject({
      status: 405,
    });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId: 'nope' })))).toEqual({
      code: 'NoSuchVersion',
      status: 404,
    });
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(0);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[marker, true]]);
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
      [v2, false, 3],
      [v1, false, 3],
      ['null', false, 6],
    ]);
    // Paging: two entries, then the rest from the markers.
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 2 }));
    expect(page).toMatchObject({ IsTruncated: true, NextKeyMarker: 'doc', NextVersionIdMarker: v2 });
    const rest = await s3.send(
      new ListObjectVersionsCommand({ Bucket, KeyMarker: 'doc', VersionIdMarker: page.NextVersionIdMarker }),
    );
    expect(rest.Versions?.map((v) => v.VersionId)).toEqual([v1, 'null']);
    // Removing the marker brings the object back; removing a version by id removes it for good.
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'doc', VersionId: marker }));
    expect(await read()).toBe('two');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'doc', VersionId: v2 }));
    expect(await read()).toBe('one');
    // A copy of an older version is a new version, naming its source's.
    const copied = await s3.send(
      new CopyObjectCommand({ Bucket, Key: 'doc', CopySource: `${Bucket}/doc?versionId=null` }),
    );
    expect(copied.CopySourceVersionId).toBe('null');
    expect(await read()).toBe('before');
    expect(await failure(s3.send(new DeleteBucketCommand({ Bucket })))).toEqual({
      code: 'BucketNotEmpty',
      status: 409,
    });
    // Suspended: new writes are version "null", replacing the old one.
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }),
    );
    expect((await put('suspended')).VersionId).toBe('null');
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(after.Versions?.map((v) => v.VersionId)).toEqual(['null', copied.VersionId, v1]);
    expect(await read('null')).toBe('suspended');
    // DeleteObjects by version id empties the bucket, which can then go.
    const all = (await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions!;
    const many = await s3.send(
      new DeleteObjectsCommand({
        Bucket,
        Delete: { Objects: all.map((v) => ({ Key: v.Key!, VersionId: v.VersionId })) },
      }),
    );
    expect(many.Deleted?.map((d) => d.VersionId)).toEqual(all.map((v) => v.VersionId));
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions).toBeUndefined();
    await s3.send(new DeleteBucketCommand({ Bucket }));
  });

  it("answers browsers' CORS preflights and requests by the bucket's CORS rules", async () => {
    const Bucket = 'cors-site';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'page.txt', Body: 'shared' }));
    const preflight = (origin: string, method: string, headers?: string) =>
      fetch(`${emulator.url}/${Bucket}/page.txt`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          ...(headers ? { 'access-control-request-headers': headers } : {}),
        },
      });
    // No configuration: no cross-origin access.
    expect((await preflight('http://app.test', 'GET')).status).toBe(403);
    expect(await failure(s3.send(new GetBucketCorsCommand({ Bucket })))).toEqual({
      code: 'NoSuchCORSConfiguration',
      status: 404,
    });
    await s3.send(
      new PutBucketCorsCommand({
        Bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: ['http://*.app.test'],
              AllowedMethods: ['GET', 'PUT'],
              AllowedHeaders: ['content-type', 'x-amz-*'],
              ExposeHeaders: ['ETag'],
              MaxAgeSeconds: 600,
            },
          ],
        },
      }),
    );
    expect((await s3.send(new GetBucketCorsCommand({ Bucket }))).CORSRules?.[0]).toMatchObject({
      AllowedOrigins: ['http://*.app.test'],
      AllowedMethods: ['GET', 'PUT'],
      MaxAgeSeconds: 600,
    });
    const allowed = await preflight('http://www.app.test', 'PUT', 'Content-Type, X-Amz-Meta-Owner');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://www.app.test');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('Content-Type, X-Amz-Meta-Owner');
    expect(allowed.headers.get('access-control-max-age')).toBe('600');
    // Another origin, a method or a header the rule does not allow.
    expect((await preflight('http://evil.test', 'GET')).status).toBe(403);
    expect((await preflight('http://www.app.test', 'DELETE')).status).toBe(403);
    expect((await preflight('http://www.app.test', 'PUT', 'authorization-extra')).status).toBe(403);
    await s3.send(new DeleteBucketCorsCommand({ Bucket }));
    expect((await preflight('http://www.app.test', 'GET')).status).toBe(403);
  });

  it('lists objects the v1 way: markers, NextMarker with a delimiter, rolled-up prefixes, URL-encoded keys', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'list-v1' }));
    for (const key of ['a.txt', 'b/1.txt', 'b/2.txt', 'c d.txt', 'e/1.txt'])
      await s3.send(new PutObjectCommand({ Bucket: 'list-v1', Key: key, Body: key }));
    const page1 = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Delimiter: '/', MaxKeys: 2 }));
    expect(page1.Contents?.map((c) => c.Key)).toEqual(['a.txt']);
    expect(page1.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/']);
    expect(page1).toMatchObject({ IsTruncated: true, NextMarker: 'b/', MaxKeys: 2, Delimiter: '/' });
    expect(page1.Contents?.[0]).toMatchObject({
      Size: 5,
      ETag: `"${createHash('md5').update('a.txt').digest('hex')}"`,
    });
    const page2 = await s3.send(
      new ListObjectsCommand({ Bucket: 'list-v1', Delimiter: '/', MaxKeys: 2, Marker: page1.NextMarker }),
    );
    expect(page2.Contents?.map((c) => c.Key)).toEqual(['c d.txt']);
    expect(page2.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['e/']);
    expect(page2.IsTruncated).toBe(false);
    // Without a delimiter there is no NextMarker: the last key is the next marker.
    const flat = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', MaxKeys: 3 }));
    expect(flat.Contents?.map((c) => c.Key)).toEqual(['a.txt', 'b/1.txt', 'b/2.txt']);
    expect(flat.NextMarker).toBeUndefined();
    const rest = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Marker: 'b/2.txt', Prefix: '' }));
    expect(rest.Contents?.map((c) => c.Key)).toEqual(['c d.txt', 'e/1.txt']);
    const encoded = await s3.send(
      new ListObjectsCommand({ Bucket: 'list-v1', Prefix: 'c', EncodingType: 'url' }),
    );
    // The JS SDK hands url-encoded keys over as S3 sent them (botocore decodes them with unquote_plus).
    expect(encoded.Contents?.map((c) => c.Key)).toEqual(['c+d.txt']);
    expect(encoded.EncodingType).toBe('url');
    expect(await failure(s3.send(new ListObjectsCommand({ Bucket: 'nope-v1' })))).toEqual({
      code: 'NoSuchBucket',
      status: 404,
    });
  });

  it('lets a function triggered by an object write read that object back with the SDK', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = emulator.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = emulator.secretAccessKey;
    try {
      const adapter = createLambdaAdapter({
        region: emulator.region,
        endpoint: emulator.url,
        role: `arn:aws:iam::${emulator.accountId}:role/fn`,
      });
      await s3.send(new CreateBucketCommand({ Bucket: 'inbox' }));
      // Lambda's Node.js runtimes carry the AWS SDK; here the function imports this repository's copy. It
      // configures nothing: region, keys and endpoint come from the variables the emulator sets, as a
      // function on Lambda gets its region and role keys from Lambda's.
      const reader = `export default async (event, ctx) => {
        const { S3Client, GetObjectCommand } = await import(ctx.env.S3_SDK);
        const s3 = new S3Client({});
        const got = await s3.send(new GetObjectCommand({ Bucket: event.data.bucket, Key: event.data.key }));
        return { text: await got.Body.transformToString(), type: got.ContentType };
      };\n`;
      await deploy(
        adapter,
        defineFunction({
          name: 'reader',
          runtime: 'nodejs22',
          contract: 'event',
          source: { inline: reader },
          env: { S3_SDK: pathToFileURL(createRequire(import.meta.url).resolve('@aws-sdk/client-s3')).href },
          triggers: [{ storage: { bucket: 'inbox', prefix: 'letters/' } }],
        }),
      );
      const [delivery, ...more] = await emulator.putObject('inbox', 'letters/to you.txt', 'dear reader');
      expect(more).toEqual([]);
      expect(delivery?.error).toBeUndefined();
      expect(JSON.parse(delivery!.result)).toEqual({ text: 'dear reader', type: 'binary/octet-stream' });
    } finally {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });
});

describe.skipIf(!hasAwsCli)(
  `S3 on the Lambda emulator, through the aws CLI${hasAwsCli ? '' : ' (skipped: the aws CLI is not installed)'}`,
  () => {
    const awsCli = (...args: string[]) =>
      run('aws', ['--endpoint-url', emulator.url, ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: emulator.accessKeyId,
          AWS_SECRET_ACCESS_KEY: emulator.secretAccessKey,
          AWS_DEFAULT_REGION: emulator.region,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
        timeout: 60_000,
      });

    it('copies a file up and down, lists it, reads one range and removes it', async () => {
      await awsCli('s3api', 'create-bucket', '--bucket', 'cli-bucket');
      const file = join(dir, 'hello world.txt');
      writeFileSync(file, 'hello from the aws CLI\n');
      await awsCli('s3', 'cp', file, 's3://cli-bucket/in/hello world.txt');
      const listed = await awsCli('s3', 'ls', 's3://cli-bucket/in/');
      expect(listed.stdout).toMatch(/\s23 hello world\.txt\n$/);
      const down = join(dir, 'down.txt');
      await awsCli('s3', 'cp', 's3://cli-bucket/in/hello world.txt', down);
      expect(readFileSync(down, 'utf8')).toBe('hello from the aws CLI\n');
      const head = JSON.parse(
        (await awsCli('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'in/hello world.txt'))
          .stdout,
      );
      expect(head).toMatchObject({ ContentLength: 23, ContentType: 'text/plain' });
      const part = join(dir, 'part.txt');
      const ranged = JSON.parse(
        (
          await awsCli(
            's3api',
            'get-object',
            '--bucket',
            'cli-bucket',
            '--key',
            'in/hello world.txt',
            '--range',
            'bytes=6-9',
            part,
          )
        ).stdout,
      );
      expect(ranged.ContentRange).toBe('bytes 6-9/23');
      expect(readFileSync(part, 'utf8')).toBe('from');
      const objects = JSON.parse((await awsCli('s3api', 'list-objects-v2', '--bucket', 'cli-bucket')).stdout);
      expect(objects.Contents.map((c: { Key: string }) => c.Key)).toEqual(['in/hello world.txt']);
      await awsCli('s3', 'rm', 's3://cli-bucket/in/hello world.txt');
      const missing = await awsCli(
        's3api',
        'head-object',
        '--bucket',
        'cli-bucket',
        '--key',
        'in/hello world.txt',
      ).then(
        () => '',
        (e: { stderr: string }) => e.stderr,
      );
      expect(missing).toMatch(/404|Not Found/);
      await awsCli('s3', 'rb', 's3://cli-bucket');
    });

    it('serves presigned URLs (SigV4 and SigV2) from `aws s3 presign`; refused when tampered with or expired', async () => {
      await awsCli('s3api', 'create-bucket', '--bucket', 'cli-presign');
      await s3.send(
        new PutObjectCommand({
          Bucket: 'cli-presign',
          Key: 'shared/report one.txt',
          Body: 'for your eyes',
          ContentType: 'text/plain',
        }),
      );
      // awscli v1 signs presigned URLs with Signature Version 2 unless its configuration says s3v4.
      const config = join(dir, 'aws-s3v4.ini');
      writeFileSync(config, '[default]\ns3 =\n    signature_version = s3v4\n');
      const presign = async (configFile: string) =>
        (
          await run(
            'aws',
            [
              '--endpoint-url',
              emulator.url,
              's3',
              'presign',
              's3://cli-presign/shared/report one.txt',
              '--expires-in',
              '60',
            ],
            {
              env: {
                PATH: process.env.PATH,
                HOME: process.env.HOME,
                AWS_ACCESS_KEY_ID: emulator.accessKeyId,
                AWS_SECRET_ACCESS_KEY: emulator.secretAccessKey,
                AWS_DEFAULT_REGION: emulator.region,
                AWS_CONFIG_FILE: configFile,
                AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
              },
            },
          )
        ).stdout.trim();
      const urls = { v4: await presign(config), v2: await presign('/dev/null') };
      expect(urls.v4).toContain('X-Amz-Signature=');
      expect(urls.v2).toContain('AWSAccessKeyId=');
      for (const url of Object.values(urls)) {
        // Any HTTP client, no keys: a browser's fetch.
        const got = await fetch(url);
        expect(got.status).toBe(200);
        expect(await got.text()).toBe('for your eyes');
        expect(got.headers.get('content-type')).toBe('text/plain');
        const tampered = await fetch(url.replace('report%20one', 'report%20two'));
        expect(tampered.status).toBe(403);
        expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      }
      // The URLs last 60 s on the emulator's clock.
      await emulator.advanceClock(61_000);
      for (const url of Object.values(urls)) {
        const late = await fetch(url);
        expect(late.status).toBe(403);
        expect(await late.text()).toContain('<Code>AccessDenied</Code>');
      }
    });

    it('copies a 17 MB file up in parts, within S3 in parts and down again; list-objects (v1) sees it', async () => {
      await awsCli('s3api', 'create-bucket', '--bucket', 'cli-big');
      const file = join(dir, 'big.bin');
      // Over the CLI's 8 MB threshold: three parts of 8, 8 and 1 MB.
      const bytes = Buffer.alloc(17 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
      writeFileSync(file, bytes);
      await awsCli('s3', 'cp', file, 's3://cli-big/big.bin');
      const head = JSON.parse(
        (await awsCli('s3api', 'head-object', '--bucket', 'cli-big', '--key', 'big.bin')).stdout,
      );
      expect(head.ContentLength).toBe(bytes.length);
      expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
      const down = join(dir, 'big-down.bin');
      await awsCli('s3', 'cp', 's3://cli-big/big.bin', down);
      expect(readFileSync(down).equals(bytes)).toBe(true);
      const listed = JSON.parse((await awsCli('s3api', 'list-objects', '--bucket', 'cli-big')).stdout);
      expect(listed.Contents.map((c: { Key: string; Size: number }) => [c.Key, c.Size])).toEqual([
        ['big.bin', bytes.length],
      ]);
      // A copy within S3 over 8 MB goes in parts too, each copied from a range of the source (UploadPartCopy).
      await awsCli('s3', 'cp', 's3://cli-big/big.bin', 's3://cli-big/copy.bin');
      const copied = JSON.parse(
        (await awsCli('s3api', 'head-object', '--bucket', 'cli-big', '--key', 'copy.bin')).stdout,
      );
      expect(copied.ETag).toMatch(/-3"$/);
      const copyDown = join(dir, 'copy-down.bin');
      await awsCli('s3', 'cp', 's3://cli-big/copy.bin', copyDown);
      expect(readFileSync(copyDown).equals(bytes)).toBe(true);
      await awsCli('s3', 'rm', 's3://cli-big/copy.bin');
      await awsCli('s3', 'rm', 's3://cli-big/big.bin');
      await awsCli('s3', 'rb', 's3://cli-big');
    });
  },
);

describe.skipIf(!hasBoto3)(
  `S3 on the Lambda emulator, through boto3's presigners${hasBoto3 ? '' : ' (skipped: python3 has no boto3)'}`,
  () => {
    /**
     * Runs Python with `c`, a boto3 S3 client of the emulator (SigV4, path style), and returns what it prints.
     * Earlier tests advance the emulator's clock, so URLs here last an hour unless a test is about expiry.
     */
    const boto3 = async (code: string) =>
      (
        await run(
          'python3',
          [
            '-c',
            `import sys, json, boto3
from botocore.config import Config
c = boto3.client('s3', endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id=sys.argv[3], aws_secret_access_key=sys.argv[4], config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
${code}`,
            emulator.url,
            emulator.region,
            emulator.accessKeyId,
            emulator.secretAccessKey,
          ],
          { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
        )
      ).stdout.trim();

    it('takes an upload through a presigned PUT URL', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'py-put' }));
      const putUrl = await boto3(
        "print(c.generate_presigned_url('put_object', Params={'Bucket': 'py-put', 'Key': 'inbox/upload.txt'}, ExpiresIn=3600))",
      );
      const put = await fetch(putUrl, { method: 'PUT', body: 'uploaded by URL' });
      expect(put.status).toBe(200);
      const uploaded = await s3.send(new GetObjectCommand({ Bucket: 'py-put', Key: 'inbox/upload.txt' }));
      expect(await uploaded.Body!.transformToString()).toBe('uploaded by URL');
      // The URL names its key: another key is refused.
      const other = await fetch(putUrl.replace('upload.txt', 'other.txt'), { method: 'PUT', body: 'x' });
      expect(other.status).toBe(403);
    });

    it('gives a page of an allowed origin the CORS headers on a signed read, and none to another origin', async () => {
      const Bucket = 'py-cors';
      await s3.send(new CreateBucketCommand({ Bucket }));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'page.txt', Body: 'shared' }));
      await s3.send(
        new PutBucketCorsCommand({
          Bucket,
          CORSConfiguration: {
            CORSRules: [
              { AllowedOrigins: ['http://*.app.test'], AllowedMethods: ['GET'], ExposeHeaders: ['ETag'] },
            ],
          },
        }),
      );
      const signedUrl = await boto3(
        "print(c.generate_presigned_url('get_object', Params={'Bucket': 'py-cors', 'Key': 'page.txt'}, ExpiresIn=3600))",
      );
      const cross = await fetch(signedUrl, { headers: { origin: 'http://www.app.test' } });
      expect(await cross.text()).toBe('shared');
      expect(cross.headers.get('access-control-allow-origin')).toBe('http://www.app.test');
      expect(cross.headers.get('access-control-expose-headers')).toBe('ETag');
      const foreign = await fetch(signedUrl, { headers: { origin: 'http://evil.test' } });
      expect(foreign.status).toBe(200);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });

    it("takes a browser upload by a presigned POST (boto3's policy), refusing what the policy does not allow", async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'cli-post' }));
      const post = JSON.parse(
        await boto3(`print(json.dumps(c.generate_presigned_post('cli-post', 'uploads/\${filename}',
  Fields={'success_action_status': '201', 'Content-Type': 'text/plain'},
  Conditions=[['starts-with', '$key', 'uploads/'], ['content-length-range', 1, 100], {'success_action_status': '201'}, ['starts-with', '$Content-Type', 'text/']],
  ExpiresIn=300)))`),
      ) as { url: string; fields: Record<string, string> };
      expect(post.fields['x-amz-signature']).toMatch(/^[0-9a-f]{64}$/);
      // What a browser's form sends: the policy's fields, then the file.
      const upload = (fields: Record<string, string>, content: string) => {
        const form = new FormData();
        for (const [name, value] of Object.entries(fields)) form.append(name, value);
        form.append('file', new Blob([content]), 'note.txt');
        return fetch(post.url, { method: 'POST', body: form });
      };
      const created = await upload(post.fields, 'posted from a form');
      expect(created.status).toBe(201);
      const answer = await created.text();
      expect(answer).toContain('<Key>uploads/note.txt</Key>');
      const got = await s3.send(new GetObjectCommand({ Bucket: 'cli-post', Key: 'uploads/note.txt' }));
      expect(await got.Body!.transformToString()).toBe('posted from a form');
      expect(got.ContentType).toBe('text/plain');
      expect(answer).toContain(`<ETag>${got.ETag?.replace(/"/g, '&quot;')}</ETag>`);
      const refused = async (response: Promise<Response>) => {
        const r = await response;
        return { status: r.status, code: /<Code>([^<]+)<\/Code>/.exec(await r.text())?.[1] };
      };
      expect(await refused(upload(post.fields, 'x'.repeat(101)))).toEqual({
        status: 400,
        code: 'EntityTooLarge',
      });
      expect(await refused(upload({ ...post.fields, 'x-amz-meta-extra': 'no' }, 'x'))).toEqual({
        status: 403,
        code: 'AccessDenied',
      });
      expect(await refused(upload({ ...post.fields, 'Content-Type': 'image/png' }, 'x'))).toEqual({
        status: 403,
        code: 'AccessDenied',
      });
      const forged = Buffer.from(
        JSON.stringify({ expiration: '2099-01-01T00:00:00Z', conditions: [['starts-with', '$key', '']] }),
      ).toString('base64');
      expect(await refused(upload({ ...post.fields, policy: forged }, 'x'))).toEqual({
        status: 403,
        code: 'SignatureDoesNotMatch',
      });
      // The policy expires after 300 s on the emulator's clock.
      await emulator.advanceClock(301_000);
      expect(await refused(upload(post.fields, 'late'))).toEqual({ status: 403, code: 'AccessDenied' });
      // None of the refused uploads wrote anything.
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'cli-post' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['uploads/note.txt']);
    });
  },
);
