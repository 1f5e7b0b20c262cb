// The MD5 digests of bodies and message attributes match values other SQS implementations check against.

import { describe, expect, it } from 'vitest';
import { md5OfBody, md5OfMessageAttributes } from '../../src/sqs/index.js';

describe('SQS message MD5s', () => {
  it('hashes the UTF-8 body', () => {
    expect(md5OfBody('routed')).toBe('81c909ac84c0649471c23e3af9be1d58');
  });

  it('hashes attributes sorted by name in the length-prefixed encoding (published vectors)', () => {
    // Vectors from public SQS emulators' tests, which were checked against the AWS SDKs' verification.
    expect(
      md5OfMessageAttributes({
        ordinal: { DataType: 'Number', StringValue: '1' },
        category: { DataType: 'String', StringValue: 'test' },
      }),
    ).toBe('d21ae90c49061e927f57df5f5d72be1f');
    expect(md5OfMessageAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } })).toBe(
      '235c5c510d26fb653d073faed50ae77c',
    );
  });
});
