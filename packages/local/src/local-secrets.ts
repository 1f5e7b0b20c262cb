// Secret values for local runs, from the git-ignored secrets.local.json (Secrets Manager's stand-in).

import { existsSync, readFileSync } from 'node:fs';
import type { Workload } from '@hello-fargate/workload';

/** Reads `{ "NAME": "value" }` from file; a clear error for a file that is not such an object. */
export function readLocalSecrets(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} must hold one JSON object of secret names to string values`);
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new Error(`${file}: secret "${name}" must be a string`);
  }
  return parsed as Record<string, string>;
}

/** The workload's declared secrets with their local values; an error naming each one that has no value. */
export function secretsFor(workload: Workload, secrets: Record<string, string>, file: string): Record<string, string> {
  const missing = workload.secrets.filter((name) => !(name in secrets));
  if (missing.length > 0) {
    throw new Error(
      `workload "${workload.name}" declares secret${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} ` +
        `but ${file} has no value for ${missing.length > 1 ? 'them' : 'it'}; add ${missing.length > 1 ? 'them' : 'it'} ` +
        `there (the file is git-ignored; in AWS the values come from Secrets Manager)`,
    );
  }
  return Object.fromEntries(workload.secrets.map((name) => [name, secrets[name] as string]));
}
