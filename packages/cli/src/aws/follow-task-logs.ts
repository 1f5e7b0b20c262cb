// Follows a task's CloudWatch Logs stream with GetLogEvents and forward tokens, tolerating a stream not created yet.

import { type CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';

export interface FollowTaskLogsOptions {
  readonly logs: CloudWatchLogsClient;
  readonly logGroupName: string;
  /** `<prefix>/<container>/<task id>`, the awslogs driver's naming; see `taskLogStreamName`. */
  readonly logStreamName: string;
  /** Receives each log event's message, in order, without its trailing newline. */
  readonly log: (line: string) => void;
  /** Receives notes about the log stream itself (unreadable, permission missing). */
  readonly progress: (line: string) => void;
}

export interface TaskLogFollower {
  readonly logStreamName: string;
  /**
   * Prints every event available now, page after page, until the forward token stops changing.
   * Resolves false while the stream does not exist yet (the container has not started logging).
   */
  readAvailable(): Promise<boolean>;
}

/** The awslogs driver's stream name for a container of a task. */
export function taskLogStreamName(prefix: string, containerName: string, taskArn: string): string {
  return `${prefix}/${containerName}/${taskIdOf(taskArn)}`;
}

/** The task id: the last segment of `arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`. */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** Creates a follower that remembers its forward token between calls, so no event is printed twice. */
export function followTaskLogs(options: FollowTaskLogsOptions): TaskLogFollower {
  const { logs, logGroupName, logStreamName, log, progress } = options;
  let token: string | undefined;
  let disabled = false;
  const reported = new Set<string>();

  return {
    logStreamName,
    async readAvailable() {
      while (!disabled) {
        let page: Awaited<ReturnType<typeof getPage>>;
        try {
          page = await getPage(token);
        } catch (error) {
          const name = error instanceof Error ? error.name : 'Error';
          if (name === 'ResourceNotFoundException') return false;
          // Logs are a convenience; the task's result still comes from ECS, so a read failure does not end the run.
          if (!reported.has(name)) {
            reported.add(name);
            const message = error instanceof Error ? error.message : String(error);
            progress(`cannot read logs from ${logGroupName} ${logStreamName}: ${name}: ${message}`);
          }
          if (name === 'AccessDeniedException') disabled = true;
          return true;
        }
        for (const event of page.events ?? []) log((event.message ?? '').replace(/\r?\n$/, ''));
        const next = page.nextForwardToken;
        // GetLogEvents answers with the token it was given once the end of the stream is reached.
        if (next === undefined || next === token) return true;
        token = next;
      }
      return true;
    },
  };

  function getPage(nextToken: string | undefined) {
    return logs.send(
      new GetLogEventsCommand({
        logGroupName,
        logStreamName,
        startFromHead: true,
        ...(nextToken === undefined ? {} : { nextToken }),
      }),
    );
  }
}
