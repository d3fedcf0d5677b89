import { runConnector } from '@wms-singer/singer';
import { targetDefinition } from './definition.js';
import { planDefinition } from './plan-sql.js';

// `--plan-sql` is this executable's own mode (the Singer kit's arguments do not know it).
const argv = process.argv.slice(2);
const plan = argv.includes('--plan-sql');
await runConnector(
  plan ? planDefinition : targetDefinition,
  plan ? argv.filter((a) => a !== '--plan-sql') : argv,
);
