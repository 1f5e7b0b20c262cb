// readWorkflowStep: the WORKFLOW_* variables a step task gets from the workflow, and the values of a hand-started run.

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config-error.js';
import { readWorkflowStep } from '../src/workflow-step.js';

const clock = () => new Date('2026-11-21T02:30:00.000Z');

describe('readWorkflowStep', () => {
  it('reads the workflow, step, execution id and the input object Step Functions passes', () => {
    const step = readWorkflowStep({
      WORKFLOW_NAME: 'daily-sales-report',
      WORKFLOW_STEP: 'Extract',
      WORKFLOW_EXECUTION_ID: 'arn:aws:states:eu-central-1:1:execution:daily-sales-report:abc',
      WORKFLOW_INPUT: '{"reportDate":"2024-05-01","scheduledTime":"2024-05-02T00:30:00Z"}',
    });

    expect(step).toEqual({
      workflow: 'daily-sales-report',
      step: 'Extract',
      executionId: 'arn:aws:states:eu-central-1:1:execution:daily-sales-report:abc',
      input: { reportDate: '2024-05-01', scheduledTime: '2024-05-02T00:30:00Z' },
      manual: false,
    });
  });

  it('gives a hand-started task a manual execution id from the clock and an empty input', () => {
    expect(readWorkflowStep({}, clock)).toEqual({
      workflow: undefined,
      step: undefined,
      executionId: 'manual-2026-11-21T02:30:00.000Z',
      input: {},
      manual: true,
    });
    expect(readWorkflowStep({ WORKFLOW_EXECUTION_ID: '', WORKFLOW_INPUT: '  ' }, clock).input).toEqual({});
  });

  it('refuses a WORKFLOW_INPUT that is not JSON, naming the variable', () => {
    const read = () => readWorkflowStep({ WORKFLOW_INPUT: '{reportDate: 2024-05-01}' });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^environment variable WORKFLOW_INPUT is not valid JSON/);
    try {
      read();
    } catch (error) {
      expect((error as ConfigError).variable).toBe('WORKFLOW_INPUT');
    }
  });

  it.each([
    ['an array', '[1,2]', 'an array'],
    ['a string', '"2024-05-01"', '"2024-05-01"'],
    ['null', 'null', 'null'],
  ])('refuses a WORKFLOW_INPUT that is %s instead of an object', (_what, raw, shown) => {
    expect(() => readWorkflowStep({ WORKFLOW_INPUT: raw })).toThrow(
      `environment variable WORKFLOW_INPUT must be a JSON object, got ${shown}`,
    );
  });
});
