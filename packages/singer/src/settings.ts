import { Ajv, type ErrorObject } from 'ajv';
import formatsModule from 'ajv-formats';
import { ConfigError } from './errors.js';
import type { JsonObject, JsonSchema } from './messages.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (
  ajv: Ajv,
) => Ajv;

/** One setting: JSON Schema plus the SDK's `secret` marker and a human `title`. */
export interface SettingSchema extends JsonSchema {
  title?: string;
  description: string;
  secret?: boolean;
  writeOnly?: boolean;
  default?: unknown;
  enum?: unknown[];
}

export interface SettingsSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, SettingSchema>;
  required?: string[];
}

/** Settings every connector built on this kit understands. */
export const COMMON_SETTINGS: Record<string, SettingSchema> = {
  log_level: {
    type: 'string',
    title: 'Log level',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'Level of the JSON log lines written to stderr (the LOG_LEVEL variable is used when unset).',
  },
  metrics_interval_seconds: {
    type: 'number',
    title: 'Metrics interval',
    minimum: 0,
    default: 60,
    description: 'Seconds between METRIC log lines for counters (0 logs them only at exit).',
  },
  stop_grace_seconds: {
    type: 'number',
    title: 'Stop grace period',
    minimum: 0,
    default: 120,
    description:
      'After SIGTERM or SIGINT, seconds allowed to commit what is buffered and print its state before the process exits without waiting (a second signal exits at once).',
  },
};

export function withCommonSettings(schema: SettingsSchema): SettingsSchema {
  return { ...schema, properties: { ...schema.properties, ...COMMON_SETTINGS } };
}

export const isSecretSetting = (setting: SettingSchema): boolean =>
  setting.secret === true || setting.writeOnly === true;

export function secretSettingNames(schema: SettingsSchema): string[] {
  return Object.entries(schema.properties)
    .filter(([, setting]) => isSecretSetting(setting))
    .map(([name]) => name);
}

/**
 * Validates a merged config against the connector's settings schema (the one `--about`
 * prints), fills defaults, and turns the first problem into one line naming the setting.
 */
export function validateConfig<Config>(schema: SettingsSchema, config: JsonObject): Config {
  const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true });
  ajv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
  // Without the formats a `"format": "uri"` setting would make strict ajv refuse the schema.
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const copy = structuredClone(config);
  numbersFromText(schema, copy);
  if (!validate(copy)) {
    const error = validate.errors?.[0];
    throw new ConfigError(
      'CONFIG_INVALID',
      error ? describeSettingError(schema, copy, error) : 'invalid config',
    );
  }
  return copy as Config;
}

// A plain decimal literal ("0.5", "60", "1e3"): no Infinity, NaN, hex or empty text.
const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// Strict ajv admits no union of types but with null, so ["number", "null"] is the only other form.
const isNumberSetting = (setting: SettingSchema): boolean =>
  Array.isArray(setting.type) ? setting.type.includes('number') : setting.type === 'number';

/**
 * A `number` setting also takes its value as numeric text ("0.5", "60"): Meltano hands a setting
 * of kind `string` over as text, and that is the kind meltano.yml gives number settings, because
 * Meltano 4 cannot serialise the `decimal` kind's value when it comes from a variable. Converted
 * in place before validation, so the range checks apply to the number; other text is refused.
 */
function numbersFromText(schema: SettingsSchema, config: JsonObject): void {
  for (const [name, setting] of Object.entries(schema.properties)) {
    const value = config[name];
    if (typeof value !== 'string' || !isNumberSetting(setting)) continue;
    const text = value.trim();
    const number = Number(text);
    if (!NUMERIC_TEXT.test(text) || !Number.isFinite(number)) {
      const shown = isSecretSetting(setting) ? '' : ` (got ${JSON.stringify(value)})`;
      throw new ConfigError('CONFIG_INVALID', `setting "${name}" must be a number${shown}`);
    }
    config[name] = number;
  }
}

function describeSettingError(schema: SettingsSchema, config: JsonObject, error: ErrorObject): string {
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    const parent = error.instancePath ? `${settingPath(error.instancePath)}.` : '';
    return `setting "${parent}${missing}" is required`;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    const parent = error.instancePath ? `${settingPath(error.instancePath)}.` : '';
    return `setting "${parent}${extra}" is not a known setting`;
  }
  const path = settingPath(error.instancePath);
  const top = path.split(/[.[]/)[0] ?? path;
  const setting = schema.properties[top];
  let shown = '';
  if (setting && !isSecretSetting(setting)) {
    const value = valueAt(config, error.instancePath);
    if (value !== undefined) shown = ` (got ${JSON.stringify(value)})`;
  }
  const detail =
    error.keyword === 'enum'
      ? `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
      : (error.message ?? 'is invalid');
  return `setting "${path}" ${detail}${shown}`;
}

function settingPath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
}

function valueAt(config: JsonObject, instancePath: string): unknown {
  let value: unknown = config;
  for (const part of instancePath.split('/').filter(Boolean)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The settings table of `--about --format markdown`. */
export function settingsMarkdown(schema: SettingsSchema): string {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(([name, setting]) => {
    const type = Array.isArray(setting.type) ? setting.type.join(' \\| ') : (setting.type ?? 'any');
    const allowed = setting.enum ? ` (${setting.enum.map((v) => `\`${String(v)}\``).join(', ')})` : '';
    const fallback =
      setting.default === undefined || isSecretSetting(setting)
        ? ''
        : `\`${JSON.stringify(setting.default)}\``;
    const notes = [required.has(name) ? 'required' : '', isSecretSetting(setting) ? 'secret' : '']
      .filter(Boolean)
      .join(', ');
    const description = `${setting.description}${allowed}`.replaceAll('|', '\\|').replaceAll('\n', ' ');
    return `| \`${name}\` | ${type} | ${notes} | ${fallback} | ${description} |`;
  });
  return [
    '| Setting | Type | Notes | Default | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
