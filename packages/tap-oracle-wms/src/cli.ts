import { runConnector } from '@wms-singer/singer';
import { tapOracleWms } from './tap.js';

await runConnector(tapOracleWms);
