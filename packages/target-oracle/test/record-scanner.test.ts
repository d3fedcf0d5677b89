// RecordScanner against the path it shortcuts: for every line, either the scanner declines it,
// or the parse, validate and build path takes it too and builds the same row. Lines are made to
// break each rule the scanner relies on; a scanner that took one of them fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type JsonSchema, parseMessage, type RecordMessage } from '@wms-singer/singer';
import type { CellValue } from '../src/dialects/dialect.js';
import { type EnvelopeTail, RecordScanner } from '../src/records/record-scanner.js';
import { describeValidationError, RecordValidators } from '../src/records/record-validator.js';
import { type RecordContext, RowBuilder } from '../src/records/row-builder.js';
import { ALL_METADATA, layoutStream, type MetadataField } from '../src/schema/stream-layout.js';

const conformance = fileURLToPath(new URL('../../../../test/fixtures/singer-conformance/', import.meta.url));
const validators = new RecordValidators();

interface Setup {
  scanner: RecordScanner | undefined;
  builder: RowBuilder;
  schema: JsonSchema;
  keys: string[];
  validate: boolean;
}

function setup(
  schema: JsonSchema,
  keys: string[],
  options: { flatten?: number; metadata?: MetadataField[]; validate?: boolean } = {},
): Setup {
  const layout = layoutStream('s', 1, schema, keys, [], {
    maxIdentifierLength: 128,
    flatteningMaxDepth: options.flatten ?? 0,
    metadata: options.metadata ?? [],
  });
  const builder = new RowBuilder(
    layout.columns,
    layout.columns.map((c) => c.type.kind),
    1_700_000_000_000,
  );
  const validate = options.validate ?? true;
  return {
    scanner: RecordScanner.compile('s', schema, layout, builder, validate),
    builder,
    schema,
    keys,
    validate,
  };
}

const context = (): RecordContext => ({
  timeExtracted: undefined,
  version: undefined,
  receivedAt: '2026-11-29T00:00:00.000Z',
  sequence: 7,
});

/** What Sink.add does with a parsed record: the row, or why it is refused (or the parse error). */
function slowPath(s: Setup, line: string): { row?: CellValue[]; refused?: string } {
  let message: RecordMessage;
  try {
    message = parseMessage(line, 1) as RecordMessage;
  } catch (error) {
    return { refused: `parse: ${(error as Error).message}` };
  }
  if (message.type !== 'RECORD') return { refused: 'not a record' };
  const record = message.record;
  if (s.validate) {
    const validate = validators.validatorFor(s.schema);
    if (!validate(record)) return { refused: describeValidationError(validate.errors) };
  }
  for (const key of s.keys) if (record[key] === undefined || record[key] === null) return { refused: 'key' };
  const problem = s.builder.exactProblem(record);
  if (problem !== undefined) return { refused: problem };
  const c = context();
  c.timeExtracted = message.time_extracted ?? undefined;
  c.version = message.version ?? undefined;
  return { row: s.builder.build(record, c) };
}

/** The scanner's row for the line, with metadata filled as Sink.addScanned does; undefined: declined. */
function fastPath(s: Setup, line: string): CellValue[] | undefined {
  const prefix = '{"type":"RECORD","stream":"s","record":';
  if (!line.startsWith(prefix)) return undefined;
  const tail: EnvelopeTail = { timeExtracted: undefined, version: undefined };
  // The line inside a larger text, as the reader hands it over (a newline after it).
  const text = `${line}\n{"type":"STATE","value":{}}\n`;
  const cells = s.scanner?.scan(text, 0, prefix.length, line.length, tail);
  if (cells === undefined) return undefined;
  const c = context();
  c.timeExtracted = tail.timeExtracted;
  c.version = tail.version;
  s.builder.fillMetadata(cells, c);
  return cells;
}

/** Checks one line; returns whether the scanner took it. */
function agree(s: Setup, line: string): boolean {
  const fast = fastPath(s, line);
  if (fast === undefined) return false;
  const slow = slowPath(s, line);
  assert.equal(
    slow.refused,
    undefined,
    `the scanner took a line the parse path refuses (${slow.refused}): ${line}`,
  );
  assert.deepEqual(fast, slow.row, `rows differ for ${line}`);
  return true;
}

