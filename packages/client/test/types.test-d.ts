import { describe, expectTypeOf, it } from 'vitest';
import {
  type AccountSearchResponse,
  type CreateClientOptions,
  createClient,
  DEFAULT_BASE_URL,
  type ErrorCode,
  type LoginApiKeyRequest,
  type LoginResponse,
  type ProblemDetails,
  type paths,
  type ResponseEnvelope,
  type TestMaxClient,
  type TradingAccount,
  type ValidateResponse,
} from '../src/index.js';

// These never run: `vitest --typecheck` (and `tsc`) compile them, so each `@ts-expect-error`
// must really be an error, and each expectation must hold exactly.
const client = createClient();

describe('requests are checked against the spec', () => {
  it('accepts the documented calls', () => {
    void client.GET('/Status/ping');
    void client.POST('/Auth/loginKey', { body: { userName: 'a@b.c', apiKey: 'k' } });
    void client.POST('/Auth/validate', { body: {} });
    void client.POST('/Auth/logout', { body: {} });
    // validate and logout take no body or `{}` (the vendor's own validate example sends none).
    void client.POST('/Auth/validate');
    void client.POST('/Auth/logout', {});
    void client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    void client.POST('/Account/search', { body: {} });
  });

  it('rejects a wrong body', () => {
    // @ts-expect-error apiKey is required
    void client.POST('/Auth/loginKey', { body: { userName: 'a@b.c' } });
    // @ts-expect-error userName must be a string
    void client.POST('/Auth/loginKey', { body: { userName: 42, apiKey: 'k' } });
    // @ts-expect-error the login body is required
    void client.POST('/Auth/loginKey');
    // @ts-expect-error onlyActiveAccounts is a boolean
    void client.POST('/Account/search', { body: { onlyActiveAccounts: 'yes' } });
    // @ts-expect-error validate takes no fields
    void client.POST('/Auth/validate', { body: { token: 'x' } });
  });

  it('rejects a wrong path', () => {
    // @ts-expect-error there is no /Auth/login
    void client.POST('/Auth/login', { body: {} });
    // @ts-expect-error paths are case-sensitive in the types
    void client.GET('/status/ping');
  });

  it('rejects a wrong method', () => {
    // @ts-expect-error ping is GET only
    void client.POST('/Status/ping', { body: {} });
    // @ts-expect-error loginKey is POST only
    void client.GET('/Auth/loginKey');
    // @ts-expect-error no DELETE anywhere
    void client.DELETE('/Auth/logout');
  });

  it('rejects a wrong option to createClient', () => {
    // @ts-expect-error baseUrl is a string
    createClient({ baseUrl: new URL('http://127.0.0.1') });
    expectTypeOf<CreateClientOptions['baseUrl']>().toEqualTypeOf<string | undefined>();
  });
});

describe('responses are typed', () => {
  it('types the envelope and the success data of each operation', async () => {
    const ping = await client.GET('/Status/ping');
    expectTypeOf(ping.data!.success).toEqualTypeOf<boolean>();
    // An open set: a code the spec does not list yet is still a number, and comparable.
    expectTypeOf(ping.data!.errorCode).toEqualTypeOf<number>();
    // (With a closed enum this comparison is a compile error: "the types have no overlap".)
    expectTypeOf(ping.data!.errorCode === 2).toEqualTypeOf<boolean>();
    expectTypeOf(ping.data!.errorMessage).toEqualTypeOf<string | null>();

    const login = await client.POST('/Auth/loginKey', { body: { userName: 'a', apiKey: 'k' } });
    expectTypeOf(login.data!.token).toEqualTypeOf<string | null | undefined>();

    const validate = await client.POST('/Auth/validate', { body: {} });
    expectTypeOf(validate.data!.token).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(validate.data!.newToken).toEqualTypeOf<string | null | undefined>();

    const search = await client.POST('/Account/search', { body: {} });
    const first = search.data!.accounts[0]!;
    expectTypeOf(first.canTrade).toEqualTypeOf<boolean>();
    expectTypeOf(first.id).toEqualTypeOf<number>();
    expectTypeOf(first.name).toEqualTypeOf<string>();
    expectTypeOf(first).toEqualTypeOf<TradingAccount>();
    expectTypeOf(search.data!.accounts).toEqualTypeOf<AccountSearchResponse['accounts']>();
    // @ts-expect-error accounts have no `balanceUsd`
    void first.balanceUsd;
  });

  it('makes callers check for data before using it', async () => {
    const { data } = await client.GET('/Status/ping');
    expectTypeOf(data).toEqualTypeOf<
      { success: boolean; errorCode: number; errorMessage: string | null } | undefined
    >();
  });
});

