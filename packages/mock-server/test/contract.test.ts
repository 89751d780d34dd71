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

const problem = (status: number, extra: Record<string, unknown> = {}) => ({
  contentType: 'application/problem+json',
  status,
  body: JSON.stringify({ title: 'Some title', status, ...extra }),
});

const envelope = (fields: Record<string, unknown>) =>
  JSON.stringify({ success: true, errorCode: 0, errorMessage: null, ...fields });

describe('the spec check used by every test', () => {
  it.each<[string, Partial<ObservedResponse>]>([
    ['a documented success', {}],
    ['a 503 problem document', problem(503)],
    ['a 400 with errors per field', problem(400, { detail: 'x', errors: { foo: ['not allowed'] } })],
    [
      'an error code the spec does not list (the set is open)',
      { body: envelope({ success: false, errorCode: 2, token: null }) },
    ],
    [
      'a failed login without a token',
      { body: envelope({ success: false, errorCode: 3, errorMessage: 'x' }) },
    ],
    ['a ProjectX-style validate', { path: '/Auth/validate', body: envelope({ newToken: 'a.b.c' }) }],
    [
      'a rejected validate',
      { path: '/Auth/validate', body: envelope({ success: false, errorCode: 3, token: null }) },
    ],
    ['a 429 with Retry-After in seconds', { ...problem(429), headers: { 'Retry-After': '2' } }],
    [
      'a 429 with Retry-After as an HTTP date',
      { ...problem(429), headers: { 'retry-after': 'Wed, 25 Nov 2026 07:28:00 GMT' } },
    ],
    ['a 404 problem for an unknown path', { path: '/Order/place', ...problem(404) }],
    ['a 405 problem with Allow', { method: 'GET', ...problem(405), headers: { allow: 'POST, OPTIONS' } }],
    [
      'a 413 on an operation that takes no body (protocol-level)',
      { method: 'GET', path: '/Status/ping', ...problem(413) },
    ],
    ['a 5xx on an unknown path (protocol-level)', { path: '/Order/place', ...problem(502) }],
    ['a 504 problem document', problem(504)],
    ['a 403 on an operation that takes a bearer', { path: '/Account/search', ...problem(403) }],
    ['a 409 on any path (protocol-level)', { method: 'GET', path: '/Status/ping', ...problem(409) }],
    [
      'a bare 401 with WWW-Authenticate',
      {
        path: '/Auth/validate',
        status: 401,
        contentType: null,
        body: '',
        headers: { 'www-authenticate': 'Bearer' },
      },
    ],
  ])('accepts %s', (_name, change) => {
    expect(() => assertMatchesSpec({ ...ok, ...change })).not.toThrow();
  });

  it.each<[string, Partial<ObservedResponse>, RegExp]>([
    ['a missing envelope field', { body: '{"success":true,"errorCode":0,"token":"a.b.c"}' }, /errorMessage/],
    ['an error code that is not an integer', { body: envelope({ errorCode: 1.5 }) }, /integer/],
    ['a wrongly typed field', { body: envelope({ success: 'yes' }) }, /boolean/],
    ['a successful login without a token', { body: envelope({}) }, /token/],
    ['a successful login with a null token', { body: envelope({ token: null }) }, /token/],
    [
      'a successful validate with neither token nor newToken',
      { path: '/Auth/validate', body: envelope({ token: null }) },
      /anyOf/,
    ],
    ['an empty problem document', { ...problem(503), body: '{}' }, /title/],
    ['a problem document without a status', { ...problem(400), body: '{"title":"Bad Request"}' }, /status/],
    ['a body that is not JSON', { body: '<html>' }, /not JSON/],
    ['an undeclared content type', { contentType: 'text/html' }, /content type/],
    ['an undocumented status', { status: 418 }, /not documented/],
    ['a server error the spec does not name (it lists 500, 502, 503, 504)', problem(501), /not documented/],
    ['a 403 on the login, which takes no bearer', problem(403), /not documented/],
    [
      'a body on a 401 that has none',
      { path: '/Auth/validate', status: 401, body: '{}', headers: { 'www-authenticate': 'Bearer' } },
      /no content/,
    ],
    [
      'a 401 without WWW-Authenticate',
      { path: '/Auth/validate', status: 401, contentType: null, body: '' },
      /WWW-Authenticate is missing/,
    ],
    ['a 429 without Retry-After', problem(429), /Retry-After is missing/],
    [
      'a 429 whose Retry-After is neither seconds nor a date',
      { ...problem(429), headers: { 'retry-after': 'soon' } },
      /Retry-After: "soon" must match pattern/,
    ],
    ['a 405 without Allow', { method: 'GET', ...problem(405) }, /Allow is missing/],
    ['a route the spec lacks answered 200', { path: '/Order/place' }, /not a protocol-level response/],
    ['a wrong method answered 200', { method: 'GET' }, /not a protocol-level response/],
    [
      'a 405 for a path the spec lacks',
      { path: '/Order/place', ...problem(405), headers: { allow: 'GET' } },
      /expected 404/,
    ],
    ['a 404 for a path the spec has', { method: 'GET', ...problem(404) }, /expected 405/],
    ['a non-problem 404', { path: '/x', status: 404, contentType: 'text/plain' }, /content type/],
    ['an invalid search result', { path: '/Account/search', body: envelope({}) }, /accounts/],
  ])('rejects %s', (_name, change, message) => {
    expect(() => assertMatchesSpec({ ...ok, ...change })).toThrow(message);
  });
});
