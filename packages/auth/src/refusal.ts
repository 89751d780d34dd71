/**
 * The refused-token rule for answers the SDK does not read as an envelope (`session.fetch`, the
 * middleware): a bare 401, or — where the endpoint table says so (`refusesInBody`) — HTTP 200
 * whose JSON body says `success: false` with errorCode 1 or 3.
 */
import { OverLimit, readCapped } from './body-limit.js';
import { isWhoAreYou } from './endpoints.js';

const decoder = new TextDecoder();

/**
 * A refusal envelope is a few dozen bytes; anything much longer is data, not "your token was
 * refused", and is not parsed a second time just to find out.
 */
const MAX_REFUSAL_BYTES = 4096;

const SUCCESS = Array.from('"success"', (c) => c.charCodeAt(0));
const FALSE = Array.from('false', (c) => c.charCodeAt(0));

/** Whitespace JSON allows between tokens: space, tab, line feed, carriage return. */
const isSpace = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

function matchesAt(bytes: Uint8Array, at: number, word: readonly number[]): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return false;
  return true;
}

/**
 * Whether the body says `"success": false` anywhere (bytes, no decoding): a success answer
 * never does, so it is not parsed a second time just to find out.
 */
function saysSuccessFalse(body: ArrayBuffer): boolean {
  const bytes = new Uint8Array(body);
  // Every `"success"` starts with `"s`: look at quotes followed by an s only.
  for (let i = bytes.indexOf(0x22); i !== -1; i = bytes.indexOf(0x22, i + 1)) {
    if (bytes[i + 1] !== 0x73 || !matchesAt(bytes, i, SUCCESS)) continue;
    let j = i + SUCCESS.length;
    while (isSpace(bytes[j])) j++;
    if (bytes[j] !== 0x3a) continue; // ':'
    j++;
    while (isSpace(bytes[j])) j++;
    if (matchesAt(bytes, j, FALSE)) return true;
  }
  return false;
}

/**
 * A refused bearer: a bare 401, or (TestMax's other style, where `bodyForm` says the endpoint
 * uses it) HTTP 200 whose JSON body says `success: false` with errorCode 1 or 3.
 */
export function isRefusal(
  status: number,
  contentType: string | null,
  body: ArrayBuffer,
  bodyForm: boolean,
): boolean {
  if (status === 401) return true;
  if (!bodyForm || status !== 200 || !contentType?.toLowerCase().includes('json')) return false;
  if (body.byteLength > MAX_REFUSAL_BYTES || !saysSuccessFalse(body)) return false;
  try {
    const parsed = JSON.parse(decoder.decode(body)) as {
      success?: unknown;
      errorCode?: unknown;
    };
    return parsed.success === false && isWhoAreYou(parsed.errorCode);
  } catch {
    return false;
  }
}

/**
 * {@link isRefusal} for a response that must stay readable: reads at most a refusal's worth of
 * a clone (a longer body is data, not a refusal, however long it goes on).
 */
export async function isUnauthorizedResponse(response: Response, bodyForm: boolean): Promise<boolean> {
  if (response.status !== 200 || !bodyForm) return response.status === 401;
  const contentType = response.headers.get('content-type');
  if (!contentType?.toLowerCase().includes('json')) return false;
  try {
    return isRefusal(200, contentType, await readCapped(response.clone(), MAX_REFUSAL_BYTES), true);
  } catch (error) {
    if (error instanceof OverLimit) return false;
    throw error;
  }
}
