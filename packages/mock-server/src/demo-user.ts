import type { MockAccount, MockUser } from './types.js';

/** The accounts a user gets when none are configured: one that can trade, one that cannot. */
export const DEMO_ACCOUNTS: readonly MockAccount[] = Object.freeze([
  { id: 7001, name: 'SIM-50K-01', balance: 50_000, canTrade: true },
  { id: 7002, name: 'SIM-150K-02', balance: 148_250.5, canTrade: false },
  { id: 7003, name: 'PRAC-100K-03', balance: 100_000, canTrade: true },
]);

/**
 * The user the simulator knows when no `users` are given. The key is a fixed, obviously fake
 * value so that docs, demos and tests can print it; it works against the simulator only.
 */
export const DEMO_USER: Readonly<Required<MockUser>> = Object.freeze({
  userName: 'demo@testmax.local',
  apiKey: 'tmx_demo_not_a_real_key_0000000000',
  disabled: false,
  subscribed: true,
  accounts: DEMO_ACCOUNTS.map((account) => ({ ...account })),
});
