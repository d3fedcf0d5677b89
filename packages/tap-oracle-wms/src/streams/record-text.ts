import type { JsonObject } from '@wms-singer/singer';

/**
 * Records travel as the JSON text the WMS sent. These are the few places the tap looks inside
 * one: a key's string value (mod_ts for the bookmark) and a projection when the WMS sent more
 * than `fields=` asked for or spread a record over several lines.
 */
export class RecordText {
  private readonly marker: string;

  constructor(private readonly key: string) {
    this.marker = `"${key}":"`;
  }

  /** The key's string value; the compact `"key":"value"` form is found without parsing. */
  valueOf(raw: string): unknown {
    const at = raw.indexOf(this.marker);
    if (at === -1) return (JSON.parse(raw) as JsonObject)[this.key];
    const start = at + this.marker.length;
    const end = raw.indexOf('"', start);
    return end === -1 ? undefined : raw.slice(start, end);
  }
}

/** Whether a record (its JSON text) carries a field outside the selection. */
export function hasFieldsBeyond(raw: string, selected: ReadonlySet<string>): boolean {
  for (const name in JSON.parse(raw) as JsonObject) if (!selected.has(name)) return true;
  return false;
}

/** The records re-serialised with only the selected fields, each on one line. */
export function projectRecords(raws: string[], fields: readonly string[]): string[] {
  return raws.map((raw) => {
    const record = JSON.parse(raw) as JsonObject;
    const projected: JsonObject = {};
    for (const name of fields) if (name in record) projected[name] = record[name];
    return JSON.stringify(projected);
  });
}
