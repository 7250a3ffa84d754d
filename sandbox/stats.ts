import { SandboxStats } from './types';

export class Stats {
  private s: SandboxStats = Stats.empty();
  private inFlight = new Map<string, number>();

  private static empty(): SandboxStats {
    return { requests: 0, byGroup: {}, status429: 0, faults: 0, byStatus: {}, maxInFlightByGroup: {} };
  }

  begin(group: string): void {
    this.s.requests++;
    this.s.byGroup[group] = (this.s.byGroup[group] ?? 0) + 1;
    const n = (this.inFlight.get(group) ?? 0) + 1;
    this.inFlight.set(group, n);
    if (n > (this.s.maxInFlightByGroup[group] ?? 0)) this.s.maxInFlightByGroup[group] = n;
  }

  end(group: string): void {
    this.inFlight.set(group, Math.max(0, (this.inFlight.get(group) ?? 1) - 1));
  }

  status(code: number): void {
    this.s.byStatus[String(code)] = (this.s.byStatus[String(code)] ?? 0) + 1;
    if (code === 429) this.s.status429++;
  }

  fault(): void {
    this.s.faults++;
  }

  snapshot(): SandboxStats {
    return JSON.parse(JSON.stringify(this.s)) as SandboxStats;
  }

  reset(): void {
    this.s = Stats.empty();
    // in-flight requests still count towards concurrency after a reset
    for (const [g, n] of this.inFlight) if (n > 0) this.s.maxInFlightByGroup[g] = n;
  }
}
