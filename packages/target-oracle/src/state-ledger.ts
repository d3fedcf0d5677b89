/**
 * STATE messages waiting for the records before them to commit. A state is released once every
 * record that arrived before it is committed; of the states released together only the last is
 * printed (it supersedes the others), and a state identical to the one printed before is not
 * printed again.
 */
export class StateLedger {
  private lines: number[] = [];
  private texts: string[] = [];
  private lastPrinted: string | undefined;
  private static readonly LIMIT = 1024;

  push(lineNumber: number, value: unknown): void {
    this.lines.push(lineNumber);
    this.texts.push(JSON.stringify(value));
    // A tap may send a state per record: thin the queue (dropping a superseded state only
    // makes progress reports coarser, never wrong), so memory stays bounded.
    if (this.lines.length > StateLedger.LIMIT) {
      const last = this.lines.length - 1;
      this.lines = this.lines.filter((_, i) => (last - i) % 2 === 0);
      this.texts = this.texts.filter((_, i) => (last - i) % 2 === 0);
    }
  }

  /** The state text to print now that every record before `watermark` is committed, if any. */
  release(watermark: number): string | undefined {
    let covered = 0;
    while (covered < this.lines.length && this.lines[covered]! < watermark) covered++;
    if (covered === 0) return undefined;
    const text = this.texts[covered - 1]!;
    this.lines.splice(0, covered);
    this.texts.splice(0, covered);
    if (text === this.lastPrinted) return undefined;
    this.lastPrinted = text;
    return text;
  }

  get waiting(): number {
    return this.lines.length;
  }
}
