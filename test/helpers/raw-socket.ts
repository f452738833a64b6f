// A socket.io client written by hand over one TCP connection, for clients that misbehave: it
// speaks just enough of engine.io v4 over a websocket to connect and send events, and can stop
// reading (the kernel's buffers fill and the server's writes back up), as a hostile client does.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawClient {
  /** Sends `42<ackId>["event",...args]` as one masked text frame. */
  send(event: string, args: unknown[], ackId?: number): void;
  /** Stops reading from the connection (nothing the server writes is taken any more). */
  pause(): void;
  /** True once the server closed or reset the connection. */
  readonly closed: boolean;
  close(): void;
}

function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x81, 0x80 | len])
      : Buffer.from([0x81, 0x80 | 126, (len >> 8) & 0xff, len & 0xff]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, body]);
}

/** Connects to the socket.io server at `url` (loopback) and joins the default namespace. */
export function rawSocketIo(url: string): Promise<RawClient> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(Number(u.port), u.hostname);
    let closed = false;
    let seen = '';
    sock.on('close', () => (closed = true));
    sock.on('error', (err) => {
      closed = true;
      reject(err);
    });
    sock.on('connect', () => {
      sock.write(
        [
          `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1`,
          `Host: ${u.host}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    const client: RawClient = {
      send(event, args, ackId) {
        sock.write(frame(`42${ackId ?? ''}${JSON.stringify([event, ...args])}`));
      },
      pause() {
        sock.pause();
      },
      get closed() {
        return closed;
      },
      close() {
        sock.destroy();
      },
    };
    const onData = (chunk: Buffer) => {
      // Frames from the server are unmasked; reading their text loosely is enough to see the
      // handshake answer, engine.io's open packet and the namespace's connect packet ("40{").
      seen += chunk.toString('latin1');
      if (!seen.startsWith('HTTP/1.1 101')) {
        if (seen.includes('\r\n\r\n')) reject(new Error(`no upgrade: ${seen.split('\r\n')[0]}`));
        return;
      }
      if (seen.includes('"sid"') && !seen.includes('40{')) {
        if (!seen.includes('\u0000sent40')) {
          seen += '\u0000sent40';
          sock.write(frame('40'));
        }
        return;
      }
      if (seen.includes('40{')) {
        sock.off('data', onData);
        resolve(client);
      }
    };
    sock.on('data', onData);
  });
}
