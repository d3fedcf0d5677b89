// The checks' Oracle SQL: every statement parses with the PL/SQL grammar the target's statements
// are held to, and a whole run goes through the Oracle dialect's query runner on the recording
// test double (answers by SQL shape), with the results table created, written and committed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '@wms-singer/singer';
import { createOracleQueryRunner, type SessionSourceFactory } from 'target-oracle';
import { type FakeServer, RecordingOracle } from 'target-oracle/test-support/oracle-fake';
import { plsqlSyntaxErrors } from 'target-oracle/test-support/oracle-grammar';
import { runChecks } from '../src/runner.js';
import type { QualityConfig } from '../src/settings.js';
import type { WmsCounts } from '../src/wms-counts.js';
import { CHECK_NAMES } from './support/warehouse.js';

const logger = createLogger({ name: 'test', level: 'silent' });

type Layout = 'json' | 'flattened';

/** ALL_TAB_COLUMNS rows per table, for the JSON or flattened foreign keys, with the soft-delete column. */
function catalog(layout: Layout, resultsExist: () => boolean): Record<string, string[]> {
  const fk = (name: string) => (layout === 'json' ? [name] : [`${name}__ID`, `${name}__KEY`, `${name}__URL`]);
  return {
    ORDER_HDR: ['ID', 'ORDER_NBR', 'MOD_TS', '_SDC_DELETED_AT'],
    ORDER_DTL: ['ID', ...fk('ORDER_ID'), 'ORD_QTY', 'MOD_TS', '_SDC_DELETED_AT', '_SDC_BATCHED_AT'],
    ALLOCATION: ['ID', ...fk('ORDER_DTL_ID'), 'ALLOC_QTY', 'MOD_TS', '_SDC_DELETED_AT'],
    _SDC_REJECTS: ['STREAM', 'LINE_NUMBER', 'REASON', 'RECORD', 'REJECTED_AT'],
    ...(resultsExist() ? { WMS_QUALITY_RESULTS: ['RUN_ID', 'CHECK_NAME'] } : {}),
  };
}

/** A server answering by the shape of each query, as Oracle would for a small warehouse. */
function server(layout: Layout): FakeServer & { created: boolean } {
  const state = { created: false };
  const now = Date.now() / 1000;
  return Object.assign(state, {
    query: (sql: string, binds: Record<string, unknown> | undefined) => {
      if (sql.includes('ALL_TAB_COLUMNS')) {
        const columns = catalog(layout, () => state.created)[String(binds?.name)] ?? [];
        return { rows: columns.map((COLUMN_NAME) => ({ COLUMN_NAME })) };
      }
      if (sql.startsWith('CREATE TABLE')) {
        state.created = true;
        return { rowsAffected: 0 };
      }
      if (sql.includes('AS checked_rows')) return { rows: [{ CHECKED_ROWS: 1000, FAILING_ROWS: 2 }] };
      if (sql.startsWith('SELECT') && sql.includes(' AS id ')) return { rows: [{ ID: 17 }, { ID: 42 }] };
      if (sql.includes('AS newest') && sql.includes('MOD_TS')) {
        return { rows: [{ ROW_COUNT: 1000, NEWEST: now - 600, LOADED: now - 60 }] };
      }
      if (sql.includes('AS row_count') && sql.includes('_SDC_REJECTS')) {
        return { rows: [{ ROW_COUNT: 3, NEWEST: '2026-01-01T00:00:00.000Z' }] };
      }
      if (sql.includes('AS row_count')) return { rows: [{ ROW_COUNT: 1000 }] };
      if (sql.includes('AS failing_rows'))
        return { rows: [{ FAILING_ROWS: sql.includes('_SDC_REJECTS') ? 1 : 3 }] };
      if (sql.includes('AS stream')) return { rows: [{ STREAM: 'order_dtl', LINE_NUMBER: 12 }] };
      return undefined;
    },
  });
}

const config: QualityConfig = {
  dialect: 'oracle',
  user: 'loader',
  password: 'secret-password',
  connect_string: 'db:1521/FREEPDB1',
  default_target_schema: 'wms',
  table_prefix: '',
  checks: {},
  results_table: 'wms_quality_results',
  report_runs: 30,
};

/** A WMS that counts exactly what the fake holds. */
const wms = { count: async () => 1000, close: () => undefined } as unknown as WmsCounts;

for (const layout of ['json', 'flattened'] as const) {
  describe(`Oracle SQL of the checks (foreign keys as ${layout})`, () => {
    test('every statement parses with the PL/SQL grammar and the run completes on the test double', async () => {
      const fake = new RecordingOracle(server(layout));
      const source: SessionSourceFactory = async () => fake;
      const runner = await createOracleQueryRunner(config, logger, { sessionSource: source });
      const lines: string[] = [];
      const summary = await runChecks(config, { runner, logger, wms, line: (l) => lines.push(l) });
      await runner.close();

      const statements = fake.calls.filter((c) => c.kind === 'execute').map((c) => c.sql!);
      assert.ok(statements.length > 20, `${statements.length} statements`);
      for (const sql of statements) assert.deepEqual(plsqlSyntaxErrors(sql), [], sql);

      // the qualified, upper-case names the target uses; JSON_VALUE only for the JSON layout
      assert.ok(statements.some((s) => s.includes('FROM WMS.ORDER_DTL c LEFT JOIN WMS.ORDER_HDR p')));
      assert.equal(
        statements.some((s) => s.includes('JSON_VALUE')),
        layout === 'json',
      );
      assert.ok(statements.some((s) => s.includes('"_SDC_DELETED_AT" IS NULL')));
      assert.ok(statements.some((s) => s.includes('FETCH FIRST 20 ROWS ONLY')));

      // the results table: created once, one INSERT per check, each committed
      assert.equal(statements.filter((s) => s.startsWith('CREATE TABLE WMS.WMS_QUALITY_RESULTS')).length, 1);
      const inserts = fake.calls.filter(
        (c) => c.kind === 'execute' && c.sql!.startsWith('INSERT INTO WMS.WMS_QUALITY_RESULTS'),
      );
      assert.deepEqual(
        inserts.map((c) => c.binds?.check_name),
        CHECK_NAMES,
      );
      for (const insert of inserts) {
        const next = fake.calls[fake.calls.indexOf(insert) + 1];
        assert.equal(next?.kind, 'commit');
      }
      // what the fake answered decides the outcome: 2 (or 3) of 1000 failing is above 0.1%
      assert.deepEqual(
        summary.results.map((r) => [r.check_name, r.status, r.failing_rows]),
        [
          ['order_dtl_has_order_hdr', 'fail', 2],
          ['allocation_has_order_dtl', 'fail', 2],
          ['allocated_within_ordered', 'fail', 3],
          ['freshness', 'pass', 0],
          ['completeness', 'pass', 0],
          ['rejects', 'warn', 1],
        ],
      );
      assert.deepEqual(summary.results[0]!.failing_keys, ['17', '42']);
      assert.equal(summary.failed, true);
      assert.equal(lines.length, 6);
      assert.ok(fake.closed, 'the pool is closed');
      assert.ok(!JSON.stringify(fake.calls).includes('secret-password'));
    });
  });
}
