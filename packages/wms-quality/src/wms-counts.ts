import { type Logger, Metrics, type SecretRegistry, SingerError } from '@wms-singer/singer';
import {
  apiRoot,
  checkSettings,
  type OpenedClient,
  openWmsClient,
  readDescribe,
  scopeFilters,
  type TapConfig,
} from 'tap-oracle-wms';

/**
 * The WMS's own row count of an entity with the tap's filters (entity_filters, facility_code,
 * company_code): paged mode's `result_count` for a one-row page. Through the tap's client, so
 * authentication, retries and the one-line errors are the tap's.
 */
export class WmsCounts {
  private readonly opened: OpenedClient;
  private readonly root: string;

  constructor(
    private readonly config: TapConfig,
    private readonly logger: Logger,
    secrets: SecretRegistry,
    userAgent: string,
  ) {
    checkSettings(config);
    this.opened = openWmsClient(config, { logger, metrics: new Metrics(logger, 0), secrets, userAgent });
    this.root = apiRoot(config);
  }

  async count(entity: string): Promise<number> {
    const { client } = this.opened;
    const name = encodeURIComponent(entity);
    const describe = await client.getJson(`${this.root}/entity/${name}/describe/`, {
      endpoint: 'describe',
      entity,
    });
    if (describe.status === 404)
      throw new SingerError('WMS_ENTITY', `entity ${entity}: the WMS does not serve it (404)`);
    const fields = Object.keys(readDescribe(describe.body, entity));
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(this.config.entity_filters?.[entity] ?? {}))
      params.set(key, String(value));
    for (const [key, value] of Object.entries(scopeFilters(entity, fields, this.config, this.logger)))
      params.set(key, value);
    params.set('page_mode', 'paged');
    params.set('page_size', '1');
    params.set('fields', 'id');
    const list = await client.getJson(`${this.root}/entity/${name}/?${params.toString()}`, {
      endpoint: 'list',
      entity,
    });
    if (list.status === 404) return 0; // the WMS answers an empty result with 404
    const resultCount = (list.body as { result_count?: unknown }).result_count;
    if (typeof resultCount !== 'number') {
      throw new SingerError('WMS_COUNT', `entity ${entity}: the WMS page has no result_count (paged mode)`);
    }
    return resultCount;
  }

  close(): void {
    this.opened.close();
  }
}
