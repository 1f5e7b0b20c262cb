import { parseScheduleExpression } from '@hello-fargate/workload';
import { describe, expect, it } from 'vitest';
import { ManualClock, type ScheduleEntry, startScheduler, systemClock } from '../../src/scheduler/index.js';

function recorder(name: string, schedule: ScheduleEntry['schedule']) {
  const fired: string[] = [];
  const entry: ScheduleEntry = { name, schedule, fire: (time) => void fired.push(time.toISOString()) };
  return { entry, fired };
}

describe('ManualClock', () => {
  it('fires due timers in time order and not before their time', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const fired: string[] = [];
    clock.setTimer(new Date('2026-01-01T00:02:00Z'), () => fired.push(`b@${clock.now().toISOString()}`));
    clock.setTimer(new Date('2026-01-01T00:01:00Z'), () => fired.push(`a@${clock.now().toISOString()}`));
    const cancel = clock.setTimer(new Date('2026-01-01T00:01:30Z'), () => fired.push('cancelled'));
    cancel();
    await clock.advanceBy(90_000);
    expect(fired).toEqual(['a@2026-01-01T00:01:00.000Z']);
    await clock.advanceTo(new Date('2026-01-01T00:05:00Z'));
    expect(fired).toEqual(['a@2026-01-01T00:01:00.000Z', 'b@2026-01-01T00:02:00.000Z']);
    expect(clock.now()).toEqual(new Date('2026-01-01T00:05:00Z'));
    expect(clock.nextTimer()).toBeUndefined();
  });
});

describe('startScheduler', () => {
  it('fires a cron in its time zone at each fire time, passing the scheduled time', async () => {
    // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC from 29 March 2026.
    const clock = new ManualClock(new Date('2026-03-27T12:00:00Z'));
    const { entry, fired } = recorder('daily', parseScheduleExpression('cron(0 9 * * ? *)', 'Europe/Berlin'));
    const scheduler = startScheduler([entry], { clock });
    expect(scheduler.nextFireTimes()).toEqual([{ name: 'daily', next: new Date('2026-03-28T08:00:00Z') }]);
    await clock.advanceTo(new Date('2026-03-28T07:59:59Z'));
    expect(fired).toEqual([]);
    await clock.advanceTo(new Date('2026-03-30T12:00:00Z'));
    expect(fired).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(scheduler.nextFireTimes()[0]?.next).toEqual(new Date('2026-03-31T07:00:00Z'));
    scheduler.stop();
  });

  it('counts rate schedules from the anchor and does not make up missed runs', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:07:00Z'));
    const { entry, fired } = recorder('every5', parseScheduleExpression('rate(5 minutes)'));
    const scheduler = startScheduler([entry], { clock, anchor: new Date('2026-01-01T00:00:00Z') });
    expect(scheduler.nextFireTimes()[0]?.next).toEqual(new Date('2026-01-01T00:10:00Z'));
    await clock.advanceTo(new Date('2026-01-01T00:16:00Z'));
    expect(fired).toEqual(['2026-01-01T00:10:00.000Z', '2026-01-01T00:15:00.000Z']);
    scheduler.stop();
  });

  it('fires a rate schedule one period after start when no anchor is given', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:30Z'));
    const { entry } = recorder('hourly', parseScheduleExpression('rate(1 hour)'));
    const scheduler = startScheduler([entry], { clock });
    expect(scheduler.nextFireTimes()[0]?.next).toEqual(new Date('2026-01-01T01:00:30Z'));
    scheduler.stop();
  });

  it('fires an at() schedule once and reports a past one as never firing', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const future = recorder('future', parseScheduleExpression('at(2026-01-01T10:00:00)', 'Europe/Berlin'));
    const past = recorder('past', parseScheduleExpression('at(2025-01-01T10:00:00)'));
    const scheduler = startScheduler([future.entry, past.entry], { clock });
    expect(scheduler.nextFireTimes()).toEqual([
      { name: 'future', next: new Date('2026-01-01T09:00:00Z') },
      { name: 'past', next: undefined },
    ]);
    await clock.advanceBy(86_400_000);
    expect(future.fired).toEqual(['2026-01-01T09:00:00.000Z']);
    expect(past.fired).toEqual([]);
    expect(scheduler.nextFireTimes()[0]?.next).toBeUndefined();
  });

  it('fires again while the previous run is still going', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const started: string[] = [];
    const releases: (() => void)[] = [];
    const scheduler = startScheduler(
      [
        {
          name: 'slow',
          schedule: parseScheduleExpression('rate(1 minute)'),
          fire: (time) => {
            started.push(time.toISOString());
            return new Promise<void>((resolve) => releases.push(resolve));
          },
        },
      ],
      { clock },
    );
    await clock.advanceBy(180_000);
    expect(started).toHaveLength(3);
    let idle = false;
    const waiting = scheduler.idle().then(() => (idle = true));
    await clock.advanceBy(0);
    expect(idle).toBe(false);
    for (const release of releases) release();
    await waiting;
    expect(idle).toBe(true);
    scheduler.stop();
  });

  it('reports errors from a fire and keeps firing', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const errors: string[] = [];
    let calls = 0;
    const scheduler = startScheduler(
      [
        {
          name: 'flaky',
          schedule: parseScheduleExpression('rate(1 minute)'),
          fire: async () => {
            calls++;
            throw new Error(`boom ${calls}`);
          },
        },
        {
          name: 'throws',
          schedule: parseScheduleExpression('rate(2 minutes)'),
          fire: () => {
            throw new Error('sync boom');
          },
        },
      ],
      { clock, onError: (name, error) => errors.push(`${name}: ${(error as Error).message}`) },
    );
    await clock.advanceBy(120_000);
    await scheduler.idle();
    expect(errors.sort()).toEqual(['flaky: boom 1', 'flaky: boom 2', 'throws: sync boom']);
    scheduler.stop();
  });

  it('stops firing after stop() and refuses duplicate names', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const { entry, fired } = recorder('tick', parseScheduleExpression('rate(1 minute)'));
    const scheduler = startScheduler([entry], { clock });
    await clock.advanceBy(60_000);
    scheduler.stop();
    await clock.advanceBy(600_000);
    expect(fired).toHaveLength(1);
    expect(scheduler.nextFireTimes()).toEqual([{ name: 'tick', next: undefined }]);
    expect(clock.nextTimer()).toBeUndefined();
    expect(() => startScheduler([entry, entry], { clock })).toThrow(/schedule "tick" is given twice/);
  });
});

describe('systemClock', () => {
  it('fires a timer once its time has come, and not after cancel', async () => {
    const fired: string[] = [];
    await new Promise<void>((resolve) => {
      systemClock.setTimer(new Date(Date.now() + 20), () => {
        fired.push('due');
        resolve();
      });
      const cancel = systemClock.setTimer(new Date(Date.now() + 5), () => fired.push('cancelled'));
      cancel();
    });
    expect(fired).toEqual(['due']);
  });
});
