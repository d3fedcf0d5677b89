/**
 * Deterministic 32-bit hashing: every generated value is a pure function of (seed, entity, id, version,
 * field salt), so a row never needs to be stored to be served again identically.
 */

export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Uniform in [0, 1). */
export function unit(h: number, salt: number): number {
  return mix(h, salt) / 4294967296;
}

/** Uniform integer in [0, n). */
export function below(h: number, salt: number, n: number): number {
  return Math.floor((mix(h, salt) / 4294967296) * n);
}

export function pick<T>(h: number, salt: number, list: readonly T[]): T {
  return list[below(h, salt, list.length)] as T;
}

/** A small seeded generator for choices that happen in sequence (advance, fault draws). */
export class Sequence {
  private state: number;
  constructor(seed: number) {
    this.state = mix(seed >>> 0, 0x5eed) || 1;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    return mix(this.state, 0x1234567) / 4294967296;
  }
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
