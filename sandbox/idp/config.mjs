// Configuration of oidc-provider for the dev/test stand-in of latvija.gov.lv.
import { ACR, languageFor } from './strings.mjs';
import { SECURITY_HEADERS, errorPage, loggedOutPage, logoutPage } from './pages.mjs';

export const CITIZEN_SCOPE = 'openid profile personal_code';
export const STAFF_SCOPE = 'openid profile personal_code staff';
const STAFF_CLAIMS = new Set(['role', 'organisation']);

/** A client is a staff client when its registered `scope` allows the `staff` scope. */
export function isStaffClient(client) {
  return String(client?.scope ?? '').split(' ').includes('staff');
}

/**
 * The clients: IDP_CLIENTS (a JSON array of client metadata) replaces the defaults entirely; otherwise `portal`
 * and `portal-staff` for the portal at IDP_PORTAL_URL (default http://127.0.0.1:8000), with secrets from
 * IDP_PORTAL_CLIENT_SECRET and IDP_STAFF_CLIENT_SECRET.
 */
export function clientsFromEnv(env = process.env) {
  if (env.IDP_CLIENTS) {
    const clients = JSON.parse(env.IDP_CLIENTS);
    if (!Array.isArray(clients)) throw new Error('IDP_CLIENTS must be a JSON array of client metadata');
    return clients.map((c) => ({ scope: CITIZEN_SCOPE, ...c }));
  }
  const portal = (env.IDP_PORTAL_URL || 'http://127.0.0.1:8000').replace(/\/+$/, '');
  const common = {
    token_endpoint_auth_method: 'client_secret_basic',
    response_types: ['code'],
    grant_types: ['authorization_code'],
    post_logout_redirect_uris: [`${portal}/`],
    backchannel_logout_uri: `${portal}/auth/backchannel-logout`,
    backchannel_logout_session_required: true,
  };
  return [
    {
      ...common,
      client_id: 'portal',
      client_secret: env.IDP_PORTAL_CLIENT_SECRET || 'portal-dev-secret',
      client_name: 'Latvijas e-pakalpojumu portāls',
      redirect_uris: [`${portal}/auth/callback`],
      scope: CITIZEN_SCOPE,
    },
    {
      ...common,
      client_id: 'portal-staff',
      client_secret: env.IDP_STAFF_CLIENT_SECRET || 'portal-staff-dev-secret',
      client_name: 'Latvijas e-pakalpojumu portāls – darbiniekiem',
      redirect_uris: [`${portal}/staff/auth/callback`],
      scope: STAFF_SCOPE,
    },
  ];
}

// DEV AND TEST ONLY. oidc-provider 9 hands its outgoing requests an undici dispatcher that refuses loopback and
// private addresses (an SSRF guard), so back-channel logout to a portal on 127.0.0.1 would never arrive. This
// fetch drops that dispatcher and sends the request with Node's own stack. Never run this configuration where
// clients are not our own.
function loopbackAllowingFetch(url, options) {
  const { dispatcher: _ssrfGuard, ...rest } = options;
  return globalThis.fetch(url, rest);
}

function setPageHeaders(ctx) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) ctx.set(name, value);
  ctx.type = 'html';
}

export function providerConfiguration({ personas, jwks, cookieKeys, clients, log }) {
  return {
    clients,
    jwks,
    // The portal runs on the same host (cookies ignore ports): our names carry an idp_ prefix to stay apart.
    cookies: {
      keys: cookieKeys,
      names: { session: 'idp_session', interaction: 'idp_interaction', resume: 'idp_interaction_resume' },
    },
    acrValues: [ACR.low, ACR.substantial, ACR.high],
    // Scopes map to claims. `personal_code` is its own scope (data minimisation: a client asks for it by name);
    // `staff` (role, organisation) is registered only on the staff client, and claims() checks that again.
    // acr, amr and auth_time sit in `openid` because oidc-provider otherwise puts them in the ID token only
    // when acr_values or the claims parameter asked for them; the portal checks acr on every sign-in.
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['given_name', 'family_name'],
      personal_code: ['personal_code'],
      staff: ['role', 'organisation'],
      sid: null,
      iss: null,
    },
    // With the code flow oidc-provider would put scope claims only in /me; the portal reads them from the ID token.
    conformIdTokenClaims: false,
    pkce: { required: () => true }, // S256 is the only method oidc-provider 9 offers
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic'],
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          setPageHeaders(ctx);
          const lang = languageFor(ctx.oidc.params?.ui_locales);
          ctx.body = logoutPage({ lang, form, clientName: ctx.oidc.client?.clientName });
        },
        async postLogoutSuccessSource(ctx) {
          setPageHeaders(ctx);
          ctx.body = loggedOutPage({ lang: languageFor(ctx.oidc.params?.ui_locales) });
        },
      },
      userinfo: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // No consent screen for our own clients: grant what they ask for, within what each client is registered for.
    async loadExistingGrant(ctx) {
      const { client, session, provider } = ctx.oidc;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      let grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== session.accountId) {
        grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      }
      const allowedScopes = new Set(String(client.scope ?? CITIZEN_SCOPE).split(' '));
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].filter((s) => allowedScopes.has(s)).join(' '));
      // Staff claims asked of a citizen client (claims parameter) are rejected, not left pending: a pending claim
      // would raise a consent prompt, and we have no consent page.
      const staff = isStaffClient(client);
      const claims = [...ctx.oidc.requestParamClaims];
      grant.addOIDCClaims(claims.filter((c) => staff || !STAFF_CLAIMS.has(c)));
      if (!staff && claims.some((c) => STAFF_CLAIMS.has(c))) grant.rejectOIDCClaims(claims.filter((c) => STAFF_CLAIMS.has(c)));
      await grant.save();
      return grant;
    },
    async findAccount(ctx, sub) {
      const persona = personas.bySub.get(sub);
      if (!persona) return undefined;
      return {
        accountId: persona.sub,
        async claims() {
          const claims = {
            sub: persona.sub,
            personal_code: persona.personalCode,
            given_name: persona.givenName,
            family_name: persona.familyName,
          };
          if (persona.staff && isStaffClient(ctx.oidc.client)) {
            claims.role = persona.staff.role;
            claims.organisation = persona.staff.organisation;
          }
          return claims;
        },
      };
    },
    async renderError(ctx, out, error) {
      setPageHeaders(ctx);
      const lang = languageFor(ctx.oidc?.params?.ui_locales);
      log({ event: 'idp.error', error: out.error, status: ctx.status, path: ctx.path });
      if (ctx.status >= 500) log({ event: 'idp.server_error', message: String(error?.message ?? error) });
      ctx.body = errorPage({ lang, code: out.error, description: out.error_description });
    },
    fetch: loopbackAllowingFetch,
    discovery: { ui_locales_supported: ['lv', 'en'] },
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 30 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
  };
}
