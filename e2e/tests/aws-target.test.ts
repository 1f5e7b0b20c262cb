// The AWS target's scenario plumbing without AWS: a stub Cognito token endpoint and webapi, mocked SDK clients.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchClient, DescribeJobsCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsTargetClients, AwsTarget } from '../src/aws-target.js';

const STATE_MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:daily-sales-report';
const JOB_QUEUE = 'arn:aws:batch:eu-west-1:111111111111:job-queue/batch';
const JOB_DEFINITION = 'arn:aws:batch:eu-west-1:111111111111:job-definition/rescore-orders:3';
const ORDER_ID = '0b8f3c1e-5d2a-4f7b-9c61-3e2a1d4b5c6f';

/** What the stub saw, so tests can check what the target sent. */
interface Seen {
  tokenRequests: { authorization: string | undefined; body: string }[];
  orderRequests: { method: string; url: string; authorization: string | undefined; body: string }[];
}

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.once('end', () => resolve(text));
  });
}

/** Cognito's /oauth2/token for one client, and a webapi that accepts only the token it issued. */
function startStub(seen: Seen): Promise<Server> {
  const order = {
    id: ORDER_ID,
    customerId: '7c1d9e2f-3a4b-4c5d-8e6f-1a2b3c4d5e6f',
    status: 'pending',
    totalCents: 3 * 8999,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    lines: [{ sku: 'KB-MECH-01', name: 'Keyboard', quantity: 3, unitPriceCents: 8999, lineTotalCents: 3 * 8999 }],
  };
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const authorization = request.headers.authorization;
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    };
    if (request.url === '/oauth2/token') {
      seen.tokenRequests.push({ authorization, body });
      const expected = `Basic ${Buffer.from('partner-e2e:right-secret').toString('base64')}`;
      if (authorization !== expected) return json(400, { error: 'invalid_client' });
      return json(200, { access_token: 'stub-token', token_type: 'Bearer', expires_in: 3600 });
    }
    seen.orderRequests.push({ method: request.method ?? '', url: request.url ?? '', authorization, body });
    if (authorization !== 'Bearer stub-token') return json(401, { message: 'Unauthorized' });
    if (request.method === 'POST' && request.url === '/orders') {
      return json(201, order, { location: `/orders/${ORDER_ID}` });
    }
    if (request.method === 'GET' && request.url === `/orders/${ORDER_ID}`) return json(200, order);
    return json(404, { message: 'not found' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the AWS target against stubs', () => {
  const seen: Seen = { tokenRequests: [], orderRequests: [] };
  let server: Server;
  let origin: string;
  const clients: AwsTargetClients = {
    sfn: new SFNClient({ region: 'eu-west-1' }),
    cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
    batch: new BatchClient({ region: 'eu-west-1' }),
  };
  const sfn = mockClient(clients.sfn);
  const cloudformation = mockClient(clients.cloudformation);
  const batch = mockClient(clients.batch);

  function target(overrides: Record<string, string> = {}): AwsTarget {
    return AwsTarget.fromEnv(
      {
        E2E_ENV: 'staging',
        E2E_WEBAPP_URL: `${origin}/webapp`,
        E2E_WEBAPI_URL: origin,
        E2E_TOKEN_URL: `${origin}/oauth2/token`,
        E2E_CLIENT_ID: 'partner-e2e',
        E2E_CLIENT_SECRET: 'right-secret',
        E2E_USER: 'e2e-user',
        E2E_PASSWORD: 'password',
        ...overrides,
      },
      { clients, pollIntervalMs: 1 },
    );
  }

  beforeAll(async () => {
    server = await startStub(seen);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.tokenRequests.length = 0;
    seen.orderRequests.length = 0;
    sfn.reset();
    cloudformation.reset();
    batch.reset();
  });

  it('gets a client-credentials token with the configured scopes and places then reads a partner order with it', async () => {
    const result = await target().partnerOrder({ customerEmail: 'p@example.com', quantity: 3 });

    expect(seen.tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(seen.tokenRequests[0]?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'orders/read orders/write',
    });
    expect(seen.orderRequests.map((r) => `${r.method} ${r.url} ${r.authorization}`)).toEqual([
      'POST /orders Bearer stub-token',
      `GET /orders/${ORDER_ID} Bearer stub-token`,
    ]);
    expect(JSON.parse(seen.orderRequests[0]?.body ?? '{}')).toEqual({
      customerEmail: 'p@example.com',
      lines: [{ sku: 'KB-MECH-01', quantity: 3 }],
    });
    expect(result).toMatchObject({
      createStatus: 201,
      location: `/orders/${ORDER_ID}`,
      fetchStatus: 200,
      created: { id: ORDER_ID, totalCents: 26997 },
      fetched: { id: ORDER_ID, totalCents: 26997 },
    });
  });

  it('says which client and token endpoint refused, with the OAuth error, when the secret is wrong', async () => {
    await expect(
      target({ E2E_CLIENT_SECRET: 'wrong' }).partnerOrder({ customerEmail: 'p@example.com', quantity: 1 }),
    ).rejects.toThrow(`no token for client partner-e2e from ${origin}/oauth2/token: HTTP 400 invalid_client`);
    expect(seen.orderRequests).toEqual([]);
  });

  it('runs the report workflow with the hf workflow building blocks and lists the states it entered', async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'hello-fargate-staging-wf-daily-sales-report' }).resolves({
      Stacks: [
        {
          StackName: 'hello-fargate-staging-wf-daily-sales-report',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE }],
        },
      ],
    });
    const executionArn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:e2e`;
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ executionArn, status: 'RUNNING', startDate: new Date() })
      .resolves({ executionArn, status: 'SUCCEEDED', startDate: new Date(), stopDate: new Date() });
    const entered = (id: number, name: string) => ({
      id,
      type: 'TaskStateEntered' as const,
      timestamp: new Date(),
      stateEnteredEventDetails: { name },
    });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: 'ExecutionStarted', timestamp: new Date() },
        entered(2, 'Run Extract'),
        entered(3, 'Run Aggregate'),
        entered(4, 'Run Publish'),
        { id: 5, type: 'ExecutionSucceeded', timestamp: new Date() },
      ],
    });

    const run = await target().runReportWorkflow();

    expect(run).toEqual({
      executionArn,
      status: 'SUCCEEDED',
      statesEntered: ['Run Extract', 'Run Aggregate', 'Run Publish'],
    });
    const started = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(started?.stateMachineArn).toBe(STATE_MACHINE);
  });

  it('reports the workflow stack missing with the deploy command, as hf workflow run-now --env does', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id hello-fargate-staging-wf-daily-sales-report does not exist'), {
        name: 'ValidationError',
      }),
    );
    await expect(target().runReportWorkflow()).rejects.toThrow(/hf deploy --env staging/);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('submits rescore-orders as an array job with the hf batch building blocks and counts its children', async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'hello-fargate-staging-rescore-orders' }).resolves({
      Stacks: [
        {
          StackName: 'hello-fargate-staging-rescore-orders',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [
            { OutputKey: 'JobQueueArn', OutputValue: JOB_QUEUE },
            { OutputKey: 'JobDefinitionArn', OutputValue: JOB_DEFINITION },
          ],
        },
      ],
    });
    batch.on(SubmitJobCommand).resolves({ jobId: 'job-1', jobName: 'e2e-rescore', jobArn: 'arn:job-1' });
    const job = (status: 'RUNNING' | 'SUCCEEDED', summary: Record<string, number>) => ({
      jobs: [
        {
          jobId: 'job-1',
          jobName: 'e2e-rescore',
          jobQueue: JOB_QUEUE,
          jobDefinition: JOB_DEFINITION,
          status,
          startedAt: 0,
          arrayProperties: { size: 4, statusSummary: summary },
        },
      ],
    });
    batch
      .on(DescribeJobsCommand)
      .resolvesOnce(job('RUNNING', { RUNNING: 3, SUCCEEDED: 1 }))
      .resolves(job('SUCCEEDED', { SUCCEEDED: 4, FAILED: 0 }));

    const run = await target().batchRescore(4);

    expect(run).toEqual({ jobId: 'job-1', status: 'SUCCEEDED', arraySize: 4, children: { SUCCEEDED: 4 } });
    const submitted = batch.commandCalls(SubmitJobCommand)[0]?.args[0].input;
    expect(submitted).toMatchObject({
      jobQueue: JOB_QUEUE,
      jobDefinition: JOB_DEFINITION,
      arrayProperties: { size: 4 },
    });
    expect(submitted?.jobName).toMatch(/^e2e-rescore-\d+$/);
  });
});
