export { DEMO_ACCOUNTS, DEMO_USER } from './demo-user.js';
export { signJwt, type TokenClaims, verifyJwt } from './jwt.js';
export { GATEWAY_RATE_LIMITS, type MockRateLimitRule, parseRateLimit } from './rate-limits.js';
export { startMockServer } from './server.js';
export type { Fault, MockAccount, MockServer, MockServerOptions, MockUser } from './types.js';
