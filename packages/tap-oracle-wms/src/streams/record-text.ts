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

/**
 * Decimal fields sent as JSON numbers (`"cost":12.50`) become the same digits as a string
 * (`"cost":"12.50"`), so no float ever holds them. Records without such a value are returned
 * as they are; the scan looks only at the named fields.
 */
export function quoteDecimals(raws: string[], names: readonly string[]): string[] {
  const markers = names.map((name) => `"${name}":`);
  let out: string[] | undefined;
  for (let r = 0; r < raws.length; r++) {
    const raw = raws[r]!;
    let text = raw;
    for (const marker of markers) {
      const at = text.indexOf(marker);
      if (at === -1) continue;
      let start = at + marker.length;
      while (text.charCodeAt(start) === 0x20) start++;
      const c = text.charCodeAt(start);
      if (!(c === 0x2d || (c >= 0x30 && c <= 0x39))) continue;
      let end = start + 1;
      while (end < text.length && /[0-9eE+\-.]/.test(text[end]!)) end++;
      text = `${text.slice(0, start)}"${text.slice(start, end)}"${text.slice(end)}`;
    }
    if (text !== raw) {
      out ??= raws.slice();
      out[r] = text;
    }
  }
  return out ?? raws;
}
