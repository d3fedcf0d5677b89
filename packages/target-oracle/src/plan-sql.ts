/**
 * `target-oracle --plan-sql`: reads the Singer messages as a load would, connects to nothing, and
 * writes to stdout the Oracle DDL and DML the load would run, each distinct statement once, in
 * order (docs/oracle.md). In this mode stdout carries SQL, not Singer: no STATE is printed.
 * Honours default_target_schema, table_prefix, load_method, staging_method and oracle_compatible.
 */
import { Writable } from 'node:stream';
import { type ConnectorDefinition, openInput, SingerWriter } from '@wms-singer/singer';
import { targetDefinition } from './definition.js';
import { PlanDialect } from './dialects/oracle/oracle-plan.js';
import type { TargetConfig } from './settings.js';
import { Target } from './target.js';

/** One statement as a script line: `;` after SQL, `/` after a PL/SQL block, comments as they are. */
export function scriptLine(statement: string): string {
  if (statement.startsWith('--')) return statement;
  if (/^BEGIN\b/.test(statement)) return `${statement}\n/`;
  return `${statement};`;
}

export const planDefinition: ConnectorDefinition<TargetConfig> = {
  ...targetDefinition,
  async run(context) {
    const settings = context.config as TargetConfig & { oracle_compatible?: string; staging_method?: string };
    const dialect = new PlanDialect({
      compatible: settings.oracle_compatible ?? '19.0.0',
      stagingMethod: settings.staging_method === 'direct_path' ? 'direct_path' : 'array_insert',
      print: (statement) => context.output.writeLine(scriptLine(statement)),
      logger: context.logger,
    });
    // STATE messages go nowhere: stdout carries the SQL.
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const target = new Target({ ...settings, dialect: 'oracle' }, dialect, {
      ...context,
      output: new SingerWriter(discard),
    });
    await target.load(openInput(context.input));
  },
};
