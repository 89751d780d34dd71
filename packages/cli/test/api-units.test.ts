import { describe, expect, it } from 'vitest';
import { buildFieldsBody, buildFieldsQuery } from '../dist/api/fields.js';
import { layoutJson } from '../dist/api/json-text.js';
import { resolveTarget } from '../dist/api/target.js';
import { judge } from '../dist/api/verdict.js';

const noFiles = async (path: string) => `<contents of ${path}>`;
const f = (text: string) => ({ typed: false, text });
const F = (text: string) => ({ typed: true, text });

describe('fields, as gh api reads them', () => {
  it('-f is text, -F is typed: true, false, null, numbers; @file is the file text', async () => {
    const body = await buildFieldsBody(
      [
        f('a=true'),
        F('b=true'),
        F('c=false'),
        F('d=null'),
        F('e=-12.5e2'),
        F('g=007'),
        F('h=@notes.txt'),
        f('i='),
      ],
      noFiles,
    );
    expect(body).toEqual({
      a: 'true',
      b: true,
      c: false,
      d: null,
      e: -1250,
      g: '007',
      h: '<contents of notes.txt>',
      i: '',
    });
  });

  it('name[key] nests, name[] appends, in the order typed across -f and -F', async () => {
    const body = await buildFieldsBody(
      [F('order[size]=2'), f('order[side]=buy'), F('ids[]=1'), f('ids[]=two'), F('tags[][name]=x')],
      noFiles,
    );
    expect(body).toEqual({ order: { size: 2, side: 'buy' }, ids: [1, 'two'], tags: [{ name: 'x' }] });
  });

  it('refuses a name that is both a value and an object, and numbers that would be rounded', async () => {
    await expect(buildFieldsBody([f('a=1'), f('a[b]=2')], noFiles)).rejects.toThrow(
      /already given as a value/,
    );
    await expect(buildFieldsBody([f('a[b]=2'), f('a=1')], noFiles)).rejects.toThrow(/already holds fields/);
    await expect(buildFieldsBody([F('id=12345678901234567890')], noFiles)).rejects.toThrow(
      /cannot be sent exactly as a JSON number/,
    );
    await expect(buildFieldsBody([f('a]b=1')], noFiles)).rejects.toThrow(/is not a field name/);
    await expect(buildFieldsBody([f('=1')], noFiles)).rejects.toThrow(/the name is empty/);
  });

  it('for GET, fields become query pairs', async () => {
    expect(await buildFieldsQuery([f('q=a b'), F('n=3'), F('flag=true')], noFiles)).toEqual([
      ['q', 'a b'],
      ['n', '3'],
      ['flag', 'true'],
    ]);
  });
});

describe('JSON laid out without being re-parsed', () => {
  const text = '{"a":[1,2.50,{"b":"x\\"y, z: [1]"}],"e":{},"l":[],"n":null,"big":12345678901234567890}';

  it('compact keeps every number and string as sent', () => {
    const spaced =
      '{ "a" : [ 1 ,\n 2.50 , { "b" : "x\\"y, z: [1]" } ] ,\t"e" : { } , "l" : [ ] , "n" : null , "big" : 12345678901234567890 }\n';
    expect(layoutJson(spaced, { indent: 0 })).toBe(text);
  });

  it('pretty puts one value per line, empty containers on one', () => {
    expect(layoutJson(text, { indent: 2 })).toBe(
      [
        '{',
        '  "a": [',
        '    1,',
        '    2.50,',
        '    {',
        '      "b": "x\\"y, z: [1]"',
        '    }',
        '  ],',
        '  "e": {},',
        '  "l": [],',
        '  "n": null,',
        '  "big": 12345678901234567890',
        '}',
      ].join('\n'),
    );
    expect(JSON.parse(layoutJson(text, { indent: 2 }))).toEqual(JSON.parse(text));
  });
});

