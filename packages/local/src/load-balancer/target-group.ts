// A target group: registers the runner's replicas, health-checks them with ALB semantics, and picks one per request.

import type {
  LoadBalancerTarget,
  ResolvedHealthCheck,
  TargetHealth,
  TargetHealthState,
} from './load-balancer-options.js';
import { probeTarget } from './probe-target.js';
import { statusMatcher } from './status-matcher.js';

interface RegisteredTarget {
  readonly id: string;
  readonly url: string;
  state: TargetHealthState;
  reason: string | undefined;
  description: string | undefined;
  passes: number;
  failures: number;
  inFlight: number;
  probing: boolean;
}

/** A target handed out for one request; `release()` once the request is over. */
export interface TargetLease {
  readonly id: string;
  readonly url: string;
  release(): void;
}

export interface TargetGroupOptions {
  readonly targets: () => readonly LoadBalancerTarget[];
  readonly healthCheck: ResolvedHealthCheck;
}

export class TargetGroup {
  private readonly registered = new Map<string, RegisteredTarget>();
  private readonly matches: (status: number) => boolean;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private next = 0;

  constructor(private readonly options: TargetGroupOptions) {
    this.matches = statusMatcher(options.healthCheck.matcher);
  }

  /** Registers the current targets and probes every `intervalSeconds`; a new target is probed at once. */
  start(): this {
    this.timer = setInterval(() => this.round(), this.options.healthCheck.intervalSeconds * 1000);
    this.sync();
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /**
   * Round-robin over healthy targets. With none healthy, ALB fails open and routes to every registered target
   * (initial or unhealthy). Undefined when no target is registered (→ 503).
   */
  pick(): TargetLease | undefined {
    this.sync();
    const routable = [...this.registered.values()].filter((target) => target.state !== 'draining');
    const healthy = routable.filter((target) => target.state === 'healthy');
    const candidates = healthy.length > 0 ? healthy : routable;
    if (candidates.length === 0) return undefined;
    const target = candidates[this.next++ % candidates.length] as RegisteredTarget;
    target.inFlight++;
    let released = false;
    return {
      id: target.id,
      url: target.url,
      release: () => {
        if (released) return;
        released = true;
        target.inFlight--;
        if (target.state === 'draining' && target.inFlight === 0) this.registered.delete(target.id);
      },
    };
  }

  targetHealth(): TargetHealth[] {
    this.sync();
    return [...this.registered.values()].map(({ id, url, state, reason, description }) => ({
      id,
      url,
      state,
      reason,
      description,
    }));
  }

  /**
   * Registers targets new in `targets()` (state initial) and deregisters the ones that left it: dropped at once when
   * idle, else draining until their requests finish (ALB's deregistration delay is not reproduced).
   */
  private sync(): void {
    const current = new Map(this.options.targets().map((target) => [`${target.id} ${target.url}`, target]));
    for (const [key, target] of this.registered) {
      if (current.has(`${key} ${target.url}`) || target.state === 'draining') continue;
      if (target.inFlight === 0) {
        this.registered.delete(key);
      } else {
        target.state = 'draining';
        target.reason = 'Target.DeregistrationInProgress';
        target.description = 'Target deregistration is in progress';
      }
    }
    for (const target of current.values()) {
      // Known, or back while still draining (registered anew once drained).
      if (this.registered.has(target.id)) continue;
      const registered: RegisteredTarget = {
        id: target.id,
        url: target.url,
        state: 'initial',
        reason: 'Elb.RegistrationInProgress',
        description: 'Target registration is in progress',
        passes: 0,
        failures: 0,
        inFlight: 0,
        probing: false,
      };
      this.registered.set(target.id, registered);
      if (this.timer !== undefined) void this.probe(registered);
    }
  }

  private round(): void {
    if (this.stopped) return;
    this.sync();
    for (const target of this.registered.values()) {
      if (target.state !== 'draining' && !target.probing) void this.probe(target);
    }
  }

  private async probe(target: RegisteredTarget): Promise<void> {
    const { path, timeoutSeconds, healthyThresholdCount, unhealthyThresholdCount } = this.options.healthCheck;
    target.probing = true;
    if (target.state === 'initial') {
      target.reason = 'Elb.InitialHealthChecking';
      target.description = 'Initial health checks in progress';
    }
    const result = await probeTarget(target.url, path, timeoutSeconds * 1000, this.matches);
    target.probing = false;
    if (this.stopped || target.state === 'draining' || this.registered.get(target.id) !== target) return;
    if (result.ok) {
      target.failures = 0;
      target.passes++;
      if (target.state !== 'healthy' && target.passes >= healthyThresholdCount) {
        target.state = 'healthy';
        target.reason = undefined;
        target.description = undefined;
      }
    } else {
      target.passes = 0;
      target.failures++;
      if (target.state !== 'unhealthy' && target.failures >= unhealthyThresholdCount) target.state = 'unhealthy';
      if (target.state === 'unhealthy') {
        target.reason = result.reason;
        target.description = result.description;
      }
    }
  }
}