const rel = {
  type: ['object', 'null'],
  properties: {
    id: { type: ['integer', 'null'] },
    key: { type: ['string', 'null'] },
    url: { type: ['string', 'null'] },
  },
};
const WMS: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'integer' },
    facility_id: rel,
    seq_nbr: { type: ['integer', 'null'] },
    ord_qty: { type: ['string', 'null'], format: 'singer.decimal' },
    po_nbr: { type: ['string', 'null'], maxLength: 5 },
    flg: { type: ['boolean', 'null'] },
    cust_date: { type: ['string', 'null'], format: 'date' },
    mod_ts: { type: ['string', 'null'], format: 'date-time' },
    amount: { type: ['number', 'null'] },
    note: { type: ['string', 'null'] },
    free: {},
  },
} as JsonSchema;

const good = {
  id: 18,
  facility_id: { id: 3, key: 'FAC3', url: 'https://h/facility/3/' },
  seq_nbr: 2,
  ord_qty: '34.5',
  po_nbr: 'P1',
  flg: false,
  cust_date: '2024-11-13',
  mod_ts: '2025-03-10T18:50:54.128382+05:30',
  amount: 12,
  note: 'Fragile',
  free: 'x',
};
const line = (record: unknown, tail = ',"time_extracted":"2026-11-29T15:32:23.928Z"'): string =>
  `{"type":"RECORD","stream":"s","record":${typeof record === 'string' ? record : JSON.stringify(record)}${tail}}`;
const withField = (field: string, raw: string): string => {
  const text = JSON.stringify(good);
  const value = JSON.stringify((good as Record<string, unknown>)[field]);
  return text.replace(`"${field}":${value}`, `"${field}":${raw}`);
};

/** Lines the scanner must decline or agree on; `taken` says which the scanner is expected to take. */
const CASES: { name: string; record: string; taken: boolean; tail?: string; flattened?: boolean }[] = [
  { name: 'a plain WMS record', record: JSON.stringify(good), taken: true },
  {
    name: 'nulls everywhere but the key',
    record: JSON.stringify({ id: 1, facility_id: null, note: null }),
    taken: true,
  },
  { name: 'missing properties', record: '{"id":5}', taken: true },
  { name: 'keys in another order', record: '{"note":"n","id":5,"seq_nbr":3}', taken: true },
  {
    name: 'a property the schema does not describe',
    record: '{"id":5,"extra":"x","more":12,"n":null}',
    taken: true,
  },
  { name: 'an undescribed object', record: '{"id":5,"extra":{"a":1}}', taken: false },
  { name: 'an array', record: withField('free', '[1,2]'), taken: false },
  { name: 'an escaped quote', record: withField('note', '"say \\"hi\\""'), taken: true },
  { name: 'a newline escape', record: withField('note', '"a\\nb"'), taken: true },
  { name: 'a unicode escape', record: withField('note', '"caf\\u00e9"'), taken: true },
  { name: 'an escaped unit separator', record: withField('note', '"a\\u001fb"'), taken: true },
  { name: 'a bad escape', record: withField('note', '"a\\qb"'), taken: false },
  { name: 'a raw tab in a string', record: withField('note', '"a\tb"'), taken: false },
  { name: 'a raw control character', record: withField('note', '"a\u0001b"'), taken: false },
  { name: 'an escaped key', record: '{"id":5,"no\\u0074e":"x"}', taken: false },
  { name: 'a 15-digit integer', record: withField('seq_nbr', '123456789012345'), taken: true },
  { name: 'a 16-digit integer', record: withField('seq_nbr', '1234567890123456'), taken: false },
  { name: 'twenty digits inside a string', record: withField('note', '"12345678901234567890"'), taken: true },
  { name: 'an exponent inside a string', record: withField('note', '"1e400"'), taken: true },
  { name: 'a 19-digit key', record: withField('id', '1234567890123456789'), taken: false },
  { name: 'a fraction in an integer column', record: withField('seq_nbr', '1.5'), taken: false },
  { name: 'an integer written 1.0', record: withField('seq_nbr', '1.0'), taken: false },
  { name: 'an exponent', record: withField('amount', '1e3'), taken: false },
  { name: 'a leading zero', record: withField('seq_nbr', '012'), taken: false },
  { name: 'minus zero', record: withField('seq_nbr', '-0'), taken: false },
  { name: 'a negative integer', record: withField('seq_nbr', '-42'), taken: true },
  { name: 'a string where an integer belongs', record: withField('seq_nbr', '"2"'), taken: false },
  { name: 'a number where a string belongs', record: withField('note', '5'), taken: false },
  { name: 'true in a boolean column', record: withField('flg', 'true'), taken: true },
  { name: 'a boolean where a string belongs', record: withField('note', 'true'), taken: false },
  { name: 'tru', record: withField('flg', 'tru'), taken: false },
  { name: 'maxLength exactly', record: withField('po_nbr', '"ABCDE"'), taken: true },
  { name: 'maxLength plus one', record: withField('po_nbr', '"ABCDEF"'), taken: false },
  {
    name: 'astral characters within maxLength in code points',
    record: withField('po_nbr', '"😀😀😀"'),
    taken: false,
  },
  { name: 'an escaped string over maxLength', record: withField('po_nbr', '"\\u0041BCDEF"'), taken: false },
  { name: 'a bad decimal', record: withField('ord_qty', '"1,5"'), taken: false },
  { name: 'a bad date', record: withField('cust_date', '"2024-02-30"'), taken: false },
  { name: 'a bad date-time', record: withField('mod_ts', '"2025-03-10 18:50"'), taken: false },
  { name: 'the key missing', record: '{"seq_nbr":1}', taken: false },
  { name: 'the key null', record: withField('id', 'null'), taken: false },
  { name: 'a key twice (the last wins)', record: '{"id":5,"note":"a","note":"b"}', taken: true },
  {
    name: 'a relation twice (the last wins whole)',
    record: `{"id":5,"facility_id":{"id":1,"key":"A"},"facility_id":{"id":2}}`,
    taken: true,
  },
  {
    name: 'a relation in another key order',
    record: '{"id":5,"facility_id":{"key":"A","id":1}}',
    taken: false,
    flattened: true,
  },
  {
    name: 'a relation with an unknown key',
    record: '{"id":5,"facility_id":{"id":1,"zz":1}}',
    taken: false,
    flattened: true,
  },
  { name: 'a relation with a wrong type', record: '{"id":5,"facility_id":{"id":"1"}}', taken: false },
  {
    name: 'a relation with an escaped value',
    record: '{"id":5,"facility_id":{"id":1,"key":"A\\"B"}}',
    taken: true,
  },
  {
    name: 'a relation with a non-canonical escape',
    record: '{"id":5,"facility_id":{"id":1,"key":"A\\/B"}}',
    taken: false,
    flattened: true,
  },
  { name: 'an empty relation', record: '{"id":5,"facility_id":{}}', taken: true },
  { name: 'a space after a colon', record: '{"id": 5}', taken: false },
  { name: 'trailing garbage', record: '{"id":5}x', taken: false },
  { name: 'no time_extracted', record: '{"id":5}', tail: '', taken: true },
  {
    name: 'time_extracted null and a version',
    record: '{"id":5}',
    tail: ',"time_extracted":null,"version":3',
    taken: true,
  },
  {
    name: 'a version first',
    record: '{"id":5}',
    tail: ',"version":3,"time_extracted":"2026-11-29T15:32:23Z"',
    taken: true,
  },
  { name: 'a bad time_extracted', record: '{"id":5}', tail: ',"time_extracted":"yesterday"', taken: false },
  { name: 'a fractional version', record: '{"id":5}', tail: ',"version":1.5', taken: false },
  { name: 'another envelope key', record: '{"id":5}', tail: ',"other":1', taken: false },
  {
    name: 'time_extracted twice',
    record: '{"id":5}',
    tail: ',"time_extracted":null,"time_extracted":null',
    taken: false,
  },
];

