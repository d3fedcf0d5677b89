import { runConnector } from '@wms-singer/singer';
import { targetDefinition } from './definition.js';

await runConnector(targetDefinition);
