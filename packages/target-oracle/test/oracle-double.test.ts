// The rule-enforcing double must be able to fail: each Oracle rule (docs/oracle.md) it stands
// in for is shown refusing a statement that breaks it (and accepting its lawful twin), so a test
// that passes on the double is not passing because the double lets everything through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OracleSession } from '../src/dialects/oracle/index.js';
import { OracleDouble } from './support/oracle-double/index.js';

async function session(options: ConstructorParameters<typeof OracleDouble>[0] = {}) {
  const db = new OracleDouble(options);
  return { db, s: await db.acquire() };
}

const refuses = async (s: OracleSession, sql: string, code: string) =>
  assert.rejects(s.execute(sql), (error: Error & { code?: string }) => {
    assert.equal(error.code, code, `${sql}: ${error.message}`);
    return true;
  });

test('keys: ORA-02329 for TIMESTAMP WITH TIME ZONE or a LOB in a primary key, ORA-01450 past the index key bytes', async () => {
  const { s } = await session();
  await refuses(
    s,
    'CREATE TABLE A (T TIMESTAMP(6) WITH TIME ZONE NOT NULL, CONSTRAINT A_PK PRIMARY KEY (T))',
    'ORA-02329',
  );
  await s.execute('CREATE TABLE A (T TIMESTAMP(6) NOT NULL, CONSTRAINT A_PK PRIMARY KEY (T))');
  await refuses(s, 'CREATE TABLE B (C CLOB NOT NULL, CONSTRAINT B_PK PRIMARY KEY (C))', 'ORA-02329');
  await refuses(
    s,
    'CREATE TABLE C (X VARCHAR2(1000 CHAR), Y VARCHAR2(1000 CHAR), CONSTRAINT C_PK PRIMARY KEY (X, Y))',
    'ORA-01450',
  );
  await s.execute(
    'CREATE TABLE C (X VARCHAR2(796 CHAR), Y VARCHAR2(796 CHAR), CONSTRAINT C_PK PRIMARY KEY (X, Y))',
  );
  await s.execute('CREATE TABLE D (X CLOB, Y NUMBER)');
  await refuses(s, 'CREATE INDEX D_IX ON D (X)', 'ORA-02327');
});

test('identifiers: ORA-00972 past the byte limit (30 below COMPATIBLE 12.2), ORA-00904 for an unquoted reserved word', async () => {
  const { s } = await session({ compatible: '12.1.0' });
  await refuses(s, `CREATE TABLE ${'T'.repeat(31)} (A NUMBER)`, 'ORA-00972');
  await s.execute(`CREATE TABLE ${'T'.repeat(30)} (A NUMBER)`);
  await refuses(s, 'CREATE TABLE E (ORDER NUMBER)', 'ORA-00904');
  await s.execute('CREATE TABLE E ("ORDER" NUMBER)');
});

test('types: JSON and BOOLEAN only where COMPATIBLE allows; MODIFY to a LOB is ORA-22858', async () => {
  const old = await session({ version: 2_103_000_000, compatible: '19.0.0' });
  await refuses(old.s, 'CREATE TABLE J (D JSON)', 'ORA-00902');
  const modern = await session({ version: 2_304_000_000, compatible: '23.0.0' });
  await modern.s.execute('CREATE TABLE J (D JSON, B BOOLEAN, V VARCHAR2(10 CHAR))');
  await refuses(modern.s, 'ALTER TABLE J MODIFY (V CLOB)', 'ORA-22858');
  await modern.s.execute('ALTER TABLE J MODIFY (V VARCHAR2(20 CHAR))');
});

test('conversions: a leap second, year 0000, a 16-hour offset, 1E126, too many digits for NUMBER(19), and JSON_ARRAY past 4000 bytes', async () => {
  const { s } = await session();
  await s.execute(
    'CREATE TABLE V (N NUMBER(19), T TIMESTAMP(6) WITH TIME ZONE, S VARCHAR2(1000 CHAR), C CLOB)',
  );
  const f = `'YYYY-MM-DD"T"HH24:MI:SS.FFTZH:TZM'`;
  await refuses(
    s,
    `INSERT INTO V (T) VALUES (TO_TIMESTAMP_TZ('2016-12-31T23:59:60.0+00:00', ${f}))`,
    'ORA-01852',
  );
  await refuses(
    s,
    `INSERT INTO V (T) VALUES (TO_TIMESTAMP_TZ('0000-01-01T00:00:00.0+00:00', ${f}))`,
    'ORA-01841',
  );
  await refuses(
    s,
    `INSERT INTO V (T) VALUES (TO_TIMESTAMP_TZ('2025-01-01T00:00:00.0+16:00', ${f}))`,
    'ORA-01874',
  );
  await s.execute(`INSERT INTO V (T) VALUES (TO_TIMESTAMP_TZ('2025-01-01T00:00:00.0+14:00', ${f}))`);
  await refuses(s, "INSERT INTO V (N) VALUES (TO_NUMBER('1e126'))", 'ORA-01426');
  await refuses(s, "INSERT INTO V (N) VALUES (TO_NUMBER('12345678901234567890'))", 'ORA-01438');
  await s.execute("INSERT INTO V (N) VALUES (TO_NUMBER('9223372036854775807'))");
  await s.execute(`INSERT INTO V (S) VALUES ('${'😀'.repeat(1000)}')`); // 4000 bytes
  await refuses(s, 'UPDATE V SET C = JSON_ARRAY(S)', 'ORA-40478');
  await s.execute('UPDATE V SET C = JSON_ARRAY(N)');
});

test('transactions: DDL commits what came before it; a direct-path insert forbids reading the table until COMMIT (ORA-12838)', async () => {
  const { db, s } = await session();
  await s.execute('CREATE TABLE T1 (A NUMBER)');
  await s.execute('INSERT INTO T1 (A) VALUES (1)');
  await s.execute('CREATE TABLE T2 (A NUMBER)'); // commits the insert
  await s.rollback();
  assert.equal(db.rowsOf('LOADER', 'T1').length, 1, 'the DDL committed the row');
  await s.execute('INSERT /*+ APPEND */ INTO T2 (A) SELECT A FROM T1');
  await refuses(s, 'SELECT A FROM T2', 'ORA-12838');
  await s.commit();
  await s.execute('SELECT A FROM T2');
  assert.equal(db.table('LOADER', 'T2')!.segmentRows, 1);
});

test('a lost session keeps its locks: DDL meets ORA-00054, DML waits for ever without a call timeout, NJS-123 with one', async () => {
  const db = new OracleDouble();
  const first = await db.acquire();
  await first.execute('CREATE TABLE L (A NUMBER)');
  db.loseConnectionAfter((sql) => sql.startsWith('INSERT'), 10);
  await assert.rejects(first.execute('INSERT INTO L (A) VALUES (1)'), /NJS-500/);
  const second = await db.acquire();
  await refuses(second, 'ALTER TABLE L ADD (B NUMBER)', 'ORA-00054');
  await assert.rejects(second.execute('INSERT INTO L (A) VALUES (2)'), /would wait for ever/);
  second.callTimeout = 1000;
  await refuses(second, 'INSERT INTO L (A) VALUES (2)', 'NJS-123');
});
