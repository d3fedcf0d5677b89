import { type Bookmark, getBookmark, type SingerWriter, type State, setBookmark } from '@wms-singer/singer';

/**
 * The run's state, shared by concurrent streams. Each update replaces one stream's bookmark
 * (never mutating the previous value) and the whole state goes out as one STATE message.
 */
export class StateBook {
  constructor(
    private value: State,
    private readonly output: SingerWriter,
  ) {}

  get(stream: string): Bookmark | undefined {
    return getBookmark(this.value, stream);
  }

  /** Replaces the stream's bookmark and writes the state. */
  put(stream: string, bookmark: Bookmark): void {
    this.value = setBookmark(this.value, stream, bookmark);
    this.output.writeState(this.value);
  }

  current(): State {
    return this.value;
  }
}
