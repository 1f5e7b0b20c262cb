#!/usr/bin/env node
// The `hf` command: registers the TypeScript loader, then runs the CLI from source.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run that its 2027 releases need Node 22: news for maintainers, not for users.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning'))
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
