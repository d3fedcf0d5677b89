/** Decides which requests fail and how: scheduled rules first, then a seeded share of requests. */
import { Sequence } from '../data/hash.js';
import {
  DEFAULT_RANDOM_FAULT_KINDS,
  type Endpoint,
  type FaultConfig,
  type FaultRule,
  MODE_FAULT_KINDS,
  REQUEST_FAULT_KINDS,
  type RequestFaultKind,
} from '../types.js';

export interface RequestFacts {
  endpoint: Endpoint;
  entity: string | undefined;
  page: number | undefined;
  bearer: boolean;
}

export function validateFaults(config: FaultConfig): void {
  const known = new Set<string>([...REQUEST_FAULT_KINDS, ...MODE_FAULT_KINDS]);
  for (const kind of config.kinds ?? []) {
    if (!known.has(kind)) throw new Error(`faults: unknown kind "${kind}" (known: ${[...known].join(', ')})`);
  }
  for (const rule of config.schedule ?? []) {
    if (!(REQUEST_FAULT_KINDS as readonly string[]).includes(rule.kind)) {
      throw new Error(`faults: unknown scheduled kind "${rule.kind}"`);
    }
  }
  if (config.rate !== undefined && !(config.rate >= 0 && config.rate <= 1)) {
    throw new Error(`faults: rate must be within 0..1, got ${config.rate}`);
  }
}

export class FaultPlan {
  readonly config: FaultConfig;
  private readonly rng: Sequence;
  private readonly matched: number[];
  private readonly fired: number[];
  private readonly randomKinds: RequestFaultKind[];

  constructor(config: FaultConfig | undefined, seed: number) {
    this.config = config ?? {};
    validateFaults(this.config);
    this.rng = new Sequence(this.config.seed ?? seed);
    const schedule = this.config.schedule ?? [];
    this.matched = schedule.map(() => 0);
    this.fired = schedule.map(() => 0);
    const kinds = this.config.kinds ?? DEFAULT_RANDOM_FAULT_KINDS;
    this.randomKinds = kinds.filter((k): k is RequestFaultKind =>
      (REQUEST_FAULT_KINDS as readonly string[]).includes(k),
    );
  }

  get phantomPage(): boolean {
    return this.config.phantomPage === true || (this.config.kinds ?? []).includes('phantom-page');
  }

  get stalePageCount(): number {
    if (this.config.stalePageCount !== undefined) return this.config.stalePageCount;
    return (this.config.kinds ?? []).includes('stale-page-count') ? 1 : 0;
  }

  orderingErrors(entity: string): readonly string[] {
    return this.config.orderingErrors?.[entity] ?? [];
  }

  private ruleMatches(rule: FaultRule, facts: RequestFacts): boolean {
    if (rule.endpoint !== undefined ? rule.endpoint !== facts.endpoint : facts.endpoint === 'token')
      return false;
    if (rule.entity !== undefined && rule.entity !== facts.entity) return false;
    if (rule.page !== undefined && rule.page !== facts.page) return false;
    return true;
  }

  /** The fault for this request, if any. Counts every matching request, so `nth` is deterministic. */
  choose(facts: RequestFacts): RequestFaultKind | undefined {
    const schedule = this.config.schedule ?? [];
    for (let i = 0; i < schedule.length; i++) {
      const rule = schedule[i] as FaultRule;
      if (!this.ruleMatches(rule, facts)) continue;
      const n = ++this.matched[i]!;
      const nth = rule.nth === undefined ? undefined : Array.isArray(rule.nth) ? rule.nth : [rule.nth];
      if (nth !== undefined && !nth.includes(n)) continue;
      const limit = rule.times ?? Number.POSITIVE_INFINITY;
      if ((this.fired[i] as number) >= limit) continue;
      this.fired[i]!++;
      return rule.kind;
    }
    const rate = this.config.rate ?? 0;
    if (rate <= 0 || facts.endpoint === 'token' || this.randomKinds.length === 0) return undefined;
    if (this.rng.next() >= rate) return undefined;
    const kind = this.randomKinds[this.rng.below(this.randomKinds.length)] as RequestFaultKind;
    // A Basic-auth client has no token to expire: that draw is a plain 401-free pass.
    return kind === 'token-expiry' && !facts.bearer ? undefined : kind;
  }
}
