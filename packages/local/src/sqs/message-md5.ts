// The MD5 digests SQS returns: of the body, and of message attributes in AWS's documented binary encoding.

import { createHash, type Hash } from 'node:crypto';

/** A message attribute as the JSON protocol carries it (`BinaryValue` is base64). */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** Hex MD5 of the UTF-8 body; the SDK recomputes it on receive and throws on a mismatch. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

function lengthPrefixed(hash: Hash, bytes: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length);
  hash.update(bytes);
}

/**
 * Hex MD5 of message attributes: for each name in sorted order, the 4-byte big-endian length and bytes of the name,
 * of the data type, one transport byte (1 string, 2 binary), then the length and bytes of the value.
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): string {
  const hash = createHash('md5');
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name] as MessageAttributeValue;
    lengthPrefixed(hash, Buffer.from(name, 'utf8'));
    lengthPrefixed(hash, Buffer.from(value.DataType, 'utf8'));
    if (value.DataType.startsWith('Binary')) {
      hash.update(Buffer.of(2));
      lengthPrefixed(hash, Buffer.from(value.BinaryValue ?? '', 'base64'));
    } else {
      hash.update(Buffer.of(1));
      lengthPrefixed(hash, Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

/** Bytes SQS counts towards the size limit: body plus each attribute's name, data type and value. */
export function messageSize(body: string, attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    size += value.DataType.startsWith('Binary')
      ? Buffer.from(value.BinaryValue ?? '', 'base64').length
      : Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}
