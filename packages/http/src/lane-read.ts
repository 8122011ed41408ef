// The fast lane's reading side: which reads are whole lane requests, and their Authorization.

/**
 * Why the lane gave a connection to node:http, from the first read it did not answer whole:
 * - `route`: a request line other than the lane's (method, target, query, absolute form, HTTP/1.0)
 * - `head-split`: a read that ends inside a head
 * - `head-size`: a head longer than node:http's limit
 * - `header-count`: more header lines than the lane reads (64)
 * - `header-syntax`: a line that is not `name: value` with a token name and a plain value
 *   (obs-fold, a bare CR or LF, whitespace before the colon, control bytes)
 * - `host`: no Host, two, or one the Hono adapter does not take as it is
 * - `authorization`: two Authorization headers
 * - `body`: a Content-Length other than one `0`, or a Transfer-Encoding
 * - `connection`: Connection or Proxy-Connection other than keep-alive, or Upgrade
 * - `expect`: an Expect header
 * - `origin`: an Origin header (a browser's request: its answer needs the app's CORS headers)
 */
export type HandOffReason =
  | 'route'
  | 'head-split'
  | 'head-size'
  | 'header-count'
  | 'header-syntax'
  | 'host'
  | 'authorization'
  | 'body'
  | 'connection'
  | 'expect'
  | 'origin';

/** Header lines a lane request may have; node:http takes the rest (it limits them at 1,000-2,000). */
const MAX_HEADER_LINES = 64;

// RFC 9110: a field name is a token; a value is tabs, visible ASCII and obs-text.
export const TOKEN_CHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
export const VALUE_CHARS = '\\t\\x20-\\x7e\\x80-\\xff';
// A header line with no obs-fold and no control bytes in the value. One greedy class per
// part and a literal after each, so a hostile line costs linear time.
const HEADER_LINE = new RegExp(`(${TOKEN_CHAR}+):([${VALUE_CHARS}]*)\\r\\n`, 'y');
// The hosts @hono/node-server puts in a URL as they are (its reValidHost); it parses any other
// Host with URL and may refuse it, so the lane leaves those to it.
const ADAPTER_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** Finds the lane requests of a read; one per server, its results reused by every read. */
export class ReadParser {
  /** Where each head ends (its first byte after the blank line), by request. */
  readonly ends: number[] = [];
  readonly authorizations: (string | undefined)[] = [];
  /** X-Forwarded-For of each request (repeated headers joined with ", ", as node:http does), if any. */
  readonly forwarded: (string | undefined)[] = [];

  constructor(
    private readonly requestLine: Buffer,
    private readonly maxHeaderBytes: number,
  ) {}

  /** How many whole lane requests `chunk` is (see `ends` and `authorizations`), or why it is not only that. */
  parse(chunk: Buffer): number | HandOffReason {
    let at = 0;
    let count = 0;
    while (at < chunk.length) {
      const end = chunk.indexOf(HEAD_END, at);
      if (end < 0) return chunk.length - at > this.maxHeaderBytes ? 'head-size' : 'head-split';
      const refused = this.head(chunk, at, end, count);
      if (refused !== undefined) return refused;
      at = end + 4;
      this.ends[count++] = at;
    }
    return count;
  }

  /** Why the head from `at` to `end` is not a lane request, or undefined with its Authorization stored. */
  private head(chunk: Buffer, at: number, end: number, index: number): HandOffReason | undefined {
    const requestLine = this.requestLine;
    if (end - at > this.maxHeaderBytes) return 'head-size';
    if (end + 2 < at + requestLine.length || chunk.compare(requestLine, 0, requestLine.length, at, at + requestLine.length) !== 0) return 'route';
    const text = chunk.toString('latin1', at + requestLine.length, end + 2);
    let authorization: string | undefined;
    let forwarded: string | undefined;
    let host: string | undefined;
    let contentLength = false;
    let lines = 0;
    HEADER_LINE.lastIndex = 0;
    while (HEADER_LINE.lastIndex < text.length) {
      if (++lines > MAX_HEADER_LINES) return 'header-count';
      const line = HEADER_LINE.exec(text);
      if (line === null) return 'header-syntax';
      const name = line[1]!;
      // Only the names the lane acts on are lowercased: they differ in length from most others.
      if (name.length !== 4 && (name.length < 6 || name.length > 17)) continue;
      switch (name.toLowerCase()) {
        case 'authorization':
          if (authorization !== undefined) return 'authorization';
          authorization = trimWhitespace(line[2]!);
          break;
        case 'x-forwarded-for':
          forwarded = forwarded === undefined ? trimWhitespace(line[2]!) : `${forwarded}, ${trimWhitespace(line[2]!)}`;
          break;
        case 'host':
          if (host !== undefined) return 'host';
          host = trimWhitespace(line[2]!);
          break;
        case 'content-length':
          // llhttp refuses a repeated one; so does the lane, by leaving it to llhttp.
          if (contentLength || trimWhitespace(line[2]!) !== '0') return 'body';
          contentLength = true;
          break;
        case 'transfer-encoding':
          return 'body';
        case 'connection':
        case 'proxy-connection':
          if (trimWhitespace(line[2]!).toLowerCase() !== 'keep-alive') return 'connection';
          break;
        case 'upgrade':
          return 'connection';
        case 'expect':
          return 'expect';
        case 'origin':
          return 'origin';
      }
    }
    if (host === undefined || !ADAPTER_HOST.test(host)) return 'host';
    this.authorizations[index] = authorization;
    this.forwarded[index] = forwarded;
    return undefined;
  }
}

/** Optional whitespace around a field value: spaces and tabs only, as RFC 9110 (not String#trim). */
function trimWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}
