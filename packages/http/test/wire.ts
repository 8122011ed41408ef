// Raw HTTP/1.1 exchanges on a socket, and what a client can tell of the answers.
import { subscribe } from 'node:diagnostics_channel';
import { connect, type Socket } from 'node:net';

// The server side of each connection to a server in this process, by the client's port: an
// exchange waits until the server has read a part before it writes the next, so each part is
// a read of its own however busy the event loop is.
const accepted = new Map<number, Socket>();
subscribe('net.server.socket', (message) => {
  const socket = (message as { socket: Socket }).socket;
  if (socket.remotePort !== undefined) accepted.set(socket.remotePort, socket);
});

/** What one connection sends: parts written with a pause between them, then maybe a FIN. */
export interface Plan {
  readonly parts: readonly string[];
  readonly fin: boolean;
}

/** All a client saw: the bytes, and how the server let the connection go. */
export interface Transcript {
  readonly bytes: Buffer;
  /** 'open' (still open when the exchange went quiet), 'end' (a FIN) or the socket error's code. */
  readonly close: string;
}

export interface ExchangeTiming {
  /** Between two parts: long enough for each to arrive as its own read. */
  readonly pauseMs: number;
  /** No byte in or out for this long ends an exchange that is still open. */
  readonly quietMs: number;
}

/** Sends `plan` (parts are latin1 strings: one char, one byte) and records the answer. */
export async function exchange(port: number, plan: Plan, timing: ExchangeTiming): Promise<Transcript> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let close = 'open';
  let lastActivity = performance.now();
  const closed = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      lastActivity = performance.now();
    });
    socket.on('end', () => {
      if (close === 'open') close = 'end';
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the server's FIN is still a FIN to the client: it saw the end first.
      if (close === 'open') close = error.code ?? 'error';
    });
    socket.on('close', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const clientPort = socket.localPort!;
  let written = 0;
  for (const [i, part] of plan.parts.entries()) {
    if (i > 0) {
      await serverHasRead(clientPort, written);
      await sleep(timing.pauseMs);
    }
    if (socket.destroyed) break;
    socket.write(Buffer.from(part, 'latin1'));
    written += part.length;
    lastActivity = performance.now();
  }
  if (plan.fin && !socket.destroyed) socket.end();
  let done = false;
  void closed.then(() => (done = true));
  while (!done && performance.now() - lastActivity < timing.quietMs) await sleep(Math.min(10, timing.quietMs));
  socket.destroy();
  await closed;
  accepted.delete(clientPort);
  return { bytes: Buffer.concat(chunks), close };
}

/** Until the server in this process has read `bytes` from the client at `port`, or stopped reading. */
export async function serverHasRead(port: number, bytes: number): Promise<void> {
  const deadline = performance.now() + 500;
  while (performance.now() < deadline) {
    const server = accepted.get(port);
    if (server !== undefined && (server.bytesRead >= bytes || server.destroyed || server.readableEnded)) return;
    await nextTurn();
  }
}

export interface ParsedResponse {
  readonly statusLine: string;
  /** Lowercased names in the order sent, each with its value. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/**
 * Splits a byte stream into responses: 1xx without a body, then by content-length, chunked
 * coding, or to the end of the stream. What cannot be read as a response is returned as `rest`.
 */
export function parseResponses(bytes: Buffer): { responses: ParsedResponse[]; rest: string } {
  const responses: ParsedResponse[] = [];
  const text = bytes.toString('latin1');
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine = '', ...lines] = text.slice(at, end).split('\r\n');
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    });
    const status = Number(statusLine.split(' ')[1]);
    const field = (name: string) => headers.find(([n]) => n === name)?.[1];
    let bodyEnd: number;
    let body: string;
    if (status >= 100 && status < 200) {
      bodyEnd = end + 4;
      body = '';
    } else if (field('transfer-encoding')?.toLowerCase() === 'chunked') {
      const decoded = decodeChunked(text, end + 4);
      if (decoded === undefined) break;
      [body, bodyEnd] = decoded;
    } else {
      const length = field('content-length');
      bodyEnd = length === undefined ? text.length : end + 4 + Number(length);
      if (bodyEnd > text.length) break;
      body = text.slice(end + 4, bodyEnd);
    }
    responses.push({ statusLine, headers, body });
    at = bodyEnd;
  }
  return { responses, rest: text.slice(at) };
}

function decodeChunked(text: string, from: number): [string, number] | undefined {
  let at = from;
  let body = '';
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) {
      const trailerEnd = text.indexOf('\r\n\r\n', lineEnd);
      return trailerEnd < 0 ? undefined : [body, trailerEnd + 4];
    }
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * What two servers must agree on: every response (status line, every header with names
 * lowercased and sorted, Date's presence but not its value, the body), any bytes after the
 * last response, and how the connection ended.
 */
export function describeTranscript(transcript: Transcript): string[] {
  const { responses, rest } = parseResponses(transcript.bytes);
  const lines = responses.map((response) => {
    const headers = response.headers
      .map(([name, value]) => `${name}: ${name === 'date' ? '<date>' : value}`)
      .sort()
      .join(' | ');
    return `${response.statusLine} || ${headers} || ${JSON.stringify(response.body)}`;
  });
  if (rest !== '') lines.push(`unparsed ${JSON.stringify(rest)}`);
  lines.push(`close: ${transcript.close}`);
  return lines;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
