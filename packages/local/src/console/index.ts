// Public API of the local console (a web UI served by the runner).

export { startConsoleServer, type ConsoleServer, type ConsoleServerOptions } from './console-server.js';
export type { ConsoleQueues, ConsoleSources } from './console-sources.js';
export type { ConsoleSnapshot } from './console-snapshot.js';
export { searchLogs, type LogMatch, type SearchLogsOptions } from './search-logs.js';
