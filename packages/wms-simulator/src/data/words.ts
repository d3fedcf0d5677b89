/** Word lists generated values are drawn from. A few carry non-ASCII and quote characters on purpose. */

export const USERS = ['wms_user', 'INTEGRATION', 'JSMITH', 'MGARCIA', 'LCHEN', 'SYSTEM', 'APATEL'] as const;

export const COMPANY_NAMES = [
  'Acme Distribution',
  'Globex Retail',
  'Initech Supply',
  'Umbrella Logistics',
  'Stark Wholesale',
  'Wayne Foods',
] as const;

export const CITIES = [
  ['Chicago', 'IL', 'US', '60601'],
  ['Dallas', 'TX', 'US', '75201'],
  ['Lyon', 'ARA', 'FR', '69002'],
  ['München', 'BY', 'DE', '80331'],
  ['Pune', 'MH', 'IN', '411001'],
  ['Sydney', 'NSW', 'AU', '2000'],
  ['Toronto', 'ON', 'CA', 'M5H 2N2'],
  ['São Paulo', 'SP', 'BR', '01310-100'],
] as const;

export const FIRST = [
  'Ana',
  'Bruno',
  'Chloé',
  'Dmitri',
  'Emma',
  'Farid',
  'Grace',
  'Hiro',
  'Iris',
  'José',
] as const;
export const LAST = ['Smith', "O'Brien", 'Müller', 'Nakamura', 'Dubois', 'Kumar', 'Silva', 'Brown'] as const;
export const STREETS = [
  'Main St',
  'Oak Ave',
  'Harbor Rd',
  'Rue de la Paix',
  'Hauptstraße',
  'MG Road',
] as const;
export const PRODUCTS = [
  'Widget',
  'Gadget',
  'Bolt',
  'Bracket',
  'Cable',
  'Sensor',
  'Panel',
  'Valve',
  'Filter',
  'Battery',
] as const;
export const ADJECTIVES = [
  'Blue',
  'Large',
  'Small',
  'Heavy-duty',
  'Compact',
  'Premium',
  'Eco',
  'Steel',
] as const;
export const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'] as const;
export const LOCK_CODES = ['QA', 'DMG', 'HOLD', 'EXP'] as const;

/** Minutes east of UTC per facility (facility k uses entry (k-1) mod length); facility 1 is the user's. */
export const FACILITY_OFFSETS = [60, -300, 330, 0, -480, 600, 120, -180] as const;

/** Keys of relation targets the simulator does not serve. */
export const UNSERVED_KEYS: Record<string, readonly string[]> = {
  order_type: ['STANDARD', 'RUSH', 'TRANSFER', 'ECOM'],
  uom: ['UNITS', 'CASES', 'PALLETS'],
  allocation_type: ['STANDARD', 'REPLENISHMENT', 'CROSSDOCK'],
  location_type: ['ACTIVE', 'RESERVE', 'DOCK', 'STAGING'],
  wave_template: ['ECOM-AM', 'RETAIL', 'REPLEN'],
  task_type: ['PICK', 'PUTAWAY', 'REPLEN', 'CYCLE-COUNT'],
  vendor: ['ACME-SUPPLY', 'NORTHWIND', 'CONTOSO', 'FABRIKAM', 'TAILSPIN'],
};

export function padded(prefix: string, n: number, width: number): string {
  const s = String(n);
  return prefix + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}
