// The local scheduler's public API: schedules fired on a clock.

export { type Clock, systemClock } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { type ScheduleEntry, type Scheduler, type SchedulerOptions, startScheduler } from './start-scheduler.js';
