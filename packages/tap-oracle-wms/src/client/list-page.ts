/**
 * A list answer read without parsing its records: the tap forwards each record's JSON text as
 * the WMS sent it, so the per-record cost is a scan, not JSON.parse plus JSON.stringify (the
 * two largest costs of extraction). The scan checks what a forwarder must know: the answer is
 * complete (brackets balance, strings close), `results` is an array of objects, and whether a
 * record holds line breaks between tokens (then it must be re-serialised to stay on one line).
 * The envelope around `results` is parsed as ordinary JSON.
 */
export interface ListPage {
  /** Each record's JSON text. */
  records: string[];
  /** The envelope without `results` (next_page, page_nbr, ...). */
  envelope: Record<string, unknown>;
  /** False when some record contains a line break outside its strings. */
  compact: boolean;
}

export class ListPageError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/** Index of the quote closing the string whose opening quote is at `open`; -1 when it never closes. */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at !== -1) {
    let slashes = 0;
    for (let k = at - 1; text.charCodeAt(k) === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return -1;
}

function nextNonSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (c !== 0x20 && c !== NEWLINE && c !== RETURN && c !== 0x09) return at;
    at++;
  }
  return at;
}

export function readListPage(text: string): ListPage {
  const records: string[] = [];
  let compact = true;
  let depth = 0;
  let resultsOpen = -1;
  let resultsClose = -1;
  let recordStart = -1;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (end === -1) throw new ListPageError('a string never closes (truncated answer)');
      if (depth === 1 && resultsOpen === -1 && end - i === 8 && text.startsWith('"results"', i)) {
        const colon = nextNonSpace(text, end + 1);
        if (text.charCodeAt(colon) === COLON) {
          const value = nextNonSpace(text, colon + 1);
          if (text.charCodeAt(value) !== OPEN_BRACKET) throw new ListPageError('"results" is not an array');
          resultsOpen = value;
          depth = 2;
          i = value;
          continue;
        }
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth === 3 && resultsOpen !== -1 && resultsClose === -1) {
        if (c !== OPEN_BRACE) throw new ListPageError('a result is not an object');
        recordStart = i;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth < 0) throw new ListPageError('unbalanced brackets');
      if (resultsOpen !== -1 && resultsClose === -1) {
        if (depth === 2 && recordStart !== -1) {
          records.push(text.slice(recordStart, i + 1));
          recordStart = -1;
        } else if (depth === 1) {
          resultsClose = i;
        }
      }
    } else if ((c === NEWLINE || c === RETURN) && recordStart !== -1) {
      compact = false;
    } else if (depth === 2 && resultsOpen !== -1 && resultsClose === -1 && recordStart === -1) {
      // Between results only commas and white space may stand.
      if (c !== 0x2c && c !== 0x20 && c !== NEWLINE && c !== RETURN && c !== 0x09) {
        throw new ListPageError('a result is not an object');
      }
    }
  }
  if (depth !== 0) throw new ListPageError('brackets do not balance (truncated answer)');
  if (resultsOpen === -1 || resultsClose === -1) throw new ListPageError('no "results" array');
  let envelope: unknown;
  try {
    envelope = JSON.parse(`${text.slice(0, resultsOpen)}[]${text.slice(resultsClose + 1)}`);
  } catch (error) {
    throw new ListPageError(`the envelope is not JSON (${(error as Error).message})`);
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new ListPageError('the answer is not a JSON object');
  }
  return { records, envelope: envelope as Record<string, unknown>, compact };
}

const NEXT_PAGE_HEAD = /^\s*\{\s*"next_page"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/** `next_page` when it opens the answer (the sequenced envelope); undefined otherwise. */
export function peekNextPage(text: string): string | undefined {
  const match = NEXT_PAGE_HEAD.exec(text.slice(0, 8192));
  if (match === null) return undefined;
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return undefined;
  }
}
