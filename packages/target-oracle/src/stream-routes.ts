import {
  type ActivateVersionMessage,
  type JsonObject,
  type RecordMessage,
  type SchemaMessage,
  SingerError,
  type StreamDecision,
  type StreamMaps,
} from '@wms-singer/singer';

/**
 * `stream_maps` on the way in: each incoming stream is passed as it is, dropped, or mapped
 * (renamed, filtered, its properties rewritten), decided when its SCHEMA arrives. The target
 * builds no StreamRoutes without stream maps, so its record path has nothing extra to do.
 */
export class StreamRoutes {
  private readonly decisions = new Map<string, StreamDecision>();

  constructor(private readonly maps: StreamMaps) {}

  /** The SCHEMA as the engine sees it; undefined when the stream is dropped. */
  schema(message: SchemaMessage): SchemaMessage | undefined {
    const decision = this.maps.forStream(message.stream, message.schema, message.key_properties ?? []);
    this.decisions.set(message.stream, decision);
    if (decision.kind === 'drop') return undefined;
    if (decision.kind === 'same') return message;
    const { mapped } = decision;
    const bookmarks = (message.bookmark_properties ?? []).filter(
      (name) => mapped.schema.properties?.[name] !== undefined,
    );
    return {
      ...message,
      stream: mapped.stream,
      schema: mapped.schema,
      key_properties: mapped.keyProperties,
      ...(bookmarks.length > 0 ? { bookmark_properties: bookmarks } : { bookmark_properties: undefined }),
    };
  }

  /** The record's stream and content after the map; undefined when dropped or filtered out. */
  record(message: RecordMessage, line: number): { stream: string; record: JsonObject } | undefined {
    const decision = this.decisions.get(message.stream);
    if (decision === undefined || decision.kind === 'same')
      return { stream: message.stream, record: message.record };
    if (decision.kind === 'drop') return undefined;
    try {
      const record = decision.mapped.transform(message.record);
      return record === undefined ? undefined : { stream: decision.mapped.stream, record };
    } catch (error) {
      if (error instanceof SingerError) throw new SingerError(error.code, `line ${line}: ${error.message}`);
      throw error;
    }
  }

  /** ACTIVATE_VERSION under the stream's new name; undefined when the stream is dropped. */
  activateVersion(message: ActivateVersionMessage): ActivateVersionMessage | undefined {
    const decision = this.decisions.get(message.stream);
    if (decision === undefined || decision.kind === 'same') return message;
    if (decision.kind === 'drop') return undefined;
    return { ...message, stream: decision.mapped.stream };
  }
}
