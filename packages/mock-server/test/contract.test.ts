import { describe, expect, it } from 'vitest';
import { assertMatchesSpec, type ObservedResponse } from './helpers/contract.js';

// The spec check guards every other test, so it must itself be able to fail.
const ok: ObservedResponse = {
  method: 'POST',
  path: '/Auth/loginKey',
  status: 200,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({ success: true, errorCode: 0, errorMessage: null, token: 'a.b.c' }),
};

describe('the spec check used by every test', () => {
  it('accepts a response the spec documents', () => {
    expect(() => assertMatchesSpec(ok)).not.toThrow();
    expect(() =>
      assertMatchesSpec({
        ...ok,
        status: 503,
        contentType: 'application/problem+json',
        body: '{"status":503}',
      }),
    ).not.toThrow();
  });

  it.each<[string, Partial<ObservedResponse>, RegExp]>([
    ['a missing envelope field', { body: '{"success":true,"errorCode":0,"token":null}' }, /errorMessage/],
    [
      'an undocumented error code',
      { body: '{"success":false,"errorCode":2,"errorMessage":"x"}' },
      /allowed values/,
    ],
    ['a wrongly typed field', { body: '{"success":"yes","errorCode":0,"errorMessage":null}' }, /boolean/],
    ['a body that is not JSON', { body: '<html>' }, /not JSON/],
    ['an undeclared content type', { contentType: 'text/html' }, /content type/],
    ['an undocumented status', { status: 418 }, /not documented/],
    ['a body on a 401 that has none', { path: '/Auth/validate', status: 401, body: '{}' }, /no content/],
    ['a route the spec lacks answered 200', { path: '/Order/place' }, /expected 404/],
    ['a wrong method answered 200', { method: 'GET' }, /expected 405/],
    ['a non-problem 404', { path: '/x', status: 404, contentType: 'text/plain' }, /problem\+json/],
    [
      'an invalid search result',
      { path: '/Account/search', body: '{"success":true,"errorCode":0,"errorMessage":null}' },
      /accounts/,
    ],
  ])('rejects %s', (_name, change, message) => {
    expect(() => assertMatchesSpec({ ...ok, ...change })).toThrow(message);
  });
});
