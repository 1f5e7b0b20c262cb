// Turns one line of the CDK CLI's output (`--progress events`) into a ToolkitEvent.

import { stripVTControlCharacters } from 'node:util';
import type { ToolkitEvent } from './cdk-toolkit.js';

const STACK_START = /^(\S+): (?:deploying|destroying)\.\.\. \[\d+\/\d+\]/;
const STACK_DONE = /^✅\s+(\S+?)(?::? \(no changes\)|: destroyed)?$/;
const STACK_FAILED = /^❌\s+(\S+?):? (?:destroy )?failed:? ?(.*)$/;
const ASSET = /^(?:\S+:\s+)?\[\d+%\] \w+: /;
const STATUS = /^[A-Z_]+(?: \(skipped\))?$/;
const RESOURCE_TYPE = /^[A-Za-z0-9]+::\S+$/;

/**
 * The event a line stands for. CloudFormation events look like
 * `<stack> | 3/12 | 10:15:02 AM | CREATE_COMPLETE | AWS::EC2::VPC | Network/Vpc (NetworkVpc1A2B) <reason>`
 * (the `3/12 |` column only while deploying); anything unrecognised is a `message`.
 */
export function parseCdkLine(raw: string): ToolkitEvent {
  const line = stripVTControlCharacters(raw).trim();
  const resource = parseResourceEvent(line);
  if (resource) return resource;
  const start = STACK_START.exec(line);
  if (start) return { type: 'stack-start', stack: start[1] as string };
  const done = STACK_DONE.exec(line);
  if (done)
    return { type: 'stack-done', stack: done[1] as string, ...(/no changes/.test(line) ? { noChanges: true } : {}) };
  const failed = STACK_FAILED.exec(line);
  if (failed) return { type: 'error', stack: failed[1] as string, text: line };
  if (ASSET.test(line)) return { type: 'asset', text: line };
  if (/^❌/.test(line) || /^Error:/.test(line)) return { type: 'error', text: line };
  return { type: 'message', text: line };
}

function parseResourceEvent(line: string): ToolkitEvent | undefined {
  const parts = line.split(' | ');
  // stack | [progress |] time | status | type | resource reason
  const offset = parts.length >= 6 && /^\d+\/\d+$/.test((parts[1] ?? '').trim()) ? 1 : 0;
  if (parts.length < 5 + offset) return undefined;
  const stack = (parts[0] ?? '').trim();
  const status = (parts[2 + offset] ?? '').trim();
  const resourceType = (parts[3 + offset] ?? '').trim();
  if (!STATUS.test(status) || !RESOURCE_TYPE.test(resourceType) || /\s/.test(stack)) return undefined;
  const rest = parts
    .slice(4 + offset)
    .join(' | ')
    .trim();
  // `Network/Vpc (NetworkVpc1A2B) reason`: the construct path, the logical id when it differs, then the reason.
  const match = /^(\S+)(?: \(\S+\))?\s*(.*)$/.exec(rest);
  const resource = match?.[1] ?? rest;
  const reason = match?.[2]?.trim();
  return { type: 'resource', stack, status, resourceType, resource, ...(reason ? { reason } : {}) };
}
