/**
 * `session.middleware`: the authenticated path for an openapi-fetch client of your own. The
 * client sends; the middleware adds the bearer, follows redirects within the API itself, and
 * after a refused token re-sends once through the client's own `fetch`. Nothing is read to
 * make that possible: a request with a body keeps an unread copy (`clone()`, a tee of the
 * stream), consumed only if a redirect or a refusal needs the body again.
 */
import type { Middleware } from 'openapi-fetch';
import { afterRefusal } from './authenticated.js';
import { endpointOf } from './endpoints.js';
import { isRedirect, judgeRedirect, type RedirectRule } from './redirect.js';
import { isUnauthorizedResponse } from './refusal.js';
import type { ApiRequest } from './request.js';
import type { SessionCore } from './session-core.js';
import type { Token } from './token.js';

interface Sent {
  readonly token: Token;
  readonly era: object;
  /** The caller's request, unsent: the source of every later copy. */
  readonly spare: Request;
}

/** Where a copy of `spare` goes, and as what. */
interface Target {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly withBody: boolean;
}

/**
 * A copy of `source` to `target` with the bearer, redirects left to the middleware. `take`:
 * the source's own body goes (the first send); otherwise a copy of it.
 */
function copyOf(source: Request, target: Target, token: Token, take = false): Request {
  const headers = new Headers(target.headers);
  headers.set('authorization', `Bearer ${token.value}`);
  const body = target.withBody && source.body ? (take ? source.body : source.clone().body) : null;
  return new Request(target.url, {
    method: target.method,
    headers,
    body,
    redirect: 'manual',
    signal: source.signal,
    ...(body ? { duplex: 'half' } : {}),
  } as RequestInit);
}

export function createMiddleware(core: SessionCore): Middleware {
  const sent = new WeakMap<Request, Sent>();
  const { keeper } = core;

  return {
    onRequest: async ({ request }) => {
      const url = new URL(request.url);
      if (!core.isUnderBase(url) || endpointOf(url.pathname).auth === 'key') return request;
      const era = keeper.era;
      const token = keeper.usable() ?? (await keeper.token(request.signal, era));
      // An unread copy for a later send; the request itself goes now.
      const spare = request.body ? request.clone() : request;
      const target = { url, method: request.method, headers: request.headers, withBody: true };
      const outgoing = copyOf(request, target, token, true);
      sent.set(outgoing, { token, era, spare });
      return outgoing;
    },
    onResponse: async ({ request, response, options }) => {
      const state = sent.get(request);
      if (!state) return undefined;
      const { era, spare } = state;
      let token = state.token;
      let current = response;
      let target: Target = {
        url: new URL(request.url),
        method: request.method,
        headers: spare.headers,
        withBody: true,
      };
      // Redirects within the API are followed here, with the bearer; any other is an error.
      const rule: RedirectRule = { kind: 'within', isAllowed: core.isUnderBase, mode: spare.redirect };
      for (let hops = 0; isRedirect(current) || current.redirected; hops++) {
        const from: ApiRequest = {
          url: target.url,
          method: target.method,
          headers: target.headers,
          body: undefined,
          init: {},
          signal: undefined,
        };
        const verdict = judgeRedirect(rule, current, from, hops, `${request.method} ${target.url.pathname}`);
        if (verdict.kind === 'deliver') break;
        await current.body?.cancel().catch(() => {});
        if (verdict.kind === 'fail') throw verdict.error;
        const { next } = verdict;
        target = {
          url: next.url,
          method: next.method,
          headers: next.headers,
          withBody: target.withBody && next.method === target.method,
        };
        token = keeper.usable() ?? (await keeper.token(spare.signal));
        current = await options.fetch(copyOf(spare, target, token));
      }
      const refused =
        era === keeper.era &&
        (await isUnauthorizedResponse(current, endpointOf(target.url.pathname).refusesInBody));
      const label = `${target.method} ${target.url.pathname}`;
      const final = await afterRefusal(
        keeper,
        era,
        spare.signal,
        label,
        core.log,
        token,
        { value: current, refused },
        async (next) => {
          await current.body?.cancel().catch(() => {});
          return { value: await options.fetch(copyOf(spare, target, next)), refused: false };
        },
      );
      return final.value === response ? undefined : final.value;
    },
  };
}
