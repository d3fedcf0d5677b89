import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plsqlSyntaxErrors } from './support/oracle-grammar.js';

// The harness must be able to fail: prove both directions before trusting it on generated SQL.
test('the PL/SQL grammar accepts a well-formed MERGE', () => {
  const sql = `MERGE INTO "WMS"."ORDER_HDR" t USING (SELECT * FROM STG s) s ON (t.ID = s.ID)
    WHEN MATCHED THEN UPDATE SET t.A = s.A WHEN NOT MATCHED THEN INSERT (ID, A) VALUES (s.ID, s.A)`;
  assert.deepEqual(plsqlSyntaxErrors(sql), []);
});

test('the PL/SQL grammar rejects a MERGE whose ON condition lacks parentheses', () => {
  const sql = `MERGE INTO T t USING (SELECT * FROM S) s ON t.ID = s.ID
    WHEN MATCHED THEN UPDATE SET t.A = s.A`;
  assert.notDeepEqual(plsqlSyntaxErrors(sql), []);
});

test('the PL/SQL grammar rejects 23ai-only CREATE TABLE IF NOT EXISTS', () => {
  assert.notDeepEqual(plsqlSyntaxErrors('CREATE TABLE IF NOT EXISTS T (A NUMBER)'), []);
});

test('the PL/SQL grammar rejects plain garbage and a truncated statement', () => {
  assert.notDeepEqual(plsqlSyntaxErrors('SELEKT 1 FROM DUAL'), []);
  assert.notDeepEqual(plsqlSyntaxErrors('INSERT INTO T (A) VALUES ('), []);
});
