// The dev/test OpenID Connect identity provider standing in for latvija.gov.lv (npm oidc-provider).
//
//   node sandbox/idp/server.mjs [--port 8010]
//
// Environment (all optional):
//   IDP_PORT                  port on 127.0.0.1 (default 8010; --port wins)
//   IDP_ISSUER                issuer URL (default http://127.0.0.1:<port>)
//   IDP_STATE_DIR             where the signing key is kept across restarts (default var/idp in the repository)
//   IDP_PORTAL_URL            base of the default clients' URLs (default http://127.0.0.1:8000)
//   IDP_PORTAL_CLIENT_SECRET  secret of client `portal` (default portal-dev-secret)
//   IDP_STAFF_CLIENT_SECRET   secret of client `portal-staff` (default portal-staff-dev-secret)
//   IDP_CLIENTS               JSON array of client metadata; replaces the two default clients
//   IDP_COOKIE_KEYS           comma-separated cookie signing keys (default: random for each run)
// Never for production: the portal refuses the dev identity provider there.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import { clientsFromEnv, providerConfiguration } from './config.mjs';
import { interactionHandlers } from './interaction.mjs';
import { cookieKeys, loadOrCreateJwks } from './keys.mjs';
import { STYLESHEET_PATH } from './pages.mjs';
import { loadPersonas } from './personas.mjs';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const HOST = '127.0.0.1';
const STYLESHEET = readFileSync(new URL('./idp.css', import.meta.url));
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,64})$/;

/** One JSON line per event on stderr, like the portal. Callers never pass personal codes. */
function log(fields) {
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), service: 'idp', ...fields })}\n`);
}

function settings(argv, env) {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' } } });
  const port = Number(values.port ?? env.IDP_PORT ?? 8010);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${values.port ?? env.IDP_PORT}`);
  const stateDir = env.IDP_STATE_DIR
    ? (isAbsolute(env.IDP_STATE_DIR) ? env.IDP_STATE_DIR : resolve(env.IDP_STATE_DIR))
    : resolve(REPOSITORY, 'var/idp');
  const issuer = (env.IDP_ISSUER || `http://${HOST}:${port}`).replace(/\/+$/, '');
  return { port, stateDir, issuer };
}

function main() {
  const { port, stateDir, issuer } = settings(process.argv.slice(2), process.env);
  const personas = loadPersonas();
  const { jwks, file: keyFile, created } = loadOrCreateJwks(stateDir);
  const clients = clientsFromEnv(process.env);
  const provider = new Provider(issuer, providerConfiguration({
    personas, jwks, cookieKeys: cookieKeys(process.env), clients, log,
  }));

  provider.on('server_error', (_ctx, error) => log({ event: 'idp.server_error', message: String(error?.message) }));
  provider.on('backchannel.success', (_ctx, client) => log({ event: 'idp.backchannel_logout', client_id: client.clientId, outcome: 'delivered' }));
  provider.on('backchannel.error', (_ctx, error, client) => log({
    event: 'idp.backchannel_logout', client_id: client.clientId, outcome: 'failed', message: String(error?.message),
  }));
  provider.on('end_session.success', () => log({ event: 'idp.logout' }));

  const providerCallback = provider.callback();
  const interactions = interactionHandlers({ provider, personas, log });

  const server = createServer((req, res) => {
    const path = new URL(req.url, issuer).pathname;
    if (path === STYLESHEET_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : STYLESHEET);
      return;
    }
    const interaction = INTERACTION_PATH.exec(path);
    if (interaction && req.method === 'GET') return void interactions.show(req, res, interaction[1]);
    if (interaction && req.method === 'POST') return void interactions.submit(req, res, interaction[1]);
    providerCallback(req, res);
  });

  server.on('error', (error) => {
    const reason = error.code === 'EADDRINUSE' ? `port ${port} on ${HOST} is taken` : error.message;
    log({ event: 'idp.stopped', reason });
    process.stderr.write(`The dev identity provider cannot start: ${reason}\n`);
    process.exit(1);
  });
  server.listen(port, HOST, () => {
    log({
      event: 'idp.started', issuer, clients: clients.map((c) => c.client_id), personas: personas.list.length,
      signing_key: created ? `created in ${keyFile}` : `read from ${keyFile}`,
    });
  });

  const stop = (signal) => {
    log({ event: 'idp.stopping', signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  main();
} catch (error) {
  process.stderr.write(`The dev identity provider cannot start: ${error.message}\n`);
  process.exit(1);
}
