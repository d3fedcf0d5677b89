import {
  type Catalog,
  type CatalogEntry,
  ConfigError,
  discoveredEntry,
  type Logger,
  SingerError,
} from '@wms-singer/singer';
import type { WmsClient } from './client/wms-client.js';
import type { TapConfig } from './settings.js';
import { bundledFields } from './streams/bundled/index.js';
import {
  type DescribeFields,
  readDescribe,
  readParameters,
  schemaFromFields,
} from './streams/schema-from-describe.js';

/**
 * One catalog entry per configured entity. Schemas come from `describe` (its `fields`), or
 * from the bundled ones when describe is forbidden or discovery_mode is `bundled`. Entities
 * with `mod_ts` replicate incrementally on it; the others full table.
 */
export async function discoverCatalog(
  config: TapConfig,
  client: WmsClient,
  apiRoot: string,
  logger: Logger,
): Promise<Catalog> {
  if (config.discovery_mode === 'bundled') {
    return {
      streams: config.entities.map((entity) =>
        catalogEntry(entity, { fields: requireBundled(entity, 'discovery_mode is bundled') }),
      ),
    };
  }
  const everything = config.entities.includes('*');
  const offered = await offeredEntities(client, apiRoot, logger);
  if (everything && offered === undefined) {
    throw new ConfigError(
      'CONFIG_INVALID',
      'setting "entities": "*" needs the entity list, and the WMS does not show it to this user',
    );
  }
  const named = config.entities.filter((entity) => entity !== '*');
  const entities = everything ? [...new Set([...named, ...[...offered!].sort()])] : named;
  const streams: CatalogEntry[] = [];
  for (const entity of entities) {
    if (offered !== undefined && !offered.has(entity)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `setting "entities": the WMS does not offer entity "${entity}" (it lists ${offered.size})`,
      );
    }
    const described = await describe(entity, client, apiRoot, logger, everything && !named.includes(entity));
    if (described !== undefined) streams.push(catalogEntry(entity, described, logger));
  }
  return { streams };
}

function catalogEntry(entity: string, described: Described, logger?: Logger): CatalogEntry {
  const { fields, parameters } = described;
  // Incremental only where mod_ts can be filtered: describe's `parameters` is the filterable subset.
  const incremental = 'mod_ts' in fields && (parameters === undefined || parameters.has('mod_ts'));
  if ('mod_ts' in fields && !incremental) {
    logger?.warn(
      { stream: entity },
      `entity ${entity}: mod_ts is not among describe's filterable parameters: FULL_TABLE (with ACTIVATE_VERSION)`,
    );
  }
  const entry = discoveredEntry({
    tapStreamId: entity,
    schema: schemaFromFields(fields),
    keyProperties: ['id'],
    ...(incremental ? { replicationKey: 'mod_ts' } : {}),
  });
  if ('mod_ts' in fields && !incremental) {
    const top = entry.metadata.find((item) => item.breadcrumb.length === 0);
    if (top !== undefined) top.metadata['forced-replication-method'] = 'FULL_TABLE';
  }
  return entry;
}

interface Described {
  fields: DescribeFields;
  /** describe's filterable fields; undefined when unknown (bundled schemas). */
  parameters?: Set<string>;
}

async function describe(
  entity: string,
  client: WmsClient,
  apiRoot: string,
  logger: Logger,
  optional = false,
): Promise<Described | undefined> {
  try {
    const response = await client.getJson(`${apiRoot}/entity/${encodeURIComponent(entity)}/describe/`, {
      endpoint: 'describe',
      entity,
    });
    if (response.status === 404) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `setting "entities": the WMS has no entity "${entity}" (describe answered 404)`,
      );
    }
    return { fields: readDescribe(response.body, entity), parameters: readParameters(response.body) };
  } catch (error) {
    if (!(error instanceof SingerError) || error.code !== 'WMS_FORBIDDEN') throw error;
    if (optional && bundledFields(entity) === undefined) {
      logger.warn({ stream: entity }, `entity ${entity}: describe is forbidden (HTTP 403): left out of "*"`);
      return undefined;
    }
    const fields = requireBundled(entity, 'describe is forbidden (HTTP 403)');
    logger.warn(
      { stream: entity },
      `entity ${entity}: describe is forbidden (HTTP 403): using the bundled schema`,
    );
    return { fields };
  }
}

function requireBundled(entity: string, why: string): DescribeFields {
  const fields = bundledFields(entity);
  if (fields === undefined) {
    throw new SingerError('NO_SCHEMA', `entity ${entity}: ${why} and the tap bundles no schema for it`);
  }
  return fields;
}

/** Names from `GET entity/`: an object `{name: url}` on real instances, possibly a list of names. */
async function offeredEntities(
  client: WmsClient,
  apiRoot: string,
  logger: Logger,
): Promise<Set<string> | undefined> {
  let response: Awaited<ReturnType<WmsClient['getJson']>>;
  try {
    response = await client.getJson(`${apiRoot}/entity/`, { endpoint: 'entities' });
  } catch (error) {
    // Only a check of the entities setting: describe and the lists say what is really allowed.
    if (!(error instanceof SingerError) || error.code !== 'WMS_FORBIDDEN') throw error;
    logger.warn(
      'the entity list is forbidden (HTTP 403): the configured entities are not checked against it',
    );
    return undefined;
  }
  const body = response.body;
  if (response.status === 404) return undefined;
  if (Array.isArray(body)) return offeredFromList(body);
  if (typeof body === 'object' && body !== null) {
    const results = (body as { results?: unknown }).results;
    if (Array.isArray(results)) return offeredFromList(results);
    return new Set(Object.keys(body));
  }
  return undefined;
}

function offeredFromList(items: unknown[]): Set<string> {
  return new Set(
    items
      .map((item) => (typeof item === 'string' ? item : (item as { name?: unknown } | null)?.name))
      .filter((name): name is string => typeof name === 'string'),
  );
}
