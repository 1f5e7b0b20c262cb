// Hand-written ASL used by the workflow tests, including the pattern the scheduled-workflow generator emits.

export const RUN_TASK = 'arn:aws:states:::ecs:runTask.sync';
export const SEND_MESSAGE = 'arn:aws:states:::sqs:sendMessage';

/** Three Task states in a row, each adding its step to `steps`. */
export const chain = {
  Comment: 'three steps',
  StartAt: 'Extract',
  States: {
    Extract: {
      Type: 'Task',
      Resource: RUN_TASK,
      Parameters: { step: 'extract', 'steps.$': '$.steps' },
      Next: 'Transform',
    },
    Transform: {
      Type: 'Task',
      Resource: RUN_TASK,
      Parameters: { step: 'transform', 'steps.$': '$.steps' },
      Next: 'Load',
    },
    Load: { Type: 'Task', Resource: RUN_TASK, Parameters: { step: 'load', 'steps.$': '$.steps' }, End: true },
  },
};

/** One Task retried on `Flaky` with backoff; other errors are caught, notified and fail the execution. */
export const retryAndCatch = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: RUN_TASK,
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Notify' }],
      End: true,
    },
    Notify: {
      Type: 'Task',
      Resource: SEND_MESSAGE,
      Parameters: { QueueUrl: 'http://localhost/000000000000/alerts', 'MessageBody.$': 'States.JsonToString($.error)' },
      ResultPath: null,
      Next: 'Failed',
    },
    Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  },
};

/**
 * What the generator emits for a scheduled job: the task in a Parallel (so Retry covers the exit-code check), a
 * Choice on ExitCode, and on final failure a notification before failing with the original error.
 */
export const scheduledJob = {
  StartAt: 'Run',
  States: {
    Run: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'RunTask',
          States: {
            RunTask: {
              Type: 'Task',
              Resource: RUN_TASK,
              Parameters: {
                Cluster: 'local',
                TaskDefinition: 'report',
                Overrides: {
                  ContainerOverrides: [
                    {
                      Name: 'app',
                      Environment: [
                        { Name: 'EXECUTION_ID', 'Value.$': '$$.Execution.Id' },
                        { Name: 'SCHEDULED_TIME', 'Value.$': '$.scheduledTime' },
                      ],
                    },
                  ],
                },
              },
              ResultSelector: { 'ExitCode.$': '$.Containers[0].ExitCode', 'StoppedReason.$': '$.StoppedReason' },
              Next: 'CheckExit',
            },
            CheckExit: {
              Type: 'Choice',
              Choices: [
                {
                  And: [
                    { Variable: '$.ExitCode', IsPresent: true },
                    { Variable: '$.ExitCode', NumericEquals: 0 },
                  ],
                  Next: 'Succeeded',
                },
              ],
              Default: 'ExitedNonZero',
            },
            Succeeded: { Type: 'Succeed' },
            ExitedNonZero: {
              Type: 'Fail',
              Error: 'HelloFargate.TaskExitedNonZero',
              Cause: 'the task exited with a non-zero code',
            },
          },
        },
      ],
      ResultPath: '$.run',
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'DescribeFailure' }],
      End: true,
    },
    DescribeFailure: {
      Type: 'Pass',
      Parameters: { 'error.$': '$.error', 'startedAt.$': '$$.Execution.StartTime', 'execution.$': '$$.Execution.Id' },
      Next: 'NotifyFailure',
    },
    NotifyFailure: {
      Type: 'Task',
      Resource: SEND_MESSAGE,
      Parameters: { QueueUrl: 'http://localhost/000000000000/failures', 'MessageBody.$': 'States.JsonToString($)' },
      ResultPath: null,
      Next: 'Failed',
    },
    Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  },
};
