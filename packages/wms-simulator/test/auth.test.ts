import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../src/index.js';
import { startSimulator } from '../src/index.js';
import { api, isErrorBody } from './support/helpers.js';

const basic = (user: string, password: string) =>
  'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

async function token(sim: Simulator, id = 'wms_client', secret = 'wms_secret', grant = 'client_credentials') {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=${grant}&scope=${encodeURIComponent('urn:resource:fusion:scm:logistics:wms:lgfapi/')}`,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('authentication', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 50 }, tokenTtlSeconds: 1 });
  });
  after(() => sim.stop());

  it('answers 401 with the error body and a Basic challenge without credentials', async () => {
    const reply = await api(sim, '/entity/order_dtl/', { headers: { authorization: '' } });
    assert.equal(reply.status, 401);
    assert.ok(isErrorBody(reply.json));
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic/);
  });

  it('answers 401 to a wrong password and 403 to a user without lgfapi_read_access', async () => {
    const wrong = await api(sim, '/entity/order_dtl/', {
      headers: { authorization: basic('wms_user', 'nope') },
    });
    assert.equal(wrong.status, 401);
    const denied = await api(sim, '/entity/order_dtl/', {
      headers: { authorization: basic('no_access_user', 'no_access_password') },
    });
    assert.equal(denied.status, 403);
    assert.ok(isErrorBody(denied.json));
    assert.equal(denied.json.code, 'PERMISSION_DENIED');
  });

  it('records each request with its auth kind and status', async () => {
    sim.clearRequests();
    await api(sim, '/entity/order_dtl/?page_size=1&status_id=0');
    await api(sim, '/entity/', { headers: { authorization: '' } });
    assert.equal(sim.requests.length, 2);
    assert.deepEqual(sim.requests[0], {
      method: 'GET',
      path: '/demo/wms/lgfapi/v10/entity/order_dtl/',
      query: { page_size: '1', status_id: '0' },
      status: 200,
      auth: 'basic',
    });
    assert.equal(sim.requests[1]?.status, 401);
    assert.equal(sim.requests[1]?.auth, 'none');
  });

  it('issues expiring bearer tokens through the client-credentials grant', async () => {
    const issued = await token(sim);
    assert.equal(issued.status, 200);
    assert.equal(issued.body.token_type, 'Bearer');
    assert.equal(issued.body.expires_in, 1);
    const bearer = `Bearer ${issued.body.access_token}`;
    const ok = await api(sim, '/entity/facility/', { headers: { authorization: bearer } });
    assert.equal(ok.status, 200);
    assert.equal(sim.requests.at(-1)?.auth, 'bearer');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await api(sim, '/entity/facility/', { headers: { authorization: bearer } });
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  it('rejects a bad client (401) and a bad grant type (400) at the token endpoint', async () => {
    assert.equal((await token(sim, 'wms_client', 'bad')).status, 401);
    assert.equal((await token(sim, 'wms_client', 'wms_secret', 'password')).status, 400);
  });

  it('expireTokens() invalidates every issued token at once', async () => {
    const longLived = await startSimulator({ rows: { order_dtl: 10 } });
    try {
      const bearer = `Bearer ${(await token(longLived)).body.access_token}`;
      assert.equal((await api(longLived, '/entity/', { headers: { authorization: bearer } })).status, 200);
      longLived.expireTokens();
      assert.equal((await api(longLived, '/entity/', { headers: { authorization: bearer } })).status, 401);
      const fresh = `Bearer ${(await token(longLived)).body.access_token}`;
      assert.equal((await api(longLived, '/entity/', { headers: { authorization: fresh } })).status, 200);
    } finally {
      await longLived.stop();
    }
  });

  it('honours custom credentials', async () => {
    const custom = await startSimulator({
      rows: { order_dtl: 10 },
      username: 'u1',
      password: 'p1',
      oauthClientId: 'c1',
      oauthClientSecret: 's1',
    });
    try {
      assert.equal(
        (await api(custom, '/entity/', { headers: { authorization: basic('u1', 'p1') } })).status,
        200,
      );
      assert.equal((await api(custom, '/entity/')).status, 401);
      assert.equal((await token(custom, 'c1', 's1')).status, 200);
    } finally {
      await custom.stop();
    }
  });
});
