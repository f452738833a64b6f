// The app's one socket.io connection: same origin, default path /socket.io, typed by the contract.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.ts';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long an ack may take before the UI reports the server as not answering. */
export const ACK_TIMEOUT_MS = 10_000;
/** After the server closed the connection itself (shutdown, restart), try again after this long. */
const SERVER_CLOSE_RETRY_MS = 2_000;

let socket: AppSocket | null = null;

/** The shared socket, created (and connecting) on first use. */
export function getSocket(): AppSocket {
  if (socket) return socket;
  const s: AppSocket = io({ transports: ['websocket', 'polling'] });
  // socket.io retries on its own after a lost transport, but not after the server disconnected
  // us on purpose; a wall display must come back after a server restart, so retry then too.
  s.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') {
      setTimeout(() => {
        if (!s.connected) s.connect();
      }, SERVER_CLOSE_RETRY_MS);
    }
  });
  socket = s;
  return s;
}
