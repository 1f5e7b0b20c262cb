// The console's HTML page: server-rendered panels (text escaped), the first snapshot as inert JSON, one script.

import type { ConsoleSnapshot } from './console-snapshot.js';
import { escapeHtml, scriptJson } from './escape-html.js';

const PANELS: readonly { id: string; title: string }[] = [
  { id: 'services', title: 'Services' },
  { id: 'tasks', title: 'Tasks' },
  { id: 'targets', title: 'Load balancer targets' },
  { id: 'queues', title: 'Queues' },
  { id: 'charts', title: 'Charts' },
  { id: 'workflows', title: 'Workflows' },
  { id: 'batch', title: 'Batch jobs' },
  { id: 'logs', title: 'Logs' },
];

function endpointList(endpoints: Record<string, string | null>): string {
  return Object.entries(endpoints)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, url]) => `<li><span class="label">${escapeHtml(name)}</span> <code>${escapeHtml(url)}</code></li>`)
    .join('');
}

const LOG_FORM = `
  <form id="log-search" class="log-search" autocomplete="off">
    <input id="log-query" name="q" type="search" placeholder="request id (x-request-id) or job id" minlength="3" required>
    <button type="submit">Search</button>
  </form>`;

/** The whole page; live panels are filled by /console.js from the embedded snapshot, then from /events. */
export function consolePage(snapshot: ConsoleSnapshot): string {
  const panels = PANELS.map(
    ({ id, title }) => `
  <section id="${id}" class="panel">
    <h2>${escapeHtml(title)}</h2>${id === 'logs' ? LOG_FORM : ''}
    <div id="${id}-body" class="panel-body"><p class="empty">loading…</p></div>
  </section>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(snapshot.system)} · Hello Fargate console</title>
<link rel="stylesheet" href="/console.css">
</head>
<body>
<header>
  <h1>${escapeHtml(snapshot.system)} <span class="sub">local console</span></h1>
  <p class="meta">started ${escapeHtml(snapshot.startedAt)} · <span id="live" class="live off">connecting</span></p>
  <ul class="endpoints">${endpointList(snapshot.endpoints)}</ul>
  <nav>${PANELS.map(({ id, title }) => `<a href="#${id}">${escapeHtml(title)}</a>`).join(' ')}</nav>
</header>
<main>${panels}
</main>
<script id="initial-snapshot" type="application/json">${scriptJson(snapshot)}</script>
<script src="/console.js"></script>
</body>
</html>
`;
}
