import { parentPort, workerData } from 'node:worker_threads';
import type { RowBatch } from '../dialect.js';
import { SqliteDatabase } from './sqlite-database.js';
import type { SqliteReply, SqliteRequest } from './sqlite-protocol.js';

/** The thread that owns the SQLite connection: requests are served one at a time, in order. */
const port = parentPort;
if (port === null) throw new Error('sqlite-worker runs as a worker thread');
const database = new SqliteDatabase((workerData as { path: string }).path);

port.on('message', (request: SqliteRequest) => {
  let reply: SqliteReply;
  try {
    reply = { id: request.id, ok: true, value: serve(request) };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});

function serve(request: SqliteRequest): unknown {
  switch (request.op) {
    case 'describeTable':
      return database.describeTable(request.table);
    case 'createTable':
      return database.createTable(request.table);
    case 'addColumns':
      return database.addColumns(request.table, request.columns);
    case 'alterColumns':
      return database.alterColumns(request.table, request.changes);
    case 'writeBatch':
      return database.writeBatch(
        request.table,
        { columns: request.columns, rows: JSON.parse(request.rows) as RowBatch['rows'] },
        request.mode,
      );
    case 'retireVersions':
      return database.retireVersions(request.request);
    case 'close':
      return database.close();
  }
}
