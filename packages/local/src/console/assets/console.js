// The local console in the browser: renders each panel from a snapshot and re-renders on every Server-Sent Event.
/* global document, window, EventSource */
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#9b2c2c', '#6b46c1', '#b7791f', '#2c7a7b', '#97266d'];
  const rendered = {};

  // Every value reaches the page as a text node or an attribute value: never parsed as HTML.
  function h(tag, attrs, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      element.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function s(tag, attrs, ...children) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) element.setAttribute(name, String(value));
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      element.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  const badge = (status) => h('span', { class: `badge st-${String(status).toLowerCase()}` }, status);
  const short = (id) => String(id).slice(0, 8);
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
  const seconds = (from, to) => ((new Date(to || Date.now()) - new Date(from)) / 1000).toFixed(1);
  const empty = (text) => h('p', { class: 'empty' }, text);

  function table(headers, rows) {
    return h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((header) => h('th', {}, header)),
        ),
      ),
      h('tbody', {}, rows),
    );
  }

  async function post(path, flashIn) {
    const flash = document.getElementById(flashIn);
    try {
      const response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const body = await response.json();
      if (flash) flash.textContent = response.ok ? 'done' : `failed: ${body.error}`;
    } catch (error) {
      if (flash) flash.textContent = `failed: ${error.message}`;
    }
  }

  function services(snapshot) {
    if (snapshot.services.length === 0) return empty('No services run in this system.');
    return table(
      ['service', 'kind', 'state', 'running', 'healthy', 'restarts', 'message'],
      snapshot.services.map((service) =>
        h(
          'tr',
          { 'data-service': service.name },
          h('td', {}, service.name),
          h('td', {}, service.kind),
          h('td', {}, badge(service.state)),
          h('td', { class: 'num running' }, `${service.runningCount}/${service.desiredCount}`),
          h('td', { class: 'num healthy' }, service.healthChecked ? `${service.healthyCount}` : '-'),
          h('td', { class: 'num restarts' }, service.restarts),
          h('td', {}, service.message),
        ),
      ),
    );
  }

  function tasks(snapshot) {
    const { running, stopped } = snapshot.tasks;
    return h(
      'div',
      {},
      h('h3', {}, `Running (${running.length})`),
      running.length === 0
        ? empty('No task is running.')
        : table(
            ['workload', 'task', 'started by', 'status'],
            running.map((task) =>
              h(
                'tr',
                { 'data-task': task.taskId },
                h('td', {}, task.workload),
                h('td', { class: 'mono' }, short(task.taskId)),
                h('td', {}, task.startedBy),
                h('td', {}, badge(task.status)),
              ),
            ),
          ),
      h('h3', {}, `Stopped (${stopped.length})`),
      stopped.length === 0
        ? empty('No task has stopped yet.')
        : table(
            ['workload', 'task', 'started by', 'exit code', 'stop code', 'stopped reason', 'stopped'],
            stopped.map((task) =>
              h(
                'tr',
                { 'data-task': task.taskId },
                h('td', {}, task.workload),
                h('td', { class: 'mono' }, short(task.taskId)),
                h('td', {}, task.startedBy),
                h('td', { class: `num exit ${task.exitCode === 0 ? 'ok' : 'bad'}` }, task.exitCode ?? '-'),
                h('td', {}, task.stopCode || ''),
                h('td', {}, task.stoppedReason || ''),
                h('td', {}, time(task.stoppedAt)),
              ),
            ),
          ),
    );
  }

  function targets(snapshot) {
    if (snapshot.loadBalancers.length === 0) return empty('No load balancer: this system has no webapp or webapi.');
    return h(
      'div',
      {},
      snapshot.loadBalancers.map((lb) =>
        h(
          'div',
          { class: 'listener', 'data-listener': lb.workload },
          h(
            'h3',
            {},
            `${lb.workload} `,
            h('code', {}, lb.url),
            h('span', { class: 'muted' }, ` ${lb.requests} requests`),
          ),
          lb.targets.length === 0
            ? empty('No registered targets.')
            : table(
                ['target', 'url', 'health', 'reason'],
                lb.targets.map((target) =>
                  h(
                    'tr',
                    { 'data-target': target.id },
                    h('td', { class: 'mono' }, short(target.id)),
                    h('td', {}, h('code', {}, target.url)),
                    h('td', {}, badge(target.state)),
                    h('td', {}, target.reason ? `${target.reason}: ${target.description || ''}` : ''),
                  ),
                ),
              ),
        ),
      ),
    );
  }

  const age = (stats) => (stats.visible + stats.inFlight + stats.delayed === 0 ? '-' : stats.oldestAgeSeconds);

  function queues(snapshot) {
    if (snapshot.queues.length === 0) return empty('This system declares no queues.');
    return h(
      'div',
      {},
      table(
        ['queue', 'visible', 'in flight', 'delayed', 'oldest (s)', 'DLQ', 'DLQ depth', 'DLQ oldest (s)', ''],
        snapshot.queues.map((row) =>
          h(
            'tr',
            { 'data-queue': row.name },
            h('td', {}, row.name),
            h('td', { class: 'num visible' }, row.queue.visible),
            h('td', { class: 'num in-flight' }, row.queue.inFlight),
            h('td', { class: 'num delayed' }, row.queue.delayed),
            h('td', { class: 'num oldest' }, age(row.queue)),
            h('td', {}, row.dlqName),
            h('td', { class: 'num dlq-depth' }, row.dlq.visible + row.dlq.inFlight + row.dlq.delayed),
            h('td', { class: 'num' }, age(row.dlq)),
            h(
              'td',
              {},
              h(
                'button',
                {
                  class: 'redrive',
                  type: 'button',
                  disabled: row.dlq.visible === 0,
                  title: `Move ${row.dlqName}'s messages back to ${row.name}`,
                  onclick: () => post(`/api/queues/${encodeURIComponent(row.dlqName)}/redrive`, 'queues-flash'),
                },
                'Redrive',
              ),
            ),
          ),
        ),
      ),
    );
  }

  // A line chart of named series over time: one polyline each, a legend, the latest and largest values.
  function lineChart(title, samples, unit) {
    const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.values)))].sort();
    const width = 520;
    const height = 140;
    const pad = 28;
    const figure = h('figure', { class: 'chart', 'data-chart': title }, h('figcaption', {}, title));
    if (samples.length < 2 || names.length === 0) {
      figure.append(empty('Collecting samples…'));
      return figure;
    }
    const t0 = samples[0].t;
    const t1 = samples[samples.length - 1].t;
    const max = Math.max(1, ...samples.flatMap((sample) => Object.values(sample.values)));
    const x = (t) => pad + ((t - t0) / Math.max(1, t1 - t0)) * (width - 2 * pad);
    const y = (v) => height - pad + 8 - (v / max) * (height - pad - 8 - 4);
    const svg = s(
      'svg',
      { viewBox: `0 0 ${width} ${height + 8}`, role: 'img', 'aria-label': title },
      s('line', { x1: pad, y1: y(0), x2: width - pad, y2: y(0), class: 'axis' }),
      s('line', { x1: pad, y1: y(0), x2: pad, y2: y(max), class: 'axis' }),
      s('text', { x: 2, y: y(max) + 4, class: 'tick' }, String(Math.round(max * 10) / 10)),
      s('text', { x: 2, y: y(0), class: 'tick' }, '0'),
      s('text', { x: pad, y: height + 6, class: 'tick' }, `${Math.round((t1 - t0) / 1000)} s`),
      s('text', { x: width - pad - 20, y: height + 6, class: 'tick' }, 'now'),
    );
    names.forEach((name, index) => {
      const points = samples.map((sample) => `${x(sample.t).toFixed(1)},${y(sample.values[name] || 0).toFixed(1)}`);
      svg.append(
        s('polyline', {
          points: points.join(' '),
          fill: 'none',
          stroke: COLORS[index % COLORS.length],
          'data-series': name,
        }),
      );
    });
    const last = samples[samples.length - 1].values;
    const legend = h(
      'ul',
      { class: 'legend' },
      names.map((name, index) =>
        h(
          'li',
          { 'data-series': name },
          h('span', { class: 'swatch', style: `background:${COLORS[index % COLORS.length]}` }),
          `${name}: ${Math.round((last[name] || 0) * 10) / 10}${unit}`,
        ),
      ),
    );
    figure.append(svg, legend);
    return figure;
  }

  function charts(snapshot) {
    return h(
      'div',
      { class: 'charts' },
      lineChart('Queue depth', snapshot.charts.queueDepth, ' messages'),
      lineChart('Request rate', snapshot.charts.requestRate, ' req/s'),
    );
  }

  // An execution's states as a Gantt row each, on a time axis from its start to its stop (or now).
  function timeline(execution) {
    const start = new Date(execution.startDate).getTime();
    const end = Math.max(
      start + 1,
      new Date(execution.stopDate || Date.now()).getTime(),
      ...execution.states.map((span) => new Date(span.exitedAt || execution.stopDate || Date.now()).getTime()),
    );
    const width = 520;
    const label = 150;
    const row = 18;
    const x = (iso) => label + ((new Date(iso).getTime() - start) / (end - start)) * (width - label - 4);
    const svg = s('svg', {
      class: 'timeline',
      viewBox: `0 0 ${width} ${Math.max(1, execution.states.length) * row + 4}`,
      role: 'img',
      'aria-label': `states of ${execution.name}`,
    });
    execution.states.forEach((span, index) => {
      const from = x(span.enteredAt);
      const to = Math.max(from + 3, x(span.exitedAt || execution.stopDate || new Date().toISOString()));
      svg.append(
        s(
          'g',
          { class: 'span', 'data-state': span.state, 'data-status': span.status },
          s(
            'title',
            {},
            `${span.state}: ${span.status}${span.retries ? `, ${span.retries} retries` : ''}${span.error ? ` (${span.error})` : ''}`,
          ),
          s('text', { x: 0, y: index * row + 13, class: 'state-label' }, span.state),
          s('rect', {
            x: from,
            y: index * row + 3,
            width: to - from,
            height: row - 6,
            class: `bar st-${span.status.toLowerCase()}`,
          }),
        ),
      );
    });
    return svg;
  }

  function workflows(snapshot) {
    if (snapshot.workflows.length === 0) return empty('This system declares no workflows.');
    return h(
      'div',
      {},
      snapshot.workflows.map((workflow) =>
        h(
          'div',
          { class: 'workflow', 'data-workflow': workflow.name },
          h(
            'h3',
            {},
            `${workflow.name} `,
            h(
              'button',
              {
                class: 'run-now',
                type: 'button',
                onclick: () =>
                  post(`/api/workflows/${encodeURIComponent(workflow.name)}/executions`, 'workflows-flash'),
              },
              'Run now',
            ),
          ),
          h(
            'p',
            { class: 'muted' },
            `${workflow.steps.join(' → ')}`,
            workflow.schedule ? ` · ${workflow.schedule.expression} ${workflow.schedule.timezone}` : '',
            workflow.schedule && workflow.schedule.next ? ` · next ${workflow.schedule.next}` : '',
          ),
          workflow.executions.length === 0
            ? empty('No executions yet.')
            : workflow.executions.map((execution) =>
                h(
                  'div',
                  { class: 'execution', 'data-execution': execution.name, 'data-status': execution.status },
                  h(
                    'p',
                    {},
                    badge(execution.status),
                    ` ${execution.name} · ${time(execution.startDate)} · ${seconds(execution.startDate, execution.stopDate)} s`,
                    execution.startedBy ? ` · by ${execution.startedBy}` : '',
                    execution.error ? ` · ${execution.error}: ${execution.cause || ''}` : '',
                  ),
                  timeline(execution),
                ),
              ),
        ),
      ),
    );
  }

  function batch(snapshot) {
    if (snapshot.batch.jobQueues.length === 0) return empty('This system declares no job queues.');
    if (snapshot.batch.jobs.length === 0) return empty(`No jobs yet in ${snapshot.batch.jobQueues.join(', ')}.`);
    return h(
      'div',
      {},
      snapshot.batch.jobs.map((job) =>
        h(
          'div',
          { class: 'job', 'data-job': job.jobId, 'data-status': job.status },
          h(
            'p',
            {},
            badge(job.status),
            ` ${job.jobName} `,
            h('code', {}, job.jobId),
            ` · ${job.jobQueue}`,
            job.size ? ` · array of ${job.size}` : '',
            job.statusReason ? ` · ${job.statusReason}` : '',
          ),
          job.summary
            ? h(
                'p',
                { class: 'muted summary' },
                Object.entries(job.summary)
                  .filter(([, count]) => count > 0)
                  .map(([status, count]) => `${status} ${count}`)
                  .join(' · '),
              )
            : '',
          job.children
            ? h(
                'div',
                { class: 'grid' },
                job.children.map((status, index) =>
                  h('span', {
                    class: `cell st-${status.toLowerCase()}`,
                    'data-index': index,
                    'data-status': status,
                    title: `${index}: ${status}`,
                  }),
                ),
              )
            : '',
        ),
      ),
    );
  }

  const PANELS = { services, tasks, targets, queues, charts, workflows, batch };

  function render(snapshot) {
    for (const [id, draw] of Object.entries(PANELS)) {
      const body = document.getElementById(`${id}-body`);
      // Charts move every second; the other panels are redrawn only when their data changed (buttons stay put).
      const key =
        id === 'charts'
          ? JSON.stringify(snapshot.charts)
          : JSON.stringify(snapshot[id === 'targets' ? 'loadBalancers' : id]);
      if (!body || rendered[id] === key) continue;
      rendered[id] = key;
      const flash = h(
        'p',
        { id: `${id}-flash`, class: 'flash', 'aria-live': 'polite' },
        (document.getElementById(`${id}-flash`) || {}).textContent || '',
      );
      body.replaceChildren(draw(snapshot), flash);
    }
    document.body.setAttribute('data-updated', snapshot.at);
  }

  async function searchLogs(event) {
    event.preventDefault();
    const query = document.getElementById('log-query').value.trim();
    const body = document.getElementById('logs-body');
    body.replaceChildren(empty('searching…'));
    const response = await fetch(`/api/logs?q=${encodeURIComponent(query)}`);
    const { matches } = await response.json();
    body.replaceChildren(
      matches.length === 0
        ? empty(`No log line mentions ${query}.`)
        : table(
            ['task', 'line'],
            matches.map((match) =>
              h(
                'tr',
                { class: 'log-match' },
                h('td', { class: 'mono' }, `${match.workload}/${short(match.taskId)}`),
                h('td', {}, h('pre', {}, match.line)),
              ),
            ),
          ),
    );
    body.setAttribute('data-query', query);
  }

  render(JSON.parse(document.getElementById('initial-snapshot').textContent));
  document.getElementById('log-search').addEventListener('submit', searchLogs);
  document.getElementById('logs-body').replaceChildren(empty('Search the tasks’ logs by request id or job id.'));
  const live = document.getElementById('live');
  const events = new EventSource('/events');
  events.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting';
    live.className = 'live off';
  });
  events.addEventListener('snapshot', (event) => render(JSON.parse(event.data)));
})();
