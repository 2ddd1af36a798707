/**
 * The size budget's rules (scripts/size.mjs), on made-up measurements: the real measurement needs
 * a build and runs in `npm run check:package`. Here: over budget fails and says where the bytes
 * go, a new subpath falls back to the "*" default with a warning, no budget at all is a failure,
 * and the committed budget file budgets every subpath that exists today.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type SizeConfig, type SubpathSize, checkBudgets, formatTable, loadBudgets } from '../../scripts/size.mjs';

const size = (subpath: string, gzip: number): SubpathSize => ({ subpath, minified: gzip * 3, gzip, top: ['dist/x.js 1.0 KiB'] });
const config: SizeConfig = {
  budgets: { '*': { gzip: 1000 }, './webhooks': { gzip: 500 } },
  scenarios: { 'stripe only': { from: './webhooks', names: ['verifyStripeWebhook'], gzip: 200 } },
};

describe('checkBudgets', () => {
  it('passes sizes at or under their budgets', () => {
    expect(checkBudgets([size('./webhooks', 500)], [size('stripe only', 200)], config)).toEqual({ problems: [], warnings: [] });
  });

  it('fails a subpath one byte over, naming its largest inputs', () => {
    const { problems } = checkBudgets([size('./webhooks', 501)], [], config);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/\.\/webhooks: 501 B .* over its budget of 500 B .*dist\/x\.js/);
  });

  it('fails a scenario over its own budget', () => {
    expect(checkBudgets([], [size('stripe only', 201)], config).problems[0]).toMatch(/stripe only: 201 B/);
  });

  it('checks a subpath without its own line against "*" and warns', () => {
    const ok = checkBudgets([size('./payments', 999)], [], config);
    expect(ok.problems).toEqual([]);
    expect(ok.warnings.join('\n')).toMatch(/\.\/payments: no budget of its own/);
    expect(checkBudgets([size('./payments', 1001)], [], config).problems[0]).toMatch(/\.\/payments: 1001 B/);
  });

  it('fails a subpath when there is neither its own budget nor a default', () => {
    const { problems } = checkBudgets([size('./payments', 1)], [], { budgets: {} });
    expect(problems).toEqual(['./payments: no budget and no "*" default in scripts/size-budget.json']);
  });

  it('warns about a budget for a subpath that no longer exists', () => {
    expect(checkBudgets([], [], config).warnings).toEqual(['./webhooks: budgeted but not in package.json exports']);
  });

  it('warns, without failing, while a subpath is under its budget but over its target', () => {
    const withTarget: SizeConfig = { budgets: { './webhooks': { gzip: 500, target: 400 } } };
    expect(checkBudgets([size('./webhooks', 450)], [], withTarget)).toEqual({
      problems: [],
      warnings: ['./webhooks: 450 B min+gzip is still over its target of 400 B (budget 500 B)'],
    });
    expect(checkBudgets([size('./webhooks', 400)], [], withTarget)).toEqual({ problems: [], warnings: [] });
    expect(checkBudgets([size('./webhooks', 501)], [], withTarget).problems).toHaveLength(1);
  });

  it('prints the default and the share used', () => {
    const table = formatTable([size('./payments', 512)], [], config);
    expect(table).toContain('| `switchyard/payments` | 1.50 KiB | 0.50 KiB | 0.98 KiB (default) | 51 % |');
  });
});

describe('the committed budget file', () => {
  const committed = loadBudgets();
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };

  it('has a default and positive integer budgets', () => {
    expect(committed.budgets['*']).toBeDefined();
    for (const [name, budget] of Object.entries({ ...committed.budgets, ...committed.scenarios })) {
      expect(Number.isInteger(budget.gzip) && budget.gzip > 0, name).toBe(true);
    }
  });

  it('scenarios name subpaths that exist', () => {
    for (const scenario of Object.values(committed.scenarios ?? {})) expect(pkg.exports).toHaveProperty([scenario.from]);
  });

  it('records the 6 KB webhooks target next to the budget it has today', () => {
    expect(committed.budgets['./webhooks']?.target).toBe(6144);
  });

  it('holds the getting-started webhook path (Stripe + fromFetchRequest + replay guard) under 6 KB', () => {
    // check:package fails when this scenario's measured size exceeds its budget, so a budget of at
    // most 6144 B enforces the issue 11 target for what a host following the README ships.
    const [name, scenario] =
      Object.entries(committed.scenarios ?? {}).find(([, s]) => s.from === './webhooks' && s.names.length === 3) ?? [];
    expect(name, 'scenario missing').toBeDefined();
    expect([...(scenario?.names ?? [])].sort()).toEqual(['createReplayGuard', 'fromFetchRequest', 'verifyStripeWebhook']);
    expect(scenario?.gzip).toBeLessThanOrEqual(6144);
  });
});
