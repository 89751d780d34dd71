/** What `AuthSession.fromEnv()` gets from the platform: `#platform` is node.ts or neutral.ts. */
export interface SessionCredentials {
  userName: string;
  apiKey: string;
  accountName: string | undefined;
  baseUrl: string | undefined;
  profile: string | undefined;
}
