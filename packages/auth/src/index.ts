export type { TradingAccount } from '@testmax/client';
export { baseUrlMatcher, normalizeBaseUrl, withoutTrailingSlashes } from './base-url.js';
export { DEFAULT_MAX_RESPONSE_BYTES } from './body-limit.js';
export type { Clock } from './clock.js';
export { createRateLimiter, type RateLimiterOptions } from './create-rate-limiter.js';
export {
  AccountDisabledError,
  AccountNotFoundError,
  ApiError,
  AuthenticationError,
  ConfigError,
  InvalidCredentialsError,
  NetworkError,
  RateLimitError,
  StoreError,
  SubscriptionRequiredError,
  TestMaxError,
  type TestMaxErrorCode,
  TimeoutError,
  TokenExpiredError,
} from './errors.js';
export { isHeaderSafeToken } from './header-token.js';
export { isDebugEnabled, type LogDetails, type Logger } from './logger.js';
export { type MemoryTokenStoreOptions, memoryTokenStore } from './memory-token-store.js';
export type {
  AuthSessionOptions,
  FromEnvOptions,
  LifecycleOptions,
  LoadCredentialsOptions,
  OptionNames,
  RetryOptions,
} from './options.js';
export { type PingOptions, type PingResult, ping } from './ping.js';
export { createPublicFetch, type PublicFetchOptions } from './public-fetch.js';
export {
  GATEWAY_RATE_LIMITS,
  type RateLimitAdmission,
  type RateLimitBackend,
  type RateLimitBudgetRule,
  type RateLimitedRequest,
  type RateLimiter,
  type RateLimitPermit,
  type RateLimitRule,
} from './rate-limiter.js';
export { MAX_REDIRECTS } from './redirect.js';
export type { FetchInput } from './request.js';
export { AuthSession, type CallOptions, type LogoutResult, type ValidateResult } from './session.js';
export {
  checkGeneration,
  checkLockTtl,
  checkTokenRecord,
  checkTokenScope,
  normalizeScope,
  rateLimitScopeId,
  storedToken,
  tokenScopeId,
} from './store-support.js';
export type {
  StoredToken,
  TokenRecord,
  TokenScope,
  TokenStore,
  TokenStoreLock,
} from './token-store.js';
