export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_KEY_PREFIX,
  type RedisClientLike,
  type RedisConnectionOptions,
  type RedisSource,
} from './connection.js';
export { type RedisRateLimiterOptions, redisRateLimiter } from './rate-limiter.js';
export { type RedisTokenStoreOptions, redisTokenStore } from './token-store.js';
