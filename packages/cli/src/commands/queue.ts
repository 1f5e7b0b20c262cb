// `hf queue stats|peek|send|redrive`: look at and act on the running system's local queues.

import { queuePeek, queueRedrive, queueSend, queueStats } from '@hello-fargate/local';
import { CliError } from '../cli-error.js';
import { stateDirFor } from '../load-system.js';
import { fetchStatus, findRunner } from '../runner-client.js';

export interface QueueCommandOptions {
  readonly root: string;
  /** `stats`, `peek`, `send` or `redrive`. */
  readonly action: string;
  /** The action's arguments: queue names, or a queue and a message body. */
  readonly args: readonly string[];
  /** Messages `peek` shows. @default 10 */
  readonly max?: number;
}

async function endpoint(root: string): Promise<{ url: string; queues: string[] }> {
  const runner = findRunner(stateDirFor(root));
  if (!runner) throw new CliError('no local runner is running here; start it with `npm start`', 3);
  const status = await fetchStatus(runner);
  if (!status.endpoints.sqs) throw new CliError('the running system declares no queues', 3);
  return { url: status.endpoints.sqs, queues: status.queues ?? [] };
}

export async function queueCommand(options: QueueCommandOptions): Promise<number> {
  const { url, queues } = await endpoint(options.root);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const one = (what: string): string => {
    const name = options.args[0];
    if (!name) throw new CliError(`hf queue ${options.action} needs ${what}; queues: ${queues.join(', ')}`, 2);
    return name;
  };
  switch (options.action) {
    case 'stats': {
      const names = options.args.length > 0 ? [...options.args] : queues;
      const rows = await queueStats(url, names);
      // ApproximateAgeOfOldestMessage is a CloudWatch metric, not a queue attribute: the local endpoint's read-only
      // peek (oldest first) gives the oldest message's SentTimestamp instead.
      const oldest = await Promise.all(rows.map(async (row) => (await queuePeek(url, row.name, 1))[0]?.SentTimestamp));
      print(
        `${'queue'.padEnd(28)} ${'visible'.padStart(8)} ${'in flight'.padStart(10)} ${'delayed'.padStart(8)} ${'oldest (s)'.padStart(11)}`,
      );
      rows.forEach((row, i) => {
        const sent = oldest[i];
        const age = sent === undefined ? '-' : String(Math.max(0, Math.round((Date.now() - sent) / 1000)));
        print(
          `${row.name.padEnd(28)} ${String(row.visible).padStart(8)} ${String(row.inFlight).padStart(10)} ${String(row.delayed).padStart(8)} ${age.padStart(11)}`,
        );
      });
      return 0;
    }
    case 'peek': {
      for (const message of await queuePeek(url, one('a queue name'), options.max ?? 10)) {
        const state = message.visible ? 'visible' : 'hidden';
        print(`${message.MessageId}  receives=${message.ApproximateReceiveCount}  ${state}  ${message.Body}`);
      }
      return 0;
    }
    case 'send': {
      const name = one('a queue name and a body');
      const body = options.args[1];
      if (body === undefined) throw new CliError('hf queue send needs a message body after the queue name', 2);
      print(await queueSend(url, name, body));
      return 0;
    }
    case 'redrive': {
      const dlq = one('a dead-letter queue name (e.g. <queue>-dlq)');
      print(`redrive started: ${await queueRedrive(url, dlq)}`);
      return 0;
    }
    default:
      throw new CliError(`unknown queue action "${options.action}"; use stats, peek, send or redrive`, 2);
  }
}
