export {
  type CreateClientOptions,
  createClient,
  DEFAULT_BASE_URL,
  type TestMaxClient,
  type TestMaxMediaType,
} from './create-client.js';
export type {
  components,
  operations,
  paths,
  SchemaAccountSearchRequest as AccountSearchRequest,
  SchemaAccountSearchResponse as AccountSearchResponse,
  SchemaErrorCode as ErrorCode,
  SchemaLoginApiKeyRequest as LoginApiKeyRequest,
  SchemaLoginResponse as LoginResponse,
  SchemaProblemDetails as ProblemDetails,
  SchemaResponseEnvelope as ResponseEnvelope,
  SchemaTradingAccount as TradingAccount,
  SchemaValidateResponse as ValidateResponse,
} from './generated/schema.js';
