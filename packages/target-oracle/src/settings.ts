import type { SettingSchema } from '@wms-singer/singer';

export type LoadMethod = 'upsert' | 'append-only' | 'overwrite';
export type InvalidRecordPolicy = 'fail' | 'skip' | 'dead_letter';

/** The engine's settings after validation (defaults filled); each dialect reads its own keys too. */
export interface TargetConfig {
  /** The name of a registered dialect (dialects/index.ts). */
  dialect: string;
  default_target_schema?: string;
  table_prefix: string;
  load_method: LoadMethod;
  batch_size_rows: number;
  batch_max_age_seconds: number;
  add_record_metadata: boolean;
  validate_records: boolean;
  invalid_record_policy: InvalidRecordPolicy;
  hard_delete: boolean;
  flattening_enabled: boolean;
  flattening_max_depth: number;
  [setting: string]: unknown;
}

/** Settings of the engine, whatever the database. */
export const engineSettings: Record<string, SettingSchema> = {
  default_target_schema: {
    type: 'string',
    title: 'Default target schema',
    description:
      'Schema (Oracle user) that receives the tables; the connection user when unset. Ignored by SQLite, which has one schema per file.',
  },
  table_prefix: {
    type: 'string',
    title: 'Table prefix',
    default: '',
    description: 'Prepended to every table name before normalisation (for example "wms_").',
  },
  load_method: {
    type: 'string',
    title: 'Load method',
    enum: ['upsert', 'append-only', 'overwrite'],
    default: 'upsert',
    description:
      'upsert merges on key_properties (last record per key wins); append-only inserts every record; overwrite replaces the table content with the first batch of the run, then merges.',
  },
  batch_size_rows: {
    type: 'integer',
    title: 'Batch size',
    minimum: 1,
    default: 10000,
    description: 'A stream flushes once this many records are buffered.',
  },
  batch_max_age_seconds: {
    type: 'number',
    title: 'Batch max age',
    minimum: 0,
    default: 60,
    description:
      'A stream flushes once its oldest buffered record is this old, so state reaches Meltano during long runs (0: only size, schema changes and end of input flush).',
  },
  add_record_metadata: {
    type: 'boolean',
    title: 'Add record metadata',
    default: false,
    description:
      'Adds the Meltano SDK _sdc_* columns (_sdc_extracted_at, _sdc_received_at, _sdc_batched_at, _sdc_deleted_at, _sdc_sequence, _sdc_table_version, _sdc_sync_started_at).',
  },
  validate_records: {
    type: 'boolean',
    title: 'Validate records',
    default: true,
    description: 'Validates every record against its stream schema (JSON Schema, ajv) before loading.',
  },
  invalid_record_policy: {
    type: 'string',
    title: 'Invalid record policy',
    enum: ['fail', 'skip', 'dead_letter'],
    default: 'fail',
    description:
      'What an invalid record (failing validation, or missing a key property) does: fail stops the run; skip counts and logs it; dead_letter also keeps it in the _sdc_rejects table.',
  },
  hard_delete: {
    type: 'boolean',
    title: 'Hard delete',
    default: false,
    description:
      'On ACTIVATE_VERSION, delete rows of older table versions instead of setting their _sdc_deleted_at.',
  },
  flattening_enabled: {
    type: 'boolean',
    title: 'Flattening',
    default: false,
    description: 'Nested objects become parent__child columns instead of JSON columns.',
  },
  flattening_max_depth: {
    type: 'integer',
    title: 'Flattening depth',
    minimum: 1,
    default: 1,
    description: 'Levels of nested objects flattened when flattening is enabled; deeper objects stay JSON.',
  },
};
