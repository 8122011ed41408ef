// The fast lane's writing side: an answer as the bytes node:http would write for it.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { errorAnswer } from './errors.ts';
import { TOKEN_CHAR, VALUE_CHARS } from './lane-read.ts';

/** A whole answer, serialized the same way by the lane and by a Hono route. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const TOKEN = new RegExp(`^${TOKEN_CHAR}+$`);
const UNSAFE_VALUE = new RegExp(`[^${VALUE_CHARS}]`);
// What makes node:http end a connection after a response with this Connection header.
const CONNECTION_CLOSE = /(?:^|\W)close(?:$|\W)/i;

/** Answers as the bytes node:http writes for them. */
export class AnswerWriter {
  /** Whether the answer last rendered ends its connection. */
  last = false;
  private dateSecond = 0;
  private dateHeader = '';

  constructor(private readonly keepAliveHeader: string) {}

  /** The bytes of an answer, or of a 500 problem when the answer itself is broken. */
  render(answer: Answer, closing: boolean): string {
    try {
      return this.serialize(answer, closing);
    } catch (error) {
      return this.serialize(internalError(error), closing);
    }
  }

  private serialize(answer: Answer, closing: boolean): string {
    const status = answer.status;
    if (!isStatus(status)) throw new RangeError(`status ${status}`);
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateHeader = `Date: ${new Date(now).toUTCString()}\r\n`;
    }
    let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    // The headers node:http writes unless the answer has them (its matchHeader).
    let connection: string | undefined;
    let date = this.dateHeader;
    let contentLength = true;
    let keepAlive = this.keepAliveHeader;
    for (const name in answer.headers) {
      const value = answer.headers[name]!;
      if (!isWritableHeader(name, value)) throw new TypeError(`header ${JSON.stringify(name)} is not writable`);
      text += `${name}: ${value}\r\n`;
      if (name.length < 4 || name.length > 14) continue;
      switch (name.toLowerCase()) {
        case 'connection':
          connection = value;
          break;
        case 'date':
          date = '';
          break;
        case 'content-length':
          contentLength = false;
          break;
        case 'keep-alive':
          keepAlive = '';
          break;
      }
    }
    this.last = connection === undefined ? closing : CONNECTION_CLOSE.test(connection);
    if (contentLength) text += `Content-Length: ${Buffer.byteLength(answer.body)}\r\n`;
    if (connection === undefined) text += closing ? 'Connection: close\r\n' : `Connection: keep-alive\r\n${keepAlive}`;
    return `${text}${date}\r\n${answer.body}`;
  }
}

/** An answer as node:http's response, for requests it read again after a hand-off. */
export function respond(res: ServerResponse, answer: Answer): void {
  if (res.writableEnded) return;
  try {
    checkAnswer(answer);
  } catch (error) {
    answer = internalError(error);
  }
  res.statusCode = answer.status;
  for (const name in answer.headers) res.setHeader(name, answer.headers[name]!);
  res.end(answer.body);
}

/** Throws as ServerResponse would for an answer it cannot write. */
function checkAnswer(answer: Answer): void {
  if (!isStatus(answer.status)) throw new RangeError(`status ${answer.status}`);
  for (const name in answer.headers) {
    if (!isWritableHeader(name, answer.headers[name]!)) throw new TypeError(`header ${JSON.stringify(name)} is not writable`);
  }
}

function isStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 200 && status <= 599;
}

/** As ServerResponse checks: a header must not write another, or bytes a client cannot read. */
function isWritableHeader(name: string, value: string): boolean {
  return TOKEN.test(name) && !UNSAFE_VALUE.test(value);
}

export function internalError(error: unknown): Answer {
  return errorAnswer(error, (e) => {
    try {
      console.error('fast lane answer failed:', e);
    } catch {
      // An error that cannot even be printed still gets its 500.
    }
  });
}
