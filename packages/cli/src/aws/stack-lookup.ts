// What both stack-output readers need to tell "not deployed" from other errors, and where they looked.

import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';

/** Whether DescribeStacks failed because the stack does not exist (a `ValidationError`, not a typed one). */
export function isStackMissing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'StackNotFoundException') return true;
  return error.name === 'ValidationError' && /does not exist/i.test(error.message);
}

/** The client's region, for "not found in <region>" messages. */
export async function regionOf(client: CloudFormationClient): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return 'the configured region';
  }
}