/** The schema as openapi-fetch hands it out: `allOf` intersections flattened into one object. */
type Flat<T> = { [K in keyof T]: T[K] };

describe('data and error of each operation', () => {
  // `error` is the problem document (application/problem+json), not the content map around
  // it: `error.title` compiles, and the old `error['application/problem+json']` does not.
  it('GET /Status/ping', async () => {
    const { data, error } = await client.GET('/Status/ping');
    expectTypeOf(data).toEqualTypeOf<ResponseEnvelope | undefined>();
    expectTypeOf(error).toEqualTypeOf<ProblemDetails | undefined>();
    if (error) expectTypeOf(error.title).toEqualTypeOf<string>();
  });

  it('POST /Auth/loginKey', async () => {
    const { data, error } = await client.POST('/Auth/loginKey', { body: { userName: 'a', apiKey: 'k' } });
    expectTypeOf(data).toEqualTypeOf<Flat<LoginResponse> | undefined>();
    expectTypeOf(error).toEqualTypeOf<ProblemDetails | undefined>();
    if (error) {
      expectTypeOf(error.status).toEqualTypeOf<number>();
      expectTypeOf(error.detail).toEqualTypeOf<string | undefined>();
      expectTypeOf(error.errors).toEqualTypeOf<Record<string, string[]> | undefined>();
      // @ts-expect-error the problem document is the error itself, not a map of media types
      void error['application/problem+json'];
    }
  });

  it('POST /Auth/validate', async () => {
    const { data, error } = await client.POST('/Auth/validate', { body: {} });
    expectTypeOf(data).toEqualTypeOf<Flat<ValidateResponse> | undefined>();
    expectTypeOf(error).toEqualTypeOf<ProblemDetails | undefined>();
  });

  it('POST /Auth/logout', async () => {
    const { data, error } = await client.POST('/Auth/logout', { body: {} });
    expectTypeOf(data).toEqualTypeOf<ResponseEnvelope | undefined>();
    expectTypeOf(error).toEqualTypeOf<ProblemDetails | undefined>();
  });

  it('POST /Account/search', async () => {
    const { data, error } = await client.POST('/Account/search', { body: {} });
    expectTypeOf(data).toEqualTypeOf<Flat<AccountSearchResponse> | undefined>();
    expectTypeOf(error).toEqualTypeOf<ProblemDetails | undefined>();
    if (error) expectTypeOf(error.title).toEqualTypeOf<string>();
  });

  it('a client typed as TestMaxClient (what session.client is) types them the same', async () => {
    const typed: TestMaxClient = client;
    const { error } = await typed.POST('/Account/search', { body: {} });
    expectTypeOf(error).toEqualTypeOf<ProblemDetails | undefined>();
  });
});

describe('exports', () => {
  it('exposes the base URL, the generated types and the named schemas', () => {
    expectTypeOf(DEFAULT_BASE_URL).toEqualTypeOf<string>();
    expectTypeOf<ErrorCode>().toEqualTypeOf<number>();
    expectTypeOf<ProblemDetails['title']>().toEqualTypeOf<string>();
    expectTypeOf<ProblemDetails['status']>().toEqualTypeOf<number>();
    expectTypeOf<LoginApiKeyRequest>().toEqualTypeOf<{ userName: string; apiKey: string }>();
    expectTypeOf<keyof paths>().toEqualTypeOf<
      '/Auth/loginKey' | '/Auth/validate' | '/Auth/logout' | '/Status/ping' | '/Account/search'
    >();
  });
});
