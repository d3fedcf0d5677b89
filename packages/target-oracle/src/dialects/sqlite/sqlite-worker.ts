import { parentPort, workerData } from 'node:worker_threads';
import { SqliteDatabase } from './sqlite-database.js';
import type { SqliteReply, SqliteRequest } from './sqlite-protocol.js';
import { RowReader } from './sqlite-row-buffer.js';

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
  if (request.op === 'writeBatch') {
    reply.block = request.rows.bytes;
    port.postMessage(reply, [request.rows.bytes]);
  } else {
    port.postMessage(reply);
  }
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
      return database.writeBatch(request.table, request.columns, new RowReader(request.rows), request.mode);
    case 'retireVersions':
      return database.retireVersions(request.request);
    case 'close':
      return database.close();
  }
}
