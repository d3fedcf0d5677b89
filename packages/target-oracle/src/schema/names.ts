import { createHash } from 'node:crypto';

/**
 * The naming rule, for streams and properties alike (docs/target.md):
 * 1. lower-case the name;
 * 2. every character outside `[a-z0-9_]` becomes `_` (so `clientName` -> `clientname`,
 *    `order-dtl` -> `order_dtl`, `é` -> `_`);
 * 3. a name that is empty or starts with a digit gets a leading `_`;
 * 4. a name longer than the database's identifier limit keeps its first characters and ends with
 *    `_` plus 8 hex digits of the SHA-1 of the full normalised name, so it stays deterministic
 *    and distinct.
 * The result only ever holds `[a-z0-9_]`: no name can carry SQL into a statement.
 */
export function normaliseName(name: string, maxLength: number): string {
  let normalised = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (normalised.length === 0 || (normalised.charCodeAt(0) >= 48 && normalised.charCodeAt(0) <= 57)) {
    normalised = `_${normalised}`;
  }
  return shortenName(normalised, maxLength);
}

export function shortenName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const digest = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, Math.max(1, maxLength - 9))}_${digest}`;
}

/** Tracks names already handed out in one namespace, so a second source mapping to one name fails. */
export class NameRegistry {
  private readonly owners = new Map<string, string>();

  /** Returns the owner that already holds `name`, or undefined after claiming it for `owner`. */
  claim(name: string, owner: string): string | undefined {
    const holder = this.owners.get(name);
    if (holder !== undefined && holder !== owner) return holder;
    this.owners.set(name, owner);
    return undefined;
  }
}
