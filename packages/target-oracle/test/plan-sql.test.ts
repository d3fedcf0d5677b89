// target-oracle --plan-sql: for every conformance stream, load method, staging method and server
// generation, the printed script parses with the PL/SQL grammar and runs on the rule-enforcing
// double without breaking any of Oracle's rules (docs/oracle.md lists them); stdout carries only SQL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Binds } from '../src/dialects/oracle/index.js';
import { CONFORMANCE_DIR, SUCCEEDING_STREAMS } from './support/oracle-corpus.js';
import { OracleDouble } from './support/oracle-double/index.js';
import { plsqlSyntaxErrors } from './support/oracle-grammar.js';
import { BIN } from './support/target-run.js';

const STREAMS = SUCCEEDING_STREAMS;

const VARIANTS: Array<{
  load_method: string;
  staging_method: string;
  oracle_compatible: string;
  version: number;
}> = [
  {
    load_method: 'upsert',
    staging_method: 'array_insert',
    oracle_compatible: '19.0.0',
    version: 1_926_000_000,
  },
  {
    load_method: 'overwrite',
    staging_method: 'direct_path',
    oracle_compatible: '23.0.0',
    version: 2_304_000_000,
  },
  {
    load_method: 'append-only',
    staging_method: 'array_insert',
    oracle_compatible: '21.0.0',
    version: 2_103_000_000,
  },
];

const dir = mkdtempSync(join(tmpdir(), 'plan-sql-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The script's statements: up to a line ending in `;`, or a PL/SQL block up to its `/` line. */
function statements(script: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of script.split('\n')) {
    if (line === '') continue;
    if (current.length === 0 && line.startsWith('--')) {
      out.push(line);
      continue;
    }
    if (line === '/') {
      out.push(current.join('\n'));
      current = [];
      continue;
    }
    current.push(line);
    if (line.endsWith(';') && !current[0]!.startsWith('BEGIN')) {
      out.push(current.join('\n').slice(0, -1));
      current = [];
    }
  }
  assert.deepEqual(current, [], 'the script ends with a whole statement');
  return out;
}

const parsed = new Map<string, string[]>();

for (const variant of VARIANTS) {
  test(`--plan-sql (${variant.load_method}, ${variant.staging_method}, COMPATIBLE ${variant.oracle_compatible}): every conformance stream's script parses and runs on the double`, async () => {
    let directPath = 0;
    for (const stream of STREAMS) {
      const config = join(dir, `${stream}-${variant.load_method}.json`);
      const { version: _, ...settings } = variant;
      writeFileSync(
        config,
        JSON.stringify({ dialect: 'oracle', default_target_schema: 'wms', table_prefix: 'p_', ...settings }),
      );
      const run = spawnSync(
        process.execPath,
        [BIN, '--plan-sql', '--config', config, '--input', join(CONFORMANCE_DIR, `${stream}.singer`)],
        {
          encoding: 'utf8',
          env: { ...process.env, LOG_LEVEL: 'warn' },
        },
      );
      assert.equal(run.status, 0, `${stream}: ${run.stderr}`);
      assert.doesNotMatch(run.stdout, /"type"\s*:\s*"STATE"|^\{/m, `${stream}: stdout carries SQL only`);
      const list = statements(run.stdout);
      assert.ok(
        list.some((s) => s.startsWith('CREATE TABLE WMS.P_')),
        `${stream}: no CREATE TABLE in the schema and prefix asked for`,
      );
      for (const s of list) if (!s.startsWith('--') && !parsed.has(s)) parsed.set(s, plsqlSyntaxErrors(s));
      // Run on a server of that generation: nothing may break Oracle's rules.
      const db = new OracleDouble({
        version: variant.version,
        compatible: variant.oracle_compatible,
        currentSchema: 'WMS',
      });
      const session = await db.acquire();
      for (const statement of list) {
        if (statement.startsWith('--')) continue;
        if (statement === 'COMMIT') {
          await session.commit();
          continue;
        }
        const binds: Binds = {};
        if (statement.includes(':version')) binds.version = 2;
        if (statement.includes(':deleted_at')) binds.deleted_at = '2025-01-01T00:00:00.0+00:00';
        try {
          if (/VALUES \(:1\b/.test(statement)) await session.executeMany(statement, [], []);
          else await session.execute(statement, binds);
        } catch (error) {
          assert.fail(`${stream}: the double refused\n  ${statement.slice(0, 300)}\n  ${String(error)}`);
        }
      }
      if (/-- node-oracledb directPathLoad into WMS\.STG_PLAN_\d+_P_/.test(run.stdout)) directPath++;
      if (variant.oracle_compatible === '23.0.0' && stream === 'schema_updates')
        assert.match(run.stdout, / BOOLEAN/);
    }
    // Tables without CLOB/JSON columns stage by direct path when asked; the others never do.
    assert.equal(directPath > 0, variant.staging_method === 'direct_path');
  });
}

test('every statement --plan-sql printed parses with the PL/SQL grammar', () => {
  assert.ok(parsed.size > 50, `only ${parsed.size} distinct statements`);
  const rejected = [...parsed]
    .filter(([, errors]) => errors.length > 0)
    .map(([s, e]) => `${e[0]}: ${s.slice(0, 200)}`);
  assert.deepEqual(rejected, []);
});
