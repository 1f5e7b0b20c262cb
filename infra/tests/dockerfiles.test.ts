// Tests for the workloads' Dockerfiles: a real linter, the project's image rules, and that the synthesized task
// definitions run images built from exactly those files.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { bundledEntry } from '@hello-fargate/local';
import type { Workload } from '@hello-fargate/workload';
import { AssetManifestArtifact, type CloudAssembly } from 'aws-cdk-lib/cx-api';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { system } from '../../system.js';
import { buildApp, REPO_ROOT } from '../build-app.js';
import { workloadDockerfile } from '../stacks/workload-dockerfile.js';

/** The Dockerfile CDK builds a workload's image from, relative to the repository root (the build context). */
function dockerfileOf(workload: Workload): string {
  return workloadDockerfile(workload, REPO_ROOT) ?? relative(REPO_ROOT, join(workload.directory, 'Dockerfile'));
}

/** A service that ECS health-checks: it has a port and a declared health check. */
function isServiceWithPort(workload: Workload): boolean {
  return workload.port !== undefined && workload.healthCheck !== undefined;
}

const NODE_BINARY = '/nodejs/bin/node';
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD/i;

/** Docker duration (`30s`, `1m30s`, `500ms`) in seconds. */
function seconds(duration: string): number {
  let total = 0;
  for (const [, value, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(value) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

interface HealthcheckSpec {
  readonly command: string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

/** A Dockerfile split into the facts the project rules look at. */
interface ParsedDockerfile {
  readonly stages: { image: string; name: string | null; platform: string | undefined; instructions: Instruction[] }[];
  readonly final: Instruction[];
  readonly healthcheck: HealthcheckSpec | undefined;
}

function parseDockerfile(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const stages: ParsedDockerfile['stages'] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line);
      stages.push({
        image: from?.getImage() ?? '',
        name: from?.getBuildStage() ?? null,
        platform: from?.getPlatformFlag()?.getValue() ?? undefined,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  const check = dockerfile.getHEALTHCHECKs().at(-1);
  let healthcheck: HealthcheckSpec | undefined;
  if (check && check.getSubcommand()?.getValue().toUpperCase() === 'CMD') {
    const flags = new Map(check.getFlags().map((flag) => [flag.getName(), flag.getValue() ?? '']));
    const json = (check.getArgumentsContent() ?? '').replace(/^CMD\s+/i, '');
    healthcheck = {
      command: json.startsWith('[') ? (JSON.parse(json) as string[]) : [json],
      // Docker's defaults when a flag is absent.
      intervalSeconds: seconds(flags.get('interval') ?? '30s'),
      timeoutSeconds: seconds(flags.get('timeout') ?? '30s'),
      retries: Number(flags.get('retries') ?? 3),
      startPeriodSeconds: seconds(flags.get('start-period') ?? '0s'),
    };
  }
  return { stages, final: stages.at(-1)?.instructions ?? [], healthcheck };
}

/**
 * The project's image rules on top of the linter; each finding names the rule and the offending text.
 * `expectHealthcheck`: whether the workload is a service with a port (HEALTHCHECK iff so).
 */
function projectRuleViolations(text: string, expectHealthcheck: boolean): string[] {
  const parsed = parseDockerfile(text);
  const problems: string[] = [];
  if (parsed.stages.length < 2) problems.push('multi-stage: needs a build stage and a runtime stage');
  for (const stage of parsed.stages) {
    const [, tag] = stage.image.split('@')[0]?.match(/:([^/:]+)$/) ?? [];
    const digest = stage.image.split('@')[1];
    const fromStage = parsed.stages.some((s) => s.name === stage.image);
    if (fromStage) continue;
    if (tag === 'latest' || tag === undefined) problems.push(`no latest tags: ${stage.image}`);
    // Pinned: an explicit tag other than latest (checked above); a digest, when given, must be a real one.
    if (digest !== undefined && !DIGEST.test(digest)) problems.push(`malformed digest: ${stage.image}`);
  }
  const users = parsed.final.filter((i) => i.getKeyword() === 'USER');
  const user = users.at(-1)?.getArgumentsContent()?.trim() ?? '';
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`non-root USER in the final stage: "${user || 'none'}"`);
  const allInstructions = parsed.stages.flatMap((s) => s.instructions);
  for (const add of allInstructions.filter((i) => i.getKeyword() === 'ADD')) {
    if (/\b(https?|ftp):\/\/|git@/.test(add.getArgumentsContent() ?? '')) {
      problems.push(`no ADD of URLs: ${add.getArgumentsContent()}`);
    }
  }
  for (const instruction of allInstructions.filter((i) => ['ENV', 'ARG'].includes(i.getKeyword()))) {
    for (const match of (instruction.getArgumentsContent() ?? '').matchAll(
      /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g,
    )) {
      const name = match[1] as string;
      if (SECRET_NAME.test(name)) problems.push(`no secrets in ${instruction.getKeyword()} names: ${name}`);
    }
  }
  if (expectHealthcheck && !parsed.healthcheck) problems.push('HEALTHCHECK CMD for a service with a port');
  if (!expectHealthcheck && text.match(/^\s*HEALTHCHECK\s+(?!NONE)/im)) {
    problems.push('no HEALTHCHECK for a workload without a port');
  }
  return problems;
}

const blocking = (text: string) => validate(text).filter((d) => d.severity === 1 || d.severity === 2);

describe('the project rules on Dockerfiles', () => {
  const good = [
    'FROM --platform=$BUILDPLATFORM node:20.20.2-bookworm-slim@sha256:' + 'a'.repeat(64) + ' AS build',
    'RUN echo bundle',
    'FROM gcr.io/distroless/nodejs20-debian12:nonroot@sha256:' + 'b'.repeat(64),
    'COPY --from=build /out /app',
    'USER 65532:65532',
    'ENTRYPOINT ["/nodejs/bin/node", "apps/main.mjs"]',
  ].join('\n');

  it('accept a pinned, multi-stage, non-root Dockerfile', () => {
    expect(projectRuleViolations(good, false)).toEqual([]);
  });

  it('reject latest and unpinned tags, root, ADD of a URL, secret-like names and a missing health check', () => {
    // GIVEN a Dockerfile that breaks every rule
    const bad = [
      'FROM node:latest AS build',
      'ARG NPM_TOKEN',
      'ADD https://example.com/tool.tgz /tool.tgz',
      'FROM gcr.io/distroless/nodejs20-debian12:nonroot',
      'ENV NODE_ENV=production API_KEY=abc',
      'USER root',
    ].join('\n');
    // WHEN / THEN
    expect(projectRuleViolations(bad, true)).toEqual([
      'no latest tags: node:latest',
      'non-root USER in the final stage: "root"',
      'no ADD of URLs: https://example.com/tool.tgz /tool.tgz',
      'no secrets in ARG names: NPM_TOKEN',
      'no secrets in ENV names: API_KEY',
      'HEALTHCHECK CMD for a service with a port',
    ]);
  });

  it('reject a HEALTHCHECK on a workload without a port and a single-stage image', () => {
    const single = `FROM gcr.io/distroless/nodejs20-debian12:nonroot@sha256:${'c'.repeat(64)}\nUSER 0\nHEALTHCHECK CMD ["x"]`;
    expect(projectRuleViolations(single, false)).toEqual([
      'multi-stage: needs a build stage and a runtime stage',
      'non-root USER in the final stage: "0"',
      'no HEALTHCHECK for a workload without a port',
    ]);
  });

  it('the linter reports a broken instruction as an error', () => {
    expect(blocking('FROM node@sha256:' + 'a'.repeat(64) + '\nHEALTHCHECK --interval=0s CMD ["x"]')).not.toEqual([]);
  });
});

describe('every workload has a Dockerfile', () => {
  it('one per workload of system.ts, and none that no workload uses', () => {
    // THEN
    for (const workload of system.workloads) {
      expect(existsSync(join(REPO_ROOT, dockerfileOf(workload))), `${workload.name}: ${dockerfileOf(workload)}`).toBe(
        true,
      );
    }
    const present = readdirSync(join(REPO_ROOT, 'usecases')).flatMap((folder) =>
      readdirSync(join(REPO_ROOT, 'usecases', folder))
        .filter((file) => file === 'Dockerfile' || file.startsWith('Dockerfile.'))
        .map((file) => `usecases/${folder}/${file}`),
    );
    expect(present.sort()).toEqual(system.workloads.map(dockerfileOf).sort());
  });
});

describe.each(system.workloads.map((workload) => ({ name: workload.name, workload })))(
  'the Dockerfile of $name',
  ({ workload }) => {
    const file = dockerfileOf(workload);
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const parsed = parseDockerfile(text);

    it('passes the dockerfile-utils linter with no errors or warnings', () => {
      expect(blocking(text)).toEqual([]);
    });

    it('follows the project rules (pinned, non-root, no URL ADD, no secret names, HEALTHCHECK iff it has a port)', () => {
      expect(projectRuleViolations(text, isServiceWithPort(workload))).toEqual([]);
    });

    it("builds the workload's own bundle on the build platform and runs it on distroless Node for the target", () => {
      const [build, runtime] = [parsed.stages[0], parsed.stages.at(-1)];
      // Built once on the builder's platform; the runtime stage follows --platform (amd64 or arm64).
      expect(build?.platform).toBe('$BUILDPLATFORM');
      expect(runtime?.platform).toBeUndefined();
      expect(runtime?.image).toBe('gcr.io/distroless/nodejs20-debian12:nonroot');
      const runs = parsed.stages.flatMap((s) => s.instructions).map((i) => i.getArgumentsContent() ?? '');
      expect(runs).toContain(`node packages/cli/bin/hf.js bundle ${workload.name} --out /out --assets copy`);
      const entrypoint = parsed.final.find((i) => i.getKeyword() === 'ENTRYPOINT')?.getArgumentsContent() ?? '[]';
      expect(JSON.parse(entrypoint)).toEqual([NODE_BINARY, '--enable-source-maps', bundledEntry(workload)]);
      const cmd = parsed.final.find((i) => i.getKeyword() === 'CMD')?.getArgumentsContent() ?? '[]';
      expect(JSON.parse(cmd)).toEqual(workload.command);
    });

    it('works with a read-only root filesystem: /tmp is a volume, world-writable with the sticky bit', () => {
      const volumes = parsed.final.filter((i) => i.getKeyword() === 'VOLUME').map((i) => i.getArgumentsContent());
      expect(volumes).toEqual(['["/tmp"]']);
      expect(text).toMatch(/chmod 1777 \/scratch\/tmp/);
      expect(text).toMatch(/COPY --from=build \/scratch\/tmp \/tmp/);
    });

    if (isServiceWithPort(workload)) {
      it('declares the health check ECS runs: node fetches the declared path on PORT, same timings', () => {
        const declared = workload.healthCheck as NonNullable<Workload['healthCheck']>;
        const check = parsed.healthcheck as HealthcheckSpec;
        expect(check.command.slice(0, 2)).toEqual([NODE_BINARY, '-e']);
        expect(check.command[2]).toContain(`process.env.PORT + '${declared.path}'`);
        expect(check.command[2]).toContain(`AbortSignal.timeout(${declared.timeoutSeconds * 1000})`);
        expect(check).toMatchObject({
          intervalSeconds: declared.intervalSeconds,
          timeoutSeconds: declared.timeoutSeconds,
          retries: declared.retries,
          startPeriodSeconds: declared.startPeriodSeconds,
        });
      });
    }
  },
);

describe('the HEALTHCHECK probe of the service images', () => {
  let server: Server;
  let port: number;
  let status = 200;
  const services = system.workloads.filter(isServiceWithPort);

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/health' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  // The probe is run with this machine's node in place of /nodejs/bin/node (the same Node 20 as the image).
  const probe = (workload: Workload) => {
    const check = parseDockerfile(readFileSync(join(REPO_ROOT, dockerfileOf(workload)), 'utf8')).healthcheck;
    const [, flag, script] = check?.command ?? [];
    return new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [flag as string, script as string], {
        env: { PATH: process.env.PATH, PORT: String(port) },
        stdio: 'ignore',
      });
      child.on('exit', (code) => resolve(code));
    });
  };

  it('has services to probe', () => {
    expect(services.map((w) => w.name)).toEqual(expect.arrayContaining(['backend', 'webapi', 'webapp']));
  });

  it('exits 0 when the health path answers 200 and 1 when it answers 503', async () => {
    for (const workload of services) {
      status = 200;
      expect(await probe(workload), `${workload.name} healthy`).toBe(0);
      status = 503;
      expect(await probe(workload), `${workload.name} unhealthy`).toBe(1);
    }
  });

  it('exits 1 when nothing listens on PORT', () => {
    const check = parseDockerfile(readFileSync(join(REPO_ROOT, dockerfileOf(services[0] as Workload)), 'utf8'))
      .healthcheck as HealthcheckSpec;
    // Port 1 on loopback: connection refused.
    const result = spawnSync(process.execPath, check.command.slice(1), { env: { PORT: '1' }, timeout: 10_000 });
    expect(result.status).toBe(1);
  });
});

interface DockerImageAsset {
  readonly source: { readonly directory: string; readonly dockerFile?: string; readonly platform?: string };
}

interface TaskContainer {
  readonly workloadName: string;
  readonly stackName: string;
  readonly imageHash: string;
  readonly cpuArchitecture: unknown;
  readonly healthCheck: { Command: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
}

describe('the synthesized task definitions', () => {
  let assembly: CloudAssembly;
  let containers: TaskContainer[];

  /** Every ECS container and Batch job container of the assembly, named by its HF_WORKLOAD variable. */
  function taskContainers(): TaskContainer[] {
    const found: TaskContainer[] = [];
    type Env = { Name: string; Value: unknown }[];
    const workloadOf = (environment: Env | undefined) =>
      String(environment?.find((variable) => variable.Name === 'HF_WORKLOAD')?.Value ?? '');
    const hashOf = (image: unknown) => /:([0-9a-f]{64})"?\}?$/.exec(JSON.stringify(image))?.[1] ?? '';
    for (const stack of assembly.stacks) {
      const resources = (stack.template as { Resources?: Record<string, { Type: string; Properties: never }> })
        .Resources;
      for (const resource of Object.values(resources ?? {})) {
        if (resource.Type === 'AWS::ECS::TaskDefinition') {
          const properties = resource.Properties as {
            RuntimePlatform?: { CpuArchitecture?: unknown };
            ContainerDefinitions: { Environment?: Env; Image: unknown; HealthCheck?: TaskContainer['healthCheck'] }[];
          };
          for (const container of properties.ContainerDefinitions) {
            found.push({
              workloadName: workloadOf(container.Environment),
              stackName: stack.stackName,
              imageHash: hashOf(container.Image),
              cpuArchitecture: properties.RuntimePlatform?.CpuArchitecture,
              healthCheck: container.HealthCheck as TaskContainer['healthCheck'],
            });
          }
        }
        if (resource.Type === 'AWS::Batch::JobDefinition') {
          const container = (
            resource.Properties as {
              ContainerProperties: {
                Environment?: Env;
                Image: unknown;
                RuntimePlatform?: { CpuArchitecture?: unknown };
              };
            }
          ).ContainerProperties;
          found.push({
            workloadName: workloadOf(container.Environment),
            stackName: stack.stackName,
            imageHash: hashOf(container.Image),
            cpuArchitecture: container.RuntimePlatform?.CpuArchitecture,
            healthCheck: undefined as never,
          });
        }
      }
    }
    return found;
  }

  /** The docker image asset `hash` of a stack, from its `*.assets.json`. */
  function imageAsset(stackName: string, hash: string): DockerImageAsset | undefined {
    const manifest = assembly
      .getStackByName(stackName)
      .dependencies.find(AssetManifestArtifact.isAssetManifestArtifact);
    if (!manifest) return undefined;
    const contents = JSON.parse(readFileSync(manifest.file, 'utf8')) as {
      dockerImages?: Record<string, DockerImageAsset>;
    };
    return contents.dockerImages?.[hash];
  }

  beforeAll(() => {
    // GIVEN the app of one environment (both build the same task definitions), synthesized once for these tests
    const built = buildApp({ outdir: mkdtempSync(join(tmpdir(), 'hf-images-')), environments: ['staging'] });
    assembly = built.app.synth();
    containers = taskContainers();
  });

  it('has one task container per workload of system.ts', () => {
    expect(containers.map((c) => c.workloadName).sort()).toEqual(system.workloads.map((w) => w.name).sort());
  });

  it("run an image asset built from the workload's own Dockerfile, staged unchanged, for linux/amd64", () => {
    for (const container of containers) {
      const workload = system.workload(container.workloadName);
      const asset = imageAsset(container.stackName, container.imageHash);
      expect(asset, `${workload.name}: image ${container.imageHash} is a docker image asset`).toBeDefined();
      expect(asset?.source.dockerFile, workload.name).toBe(dockerfileOf(workload));
      expect(asset?.source.platform, workload.name).toBe('linux/amd64');
      // The staged build context holds the Dockerfile byte for byte: that is what `docker build` reads.
      const staged = join(assembly.directory, asset?.source.directory ?? '', dockerfileOf(workload));
      expect(readFileSync(staged, 'utf8'), workload.name).toBe(
        readFileSync(join(REPO_ROOT, dockerfileOf(workload)), 'utf8'),
      );
    }
  });

  it('default to the X86_64 cpu architecture (Fargate Spot runs X86_64 only)', () => {
    for (const container of containers) expect(container.cpuArchitecture, container.workloadName).toBe('X86_64');
  });

  it('health-check exactly the services the Dockerfiles give a HEALTHCHECK, with the same path and timings', () => {
    for (const container of containers) {
      const workload = system.workload(container.workloadName);
      const image = parseDockerfile(readFileSync(join(REPO_ROOT, dockerfileOf(workload)), 'utf8')).healthcheck;
      if (!image) {
        expect(container.healthCheck, workload.name).toBeUndefined();
        continue;
      }
      expect(container.healthCheck.Command.slice(0, 3), workload.name).toEqual(['CMD', NODE_BINARY, '-e']);
      expect(container.healthCheck.Command[3]).toContain(`:${workload.port}${workload.healthCheck?.path}'`);
      expect(container.healthCheck, workload.name).toMatchObject({
        Interval: image.intervalSeconds,
        Timeout: image.timeoutSeconds,
        Retries: image.retries,
        StartPeriod: image.startPeriodSeconds,
      });
    }
  });
});
