// Public API of @hello-fargate/cli: the `hf` entry for programmatic use and tests.

export { CliError } from './cli-error.js';
export { main, USAGE } from './main.js';
