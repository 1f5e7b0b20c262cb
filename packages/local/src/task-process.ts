// One local task: a child process with ECS task semantics (statuses, stop codes, SIGTERM then SIGKILL, logs kept).

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

/** ECS task lifecycle statuses that make sense locally. */
export type TaskStatus = 'PROVISIONING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPED';

/** ECS stop codes. */
export type StopCode = 'EssentialContainerExited' | 'UserInitiated' | 'TaskFailedToStart' | 'ServiceSchedulerInitiated';

export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';

export interface TaskSpec {
  readonly workload: string;
  /** Program and arguments; the program is usually process.execPath. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly stopTimeoutSeconds: number;
  /** File that keeps every output line of the task. */
  readonly logFile: string;
  /** Receives every output line, already prefixed with workload and task id. @default - lines are not echoed */
  readonly onLine?: (line: string, task: TaskProcess) => void;
  /** Task id. @default - 32 random hex characters, like an ECS task id */
  readonly id?: string;
  /** Port the task listens on, for services. @default - none */
  readonly port?: number;
  /** What started it: `service:<name>`, `run-task`, `pre-deploy`. @default 'run-task' */
  readonly startedBy?: string;
}

/** What a stopped task reports, like DescribeTasks. */
export interface TaskResult {
  readonly taskId: string;
  readonly workload: string;
  /** Container exit code; null when the process was killed by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stopCode: StopCode;
  readonly stoppedReason: string;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  readonly logFile: string;
  /** The task's last output lines (at most 5), for messages about why it stopped. */
  readonly lastLines: readonly string[];
}

export function newTaskId(): string {
  return randomBytes(16).toString('hex');
}

/** A running (or stopped) local task. Create with `TaskProcess.start`. */
export class TaskProcess {
  readonly id: string;
  readonly workload: string;
  readonly port: number | undefined;
  readonly startedBy: string;
  readonly createdAt = new Date();
  status: TaskStatus = 'PROVISIONING';
  health: HealthStatus = 'UNKNOWN';
  startedAt: Date | undefined;
  result: TaskResult | undefined;
  /** Resolves when the process has exited and its output is flushed. */
  readonly stopped: Promise<TaskResult>;
  /** Resolves once the process is running (status RUNNING), or when it failed to start. */
  readonly started: Promise<void>;
  private markStarted: () => void = () => undefined;

  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private stopRequest: { code: StopCode; reason: string } | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly recent: string[] = [];

  private constructor(private readonly spec: TaskSpec) {
    this.id = spec.id ?? newTaskId();
    this.workload = spec.workload;
    this.port = spec.port;
    this.startedBy = spec.startedBy ?? 'run-task';
    mkdirSync(dirname(spec.logFile), { recursive: true });
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    const [program, ...args] = spec.command;
    if (!program) throw new Error(`task for workload "${spec.workload}" has no command`);
    // detached: the task gets its own process group, so Ctrl-C in the terminal reaches only the runner, which then
    // stops tasks the ECS way (SIGTERM, then SIGKILL after stopTimeout).
    this.child = spawn(program, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
    this.stopped = this.watch();
  }

  static start(spec: TaskSpec): TaskProcess {
    return new TaskProcess(spec);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops the task like ECS StopTask: SIGTERM now, SIGKILL after stopTimeout. Resolves when stopped. */
  stop(reason = 'Task stopped by user', code: StopCode = 'UserInitiated'): Promise<TaskResult> {
    if (this.result) return this.stopped;
    if (!this.stopRequest) {
      this.stopRequest = { code, reason };
      this.status = 'DEACTIVATING';
      this.signal('SIGTERM');
      this.killTimer = setTimeout(() => {
        this.writeLine(
          `[runner] did not exit within stopTimeout ${this.spec.stopTimeoutSeconds}s of SIGTERM: SIGKILL`,
          true,
        );
        this.signal('SIGKILL');
      }, this.spec.stopTimeoutSeconds * 1000);
    }
    return this.stopped;
  }

  /** Kills the task at once (the runner itself is going away). */
  kill(): void {
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid, signal); // the whole process group
    } catch {
      this.child.kill(signal);
    }
  }

  private writeLine(text: string, fromRunner = false): void {
    const line = `${this.workload}/${this.id.slice(0, 8)} | ${text}`;
    if (!fromRunner) {
      this.recent.push(text);
      if (this.recent.length > 5) this.recent.shift();
    }
    this.log.write(`${text}\n`);
    this.spec.onLine?.(line, this);
  }

  private async watch(): Promise<TaskResult> {
    const spawnError = new Promise<Error | undefined>((resolve) => {
      this.child.once('spawn', () => {
        this.status = 'RUNNING';
        this.startedAt = new Date();
        this.markStarted();
        resolve(undefined);
      });
      this.child.once('error', (error) => {
        this.markStarted();
        resolve(error);
      });
    });
    const streams = [this.child.stdout, this.child.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          if (!stream) return resolve();
          const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
          lines.on('line', (line) => this.writeLine(line));
          lines.once('close', () => resolve());
        }),
    );
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      this.child.once('exit', (code, signal) => resolve([code, signal]));
    });
    const error = await spawnError;
    let exitCode: number | null = null;
    let signal: NodeJS.Signals | null = null;
    if (!error) {
      [exitCode, signal] = await exit;
      await Promise.all(streams);
    }
    clearTimeout(this.killTimer);
    const stoppedAt = new Date();
    let stopCode: StopCode;
    let stoppedReason: string;
    if (error) {
      stopCode = 'TaskFailedToStart';
      stoppedReason = `CannotStartContainerError: ${error.message}`;
    } else if (this.stopRequest) {
      stopCode = this.stopRequest.code;
      stoppedReason = this.stopRequest.reason;
    } else {
      stopCode = 'EssentialContainerExited';
      stoppedReason = 'Essential container in task exited';
    }
    this.status = 'STOPPED';
    const how = exitCode !== null ? `exit code ${exitCode}` : signal ? `killed by ${signal}` : 'not started';
    this.writeLine(`[runner] task stopped: ${how} (${stopCode}: ${stoppedReason})`, true);
    await new Promise<void>((resolve) => this.log.end(resolve));
    this.result = {
      taskId: this.id,
      workload: this.workload,
      exitCode,
      signal,
      stopCode,
      stoppedReason,
      startedAt: this.startedAt ?? this.createdAt,
      stoppedAt,
      logFile: this.spec.logFile,
      lastLines: [...this.recent],
    };
    return this.result;
  }
}
