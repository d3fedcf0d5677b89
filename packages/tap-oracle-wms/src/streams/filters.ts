import type { Logger } from '@wms-singer/singer';
import type { TapConfig } from '../settings.js';

type Scope = 'facility' | 'company';

/**
 * How an entity reaches its facility or company: directly, or through the order it belongs
 * to (order_dtl -> order_hdr, allocation -> order_dtl -> order_hdr). Tried in this order
 * against the entity's fields, so `describe` decides where it is allowed to.
 */
const PATHS: Record<Scope, Array<[field: string, filter: string]>> = {
  facility: [
    ['facility_id', 'facility_id__code'],
    ['order_id', 'order_id__facility_id__code'],
    ['order_dtl_id', 'order_dtl_id__order_id__facility_id__code'],
  ],
  company: [
    ['company_id', 'company_id__code'],
    ['order_id', 'order_id__company_id__code'],
    ['order_dtl_id', 'order_dtl_id__order_id__company_id__code'],
  ],
};

/** The facility_code / company_code filters of one entity, as query parameters. */
export function scopeFilters(
  entity: string,
  fields: string[],
  config: TapConfig,
  logger: Logger,
): Record<string, string> {
  const filters: Record<string, string> = {};
  const present = new Set(fields);
  const wanted: Array<[Scope, string | undefined]> = [
    ['facility', config.facility_code],
    ['company', config.company_code],
  ];
  for (const [scope, code] of wanted) {
    if (code === undefined) continue;
    if (entity === scope) {
      filters.code = code;
      continue;
    }
    const path = PATHS[scope].find(([field]) => present.has(field));
    if (path === undefined) {
      logger.warn(
        { stream: entity },
        `${scope}_code is set but ${entity} has no known path to a ${scope}: add one under entity_filters.${entity}`,
      );
      continue;
    }
    filters[path[1]] = code;
  }
  return filters;
}
