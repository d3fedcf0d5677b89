import type { JsonSchema } from '@wms-singer/singer';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isDate, isDateTime, isTime } from './date-formats.js';

// ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, options: { mode: 'fast' | 'full' }) => Ajv;

/** Decimal text as the Meltano SDK writes it for `"format": "singer.decimal"`. */
export const DECIMAL_TEXT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * One compiled validator per distinct schema (taps resend identical SCHEMA messages; compiling
 * is the expensive part, validating is a generated function).
 */
export class RecordValidators {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    // strict off: tap schemas carry annotations (selected, inclusion, ...) ajv does not know.
    this.ajv = new Ajv({ strict: false, allErrors: false, logger: false, validateFormats: true });
    addFormats(this.ajv, { mode: 'full' });
    // The same checks as 'full' mode, without its per-value allocations (see date-formats.ts).
    this.ajv.addFormat('date', { ...(fullFormats.date as object), validate: isDate });
    this.ajv.addFormat('time', { ...(fullFormats.time as object), validate: isTime });
    this.ajv.addFormat('date-time', { ...(fullFormats['date-time'] as object), validate: isDateTime });
    this.ajv.addFormat('singer.decimal', DECIMAL_TEXT);
  }

  validatorFor(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

/** The first validation error as `field "a.b": must be string`. */
export function describeValidationError(errors: ErrorObject[] | null | undefined): string {
  const error = errors?.[0];
  if (error === undefined) return 'record is invalid';
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (error.keyword === 'required') {
    path.push((error.params as { missingProperty: string }).missingProperty);
    return `field "${path.join('.')}": is required but missing`;
  }
  const detail = error.message ?? 'is invalid';
  return path.length === 0 ? `record ${detail}` : `field "${path.join('.')}": ${detail}`;
}