describe('exit codes of an answer', () => {
  it.each([
    [200, '{"success":true}', 0],
    [200, '{"accounts":[]}', 0],
    [204, '', 0],
    [200, '{"success":false,"errorCode":3,"errorMessage":"no"}', 1],
    [400, '{"title":"Bad Request","detail":"onlyActive is not allowed"}', 1],
    [404, '', 1],
    [401, '', 3],
    [408, '', 5],
    [429, '{"detail":"slow down"}', 5],
    [503, '<html>down</html>', 5],
  ])('HTTP %i %s → exit %i', (status, body, exitCode) => {
    const verdict = judge('POST Account/search', status, '', body);
    expect(verdict.ok ? 0 : verdict.exitCode).toBe(exitCode);
  });
});

describe('what a 4xx points at', () => {
  it.each([
    [431, /too large for the server \(its headers\).*-H/],
    [413, /too large for the server \(its body\).*--input/],
    [400, /refused the body/],
    [404, /Check the path and the method/],
  ])('HTTP %i → %s', (status, hint) => {
    const verdict = judge('POST Account/search', status, '', '');
    expect(verdict.ok ? undefined : verdict.hint).toMatch(hint);
  });
});

describe('what a 408, 429 or 5xx says', () => {
  it('the server’s wait and the attempts, never a retry that did not happen', () => {
    const asked = judge('POST Order/place', 429, 'Too Many Requests', '', {
      attempts: 1,
      retryAfterMs: 120_000,
    });
    expect(asked).toMatchObject({
      exitCode: 5,
      message: 'POST Order/place answered HTTP 429 Too Many Requests (sent once) and asked to wait 120 s',
      hint: 'Try again in 120 s, as the server asked.',
    });
    const once = judge('POST Order/place', 500, '', '<html>oops</html>', { attempts: 1 });
    expect(once.ok ? '' : `${once.message} ${once.hint}`).not.toMatch(/retried/);
    expect(once.ok ? '' : once.hint).toMatch(/not repeated/);
    const thrice = judge('POST Account/search', 503, '', '', { attempts: 3 });
    expect(thrice.ok ? '' : thrice.message).toBe('POST Account/search answered HTTP 503 (after 3 attempts)');
  });

  it('attempts not known (after a redirect within the API): no claim either way', () => {
    const unknown = judge('POST Order/place', 502, '', '', {});
    expect(unknown.ok ? '' : unknown.message).toBe('POST Order/place answered HTTP 502');
    expect(unknown.ok ? '' : unknown.hint).toBe('Check whether it took effect before sending it again.');
  });
});

describe('a 2xx that is not what it says', () => {
  it.each([
    ['application/json', '{"success":tru', 1],
    ['application/problem+json; charset=utf-8', '<html>', 1],
    ['text/plain', 'OK', 0],
    [null, 'OK', 0],
    ['application/json', '', 0],
  ])('Content-Type %s, body %s → exit %i', (contentType, body, exitCode) => {
    const verdict = judge('POST Account/search', 200, 'OK', body, { contentType });
    expect(verdict.ok ? 0 : verdict.exitCode).toBe(exitCode);
  });
});

describe("a full URL: under the base URL by the session's own rule (where its bearer goes)", () => {
  it('takes the URL however it is spelt, as long as it is the same API', () => {
    const base = 'https://api.example.com/api';
    for (const url of [
      'https://api.example.com/api/Account/search?x=1',
      'HTTPS://API.EXAMPLE.COM/api/Account/search?x=1',
      'https://api.example.com:443/api/Account/search/?x=1',
    ]) {
      expect(resolveTarget(url, base), url).toMatchObject({ path: '/Account/search', query: '?x=1' });
    }
    expect(resolveTarget('http://127.0.0.1:4010/Status/ping', 'http://127.0.0.1:4010/').path).toBe(
      '/Status/ping',
    );
  });

  it('refuses another host, a sibling path, or a path that climbs out of the base', () => {
    const base = 'https://api.example.com/api';
    for (const url of [
      'https://evil.example/api/Account/search',
      'https://api.example.com/apix/Account/search',
      'https://api.example.com/api/../Account/search',
      'http://api.example.com/api/Account/search',
    ]) {
      expect(() => resolveTarget(url, base), url).toThrow(/takes a path under the base URL/);
    }
  });
});
