/**
 * RFC 3339 `date`, `time` and `date-time` checks accepting exactly what ajv-formats' "full" mode
 * accepts (calendar days, leap years, leap seconds, a required offset), read character by
 * character: its versions split and run capturing regexes, which allocate several strings per
 * value, and a WMS record carries up to a dozen such values.
 */

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The value of the two ASCII digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function dateAt(text: string, start: number): boolean {
  const century = twoDigits(text, start);
  const yy = twoDigits(text, start + 2);
  if (century < 0 || yy < 0 || text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45)
    return false;
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const year = century * 100 + yy;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS[month]!);
}

/** `HH:MM:SS[.f+]` then `Z` or `±HH[[:]MM]`, from `start` to the end of `text`. */
function timeAt(text: string, start: number): boolean {
  const end = text.length;
  if (end - start < 9) return false; // the shortest is HH:MM:SSZ
  const hr = twoDigits(text, start);
  const min = twoDigits(text, start + 3);
  const sec = twoDigits(text, start + 6);
  if (hr < 0 || min < 0 || sec < 0 || text.charCodeAt(start + 2) !== 58 || text.charCodeAt(start + 5) !== 58)
    return false;
  let at = start + 8;
  if (text.charCodeAt(at) === 46) {
    at++;
    const digits = at;
    while (at < end && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++;
    if (at === digits) return false;
  }
  if (at >= end) return false; // the offset is required
  const zone = text.charCodeAt(at);
  let tzSign = 1;
  let tzH = 0;
  let tzM = 0;
  if (zone === 90 || zone === 122) {
    if (at + 1 !== end) return false;
  } else if (zone === 43 || zone === 45) {
    tzSign = zone === 45 ? -1 : 1;
    tzH = twoDigits(text, at + 1);
    if (tzH < 0) return false;
    at += 3;
    if (at < end) {
      if (text.charCodeAt(at) === 58) at++;
      tzM = twoDigits(text, at);
      if (tzM < 0 || at + 2 !== end) return false;
    }
  } else return false;
  if (tzH > 23 || tzM > 59) return false;
  // The fraction never changes these comparisons: SS.f < 60 exactly when SS < 60.
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  // a leap second: 23:59:60 in UTC
  const utcMin = min - tzM * tzSign;
  const utcHr = hr - tzH * tzSign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

export function isDate(text: string): boolean {
  return text.length === 10 && dateAt(text, 0);
}

export function isTime(text: string): boolean {
  return timeAt(text, 0);
}

/** `t`, `T` or any character JavaScript's `\s` matches: the separators ajv-formats splits on. */
function isSeparator(code: number): boolean {
  return code === 84 || code === 116 || /\s/.test(String.fromCharCode(code));
}

export function isDateTime(text: string): boolean {
  return text.length > 10 && isSeparator(text.charCodeAt(10)) && dateAt(text, 0) && timeAt(text, 11);
}
