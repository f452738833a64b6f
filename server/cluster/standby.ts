// What a standby collector answers while it waits for the lease: its health (status "standby",
// and which collector is active) and a one-line /metrics, so an orchestrator sees it alive; any
// other request gets 503 with Retry-After (records go to the active collector). It closes before
// the collector starts for real on the same port.
import { createServer, type Server } from 'node:http';

export async function serveStandby(
  port: number,
  host: string,
  active: () => Promise<string | null>,
): Promise<{ close(): Promise<void>; port: number }> {
  const started = Date.now();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    req.resume();
    if (req.method === 'GET' && path === '/api/health') {
      void active().then(
        (id) => {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(
            JSON.stringify({
              ok: true,
              data: {
                status: 'standby',
                role: 'collector',
                problems: [],
                active: id,
                uptimeSeconds: Math.round((Date.now() - started) / 1000),
              },
            }),
          );
        },
        () => {
          res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
          res.end(
            JSON.stringify({
              ok: false,
              error: { code: 'unavailable', message: 'standby: Redis does not answer' },
            }),
          );
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(
        '# HELP flowdeck_cluster_standby 1 while this collector waits for the lease\n' +
          '# TYPE flowdeck_cluster_standby gauge\nflowdeck_cluster_standby 1\n',
      );
      return;
    }
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '5' });
    res.end(
      JSON.stringify({
        ok: false,
        error: {
          code: 'standby',
          message: 'this collector is on standby; the active collector takes records',
        },
      }),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections?.();
        server.close(() => done());
      }),
  };
}
