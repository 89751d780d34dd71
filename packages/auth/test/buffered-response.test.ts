import { describe, expect, it } from 'vitest';
import { rebuildResponse } from '../src/buffered-response.js';
import { guardUnhandledRejections } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, mockServer, tokenOf } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

const BODY = '{"success":true,"errorCode":0,"errorMessage":null,"accounts":[]}';

/** What session.fetch hands back for a TestMax answer, built from a real server's response. */
async function answer(): Promise<Response> {
  const server = await mockServer();
  const { session } = demoSession(server);
  await tokenOf(session);
  server.inject('/Account/search', { status: 200, body: BODY, contentType: 'application/json' });
  return session.fetch('/Account/search', { method: 'POST', body: '{}' });
}

describe('the Response session.fetch hands back behaves like the one fetch returned', () => {
  it('is a Response with the status, headers and url, readable once in any form', async () => {
    const response = await answer();
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.url).toMatch(/\/Account\/search$/);
    expect(response.redirected).toBe(false);
    expect(response.type).toBe('basic');
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual(JSON.parse(BODY));
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(() => response.clone()).toThrow(TypeError);
  });

  it('text(), arrayBuffer() and blob() give the same bytes', async () => {
    expect(await (await answer()).text()).toBe(BODY);
    expect(new TextDecoder().decode(await (await answer()).arrayBuffer())).toBe(BODY);
    const blob = await (await answer()).blob();
    expect(await blob.text()).toBe(BODY);
  });

  it('body is a real stream; reading it uses the response up', async () => {
    const response = await answer();
    const body = response.body;
    expect(body).toBeInstanceOf(ReadableStream);
    expect(response.body).toBe(body);
    expect(await new Response(body).text()).toBe(BODY);
    expect(response.bodyUsed).toBe(true);
    await expect(response.json()).rejects.toThrow(TypeError);
  });

  it('clone() gives two independent readers', async () => {
    const response = await answer();
    const copy = response.clone();
    expect(copy).toBeInstanceOf(Response);
    expect(await copy.text()).toBe(BODY);
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual(JSON.parse(BODY));
    // After body was touched, clone still works (through a real stream).
    const streamed = await answer();
    void streamed.body;
    expect(await streamed.clone().text()).toBe(BODY);
    expect(await streamed.text()).toBe(BODY);
  });

  it('a null-body status has a null body, and a gzip answer loses its stale length', async () => {
    const empty = rebuildResponse(new Response(null, { status: 204 }), new ArrayBuffer(0));
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(await empty.clone().text()).toBe('');
    expect(await empty.text()).toBe('');
    expect(await empty.text()).toBe('');
    expect(empty.bodyUsed).toBe(false);
    expect(empty.body).toBeNull();
    await expect(empty.blob()).resolves.toBeInstanceOf(Blob);
    const decoded = new TextEncoder().encode(BODY).buffer;
    const gzipped = rebuildResponse(
      new Response('x', { headers: { 'content-encoding': 'gzip', 'content-length': '1', 'x-kept': 'yes' } }),
      decoded,
    );
    expect(gzipped.headers.get('content-encoding')).toBeNull();
    expect(gzipped.headers.get('content-length')).toBeNull();
    expect(gzipped.headers.get('x-kept')).toBe('yes');
  });

  it('its internal body is real: code that reads the Response directly gets every byte', async () => {
    // What a service worker's respondWith, Deno.serve or cache.put do: not our overrides.
    expect(await Response.prototype.text.call(await answer())).toBe(BODY);
    const piped = await answer();
    expect(await new Response(piped.body).text()).toBe(BODY);
  });

  it('clone() keeps the url, type and status even after the body stream was touched', async () => {
    const response = await answer();
    void response.body;
    const copy = response.clone();
    expect(copy.url).toBe(response.url);
    expect(copy.type).toBe(response.type);
    expect(copy.status).toBe(200);
    expect(await copy.text()).toBe(BODY);
  });

  it('a HEAD answer has no body and reads as empty any number of times', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Account/search', { status: 200, body: '', contentType: 'application/json' });
    const head = await session.fetch('/Account/search', { method: 'HEAD' });
    expect(head.body).toBeNull();
    expect(await head.text()).toBe('');
    expect(await head.text()).toBe('');
  });
});
