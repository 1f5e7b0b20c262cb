// Valid Fargate task sizes (cpu units → memory MiB), per the ECS task-size table.

const GiB = 1024;

function range(fromGiB: number, toGiB: number, stepGiB: number): number[] {
  const out: number[] = [];
  for (let g = fromGiB; g <= toGiB; g += stepGiB) out.push(g * GiB);
  return out;
}

/** Memory values (MiB) that Fargate accepts for each cpu value (CPU units, 1024 = 1 vCPU). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1, 4, 1),
  1024: range(2, 8, 1),
  2048: range(4, 16, 1),
  4096: range(8, 30, 1),
  8192: range(16, 60, 4),
  16384: range(32, 120, 8),
};

export const FARGATE_CPU_VALUES: readonly number[] = Object.keys(FARGATE_MEMORY_BY_CPU).map(Number);

/** Describes the memory Fargate allows for a cpu value, for error messages. */
export function describeMemoryFor(cpu: number): string {
  const values = FARGATE_MEMORY_BY_CPU[cpu];
  if (!values) return 'none';
  if (values.length <= 4) return values.join(', ');
  const first = values[0] as number;
  const last = values[values.length - 1] as number;
  const step = (values[1] as number) - first;
  return `${first}–${last} in steps of ${step}`;
}
