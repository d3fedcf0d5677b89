import type { ColumnType } from '../dialect.js';

/**
 * Declared SQLite types. SQLite decides a column's affinity from its declared type name, and a
 * NUMERIC/DECIMAL affinity would turn "12.50" into the float 12.5: every exact value is declared
 * with a name containing TEXT (TEXT affinity keeps it as sent) and none contains INT (which would
 * win). The names are distinct so introspection maps a column back to its logical type.
 */
export function declaredType(type: ColumnType): string {
  switch (type.kind) {
    case 'string':
      return type.maxLength === undefined ? 'TEXT' : `VARCHAR(${type.maxLength})`;
    case 'integer':
      return 'INTEGER';
    case 'decimal':
      return 'DECIMAL_TEXT';
    case 'number':
      return 'REAL';
    case 'boolean':
      return 'BOOLEAN';
    case 'datetime':
      return 'DATETIME_TEXT';
    case 'date':
      return 'DATE_TEXT';
    case 'time':
      return 'TIME_TEXT';
    case 'json':
      return 'JSON_TEXT';
  }
}

/** Declared type -> logical type; a table made by someone else maps by SQLite's affinity rules. */
export function logicalType(declared: string): ColumnType {
  const upper = declared.trim().toUpperCase();
  switch (upper) {
    case 'TEXT':
      return { kind: 'string' };
    case 'INTEGER':
      return { kind: 'integer' };
    case 'DECIMAL_TEXT':
      return { kind: 'decimal' };
    case 'REAL':
      return { kind: 'number' };
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'DATETIME_TEXT':
      return { kind: 'datetime' };
    case 'DATE_TEXT':
      return { kind: 'date' };
    case 'TIME_TEXT':
      return { kind: 'time' };
    case 'JSON_TEXT':
      return { kind: 'json' };
  }
  const varchar = /^VARCHAR\((\d+)\)$/.exec(upper);
  if (varchar !== null) return { kind: 'string', maxLength: Number(varchar[1]) };
  if (upper.includes('INT')) return { kind: 'integer' };
  if (upper.includes('CHAR') || upper.includes('CLOB') || upper.includes('TEXT')) return { kind: 'string' };
  if (upper.includes('REAL') || upper.includes('FLOA') || upper.includes('DOUB')) return { kind: 'number' };
  if (upper === '' || upper.includes('BLOB')) return { kind: 'json' };
  return { kind: 'decimal' }; // NUMERIC affinity
}

/** `"name"` with embedded quotes doubled; engine names are `[a-z0-9_]` already, this is the belt. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
