import { ScriptResponse, ScriptRule } from './types';

interface Active {
  rule: ScriptRule;
  seen: number;
  used: number;
}

/** Scripted answers that stand in for the real handler on matching paths. */
export class Scripts {
  private rules: Active[] = [];

  add(rule: ScriptRule): void {
    this.rules.push({ rule, seen: 0, used: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  match(path: string): ScriptResponse | null {
    for (const a of this.rules) {
      const times = a.rule.times ?? 1;
      if (!path.startsWith(a.rule.path) || a.used >= times) continue;
      a.seen++;
      if (a.seen <= (a.rule.afterRequests ?? 0)) continue;
      a.used++;
      return a.rule.respond;
    }
    return null;
  }
}