/** The same schema with every property typed: lines written in its order are read by one pattern. */
const TYPED: JsonSchema = {
  ...WMS,
  properties: { ...(WMS as { properties: object }).properties, free: { type: ['string', 'null'] } },
} as JsonSchema;

describe('RecordScanner', () => {
  test('a typed schema gets the line pattern; an untyped property or no validation leaves it out', () => {
    assert.equal(setup(TYPED, ['id']).scanner?.patterned, true);
    assert.equal(setup(WMS, ['id']).scanner?.patterned, false);
    assert.equal(setup(TYPED, ['id'], { validate: false }).scanner?.patterned, false);
    assert.equal(setup(TYPED, ['id'], { flatten: 1 }).scanner?.patterned, false);
  });

  test('the line pattern: every line declined or built as the parse path builds it', () => {
    const s = setup(TYPED, ['id']);
    for (const c of CASES) {
      const taken = agree(s, line(c.record, c.tail));
      // `free` is a string here: an array or another type there is declined by the type.
      if (!c.record.includes('"free":')) assert.equal(taken, c.taken, `${c.name}: taken`);
    }
    // Written by the tap: every property, in order, so the pattern reads it.
    const full = JSON.stringify({ ...good, free: null });
    assert.ok(agree(s, line(full)));
    assert.ok(
      agree(s, line(full.replace('"note":"Fragile"', '"note":"say \\"hi\\""'))),
      'escapes: the scanner reads it',
    );
    assert.ok(
      !agree(
        s,
        line(full.replace('"mod_ts":"2025-03-10T18:50:54.128382+05:30"', '"mod_ts":"2025-13-10T18:50:54Z"')),
      ),
      'a bad date-time',
    );
    assert.ok(!agree(s, line(full.replace('"po_nbr":"P1"', '"po_nbr":"P123456"'))), 'over maxLength');
    assert.ok(!agree(s, line(full.replace('"id":18', '"id":null'))), 'a null key');
    assert.ok(!agree(s, line(full, ',"time_extracted":"not a time"')), 'a bad time_extracted');
    assert.ok(agree(s, line(full, ',"time_extracted":null,"version":4')));
  });

  for (const variant of [
    { name: 'relations as JSON', options: {} },
    { name: 'relations flattened', options: { flatten: 1 } },
    { name: 'with the metadata columns', options: { metadata: ALL_METADATA } },
    { name: 'without validation', options: { validate: false } },
  ]) {
    test(`${variant.name}: every line declined or built as the parse path builds it`, () => {
      const s = setup(WMS, ['id'], variant.options);
      assert.ok(s.scanner !== undefined, 'the WMS schema has a scanner');
      for (const c of CASES) {
        const taken = agree(s, line(c.record, c.tail));
        // Without validation, type errors are no refusals: only the parse rules must hold.
        // Flattened, a relation's cells are its values: its text need not be JSON.stringify's.
        const expected = variant.options.flatten === 1 ? (c.flattened ?? c.taken) : c.taken;
        if (variant.options.validate !== false) assert.equal(taken, expected, `${c.name}: taken`);
        else if (c.taken) assert.ok(taken, `${c.name}: taken without validation`);
      }
    });
  }

  test('metadata: _sdc_deleted_at read from the record, the rest from the context', () => {
    const s = setup(WMS, ['id'], {
      metadata: ['_sdc_deleted_at', '_sdc_table_version', '_sdc_extracted_at'],
    });
    const row = fastPath(
      s,
      line(
        '{"id":5,"_sdc_deleted_at":"2026-01-01T00:00:00Z"}',
        ',"version":9,"time_extracted":"2026-11-29T15:32:23Z"',
      ),
    );
    assert.ok(row !== undefined);
    assert.ok(row.includes('2026-01-01T00:00:00Z'));
    assert.ok(row.includes(9));
    assert.ok(row.includes('2026-11-29T15:32:23Z'));
    assert.ok(agree(s, line('{"id":5,"_sdc_deleted_at":"2026-01-01T00:00:00Z"}', ',"version":9')));
  });

  test('a schema keyword the scanner does not read leaves the stream without a scanner', () => {
    for (const extra of [
      { minLength: 1 },
      { pattern: '^a' },
      { enum: ['a'] },
      { format: 'email' },
      { anyOf: [{ type: 'string' }] },
    ]) {
      const schema = {
        type: 'object',
        properties: { id: { type: 'integer' }, a: { type: 'string', ...extra } },
      };
      assert.equal(setup(schema as JsonSchema, ['id']).scanner, undefined, JSON.stringify(extra));
    }
    const closed = { type: 'object', additionalProperties: false, properties: { id: { type: 'integer' } } };
    assert.equal(setup(closed as JsonSchema, ['id']).scanner, undefined, 'additionalProperties');
  });

  test('the conformance streams, written compactly as our tap writes: declined or built alike', () => {
    let taken = 0;
    for (const file of readdirSync(conformance).filter((f) => f.endsWith('.singer'))) {
      const streams = new Map<string, Setup>();
      for (const raw of readFileSync(join(conformance, file), 'utf8').split('\n')) {
        if (raw.trim() === '') continue;
        let message: { type?: string; stream?: string; schema?: JsonSchema; key_properties?: string[] };
        try {
          message = JSON.parse(raw);
        } catch {
          continue;
        }
        if (message.type === 'SCHEMA' && message.stream !== undefined) {
          try {
            streams.set(message.stream, setup(message.schema!, message.key_properties ?? []));
          } catch {
            streams.delete(message.stream); // a schema the engine refuses (invalid_schema.singer)
          }
        } else if (message.type === 'RECORD' && message.stream !== undefined) {
          const s = streams.get(message.stream);
          if (s === undefined) continue;
          const compact = JSON.stringify({ ...message, stream: 's' });
          if (agree(s, compact)) taken++;
        }
      }
    }
    assert.ok(taken > 20, `the scanner took ${taken} conformance records`);
  });
});
