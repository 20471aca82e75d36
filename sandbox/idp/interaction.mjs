// Our own sign-in interaction (devInteractions is off): GET shows the persona form, POST signs the persona in.
//
// Every persona is listed on both clients (the page lists everyone, as DESIGN.md says). The staff client
// accepts only personas with a staff role and refuses the others with a clear message; the citizen client
// accepts everyone, Inese too, as a private person (role and organisation never reach the citizen client).
import { errors } from 'oidc-provider';
import { isStaffClient } from './config.mjs';
import { SECURITY_HEADERS, errorPage, signInPage } from './pages.mjs';
import { ACR, AMR, languageFor, stringsFor } from './strings.mjs';

const FORM_LIMIT_BYTES = 8 * 1024;
const ACR_ORDER = [ACR.low, ACR.substantial, ACR.high];
const ACR_BY_NAME = { ...Object.fromEntries(ACR_ORDER.map((uri) => [uri, uri])), ...ACR };

class BadForm extends Error {}

function send(res, status, html) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

async function readForm(req) {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new BadForm('not a urlencoded form');
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > FORM_LIMIT_BYTES) throw new BadForm('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function single(form, name) {
  const values = form.getAll(name);
  if (values.length > 1) throw new BadForm(`${name} repeated`);
  return values[0] ?? '';
}

/**
 * What the request demands of the level of assurance. An essential `acr` claim (the claims parameter) is a
 * requirement: the provider re-authenticates until the session's acr is one of those values. `acr_values`
 * alone is a wish: it only preselects the level.
 */
export function acrDemand(params) {
  let requested;
  try {
    requested = JSON.parse(params.claims ?? '{}')?.id_token?.acr;
  } catch {
    requested = undefined;
  }
  if (requested?.essential) {
    const values = requested.value ? [requested.value] : Array.isArray(requested.values) ? requested.values : [];
    const allowed = ACR_ORDER.filter((uri) => values.includes(uri));
    if (allowed.length > 0) return { required: new Set(allowed), preselect: allowed.at(-1) };
  }
  const wished = String(params.acr_values ?? '').split(' ').find((v) => ACR_ORDER.includes(v));
  return { required: null, preselect: wished ?? null };
}

export function interactionHandlers({ provider, personas, log }) {
  async function context(req, res, uid) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    const client = await provider.Client.find(details.params.client_id);
    if (!client) throw new errors.SessionNotFound('client gone');
    return { details, client, lang: languageFor(details.params.ui_locales) };
  }

  // `login_hint` with a personal code preselects that persona; `error` and `chosen` re-show a refused form.
  function page(ctx, { error = null, chosen = null } = {}) {
    const demand = acrDemand(ctx.details.params);
    const hinted = personas.byCode.get(String(ctx.details.params.login_hint ?? ''));
    return signInPage({
      lang: ctx.lang,
      uid: ctx.details.uid,
      clientName: ctx.client.clientName || ctx.client.clientId,
      personas: personas.list,
      requiredAcr: demand.required ? demand.preselect : null,
      chosen: chosen ?? { personalCode: hinted?.personalCode, acr: demand.preselect ?? undefined },
      error,
    });
  }

  function failed(req, res, error) {
    const lang = languageFor(new URL(req.url, 'http://idp').searchParams.get('ui_locales'));
    if (error instanceof errors.SessionNotFound || error instanceof errors.InvalidRequest) {
      log({ event: 'idp.interaction', outcome: 'not_found', error: error.message });
      send(res, 400, errorPage({ lang, code: 'invalid_request', description: stringsFor(lang).expired }));
      return;
    }
    log({ event: 'idp.server_error', where: 'interaction', message: String(error?.message ?? error) });
    send(res, 500, errorPage({ lang, code: 'server_error', description: null }));
  }

  async function show(req, res, uid) {
    try {
      const ctx = await context(req, res, uid);
      if (ctx.details.prompt.name !== 'login') {
        // loadExistingGrant grants or rejects everything, so no other prompt should come; never loop on it.
        log({ event: 'idp.interaction', uid, client_id: ctx.client.clientId, prompt: ctx.details.prompt.name, outcome: 'unexpected_prompt' });
        send(res, 400, errorPage({ lang: ctx.lang, code: 'interaction_required', description: ctx.details.prompt.reasons.join(', ') }));
        return;
      }
      log({ event: 'idp.interaction', uid, client_id: ctx.client.clientId, prompt: ctx.details.prompt.name, outcome: 'shown' });
      send(res, 200, page(ctx));
    } catch (error) {
      failed(req, res, error);
    }
  }

  async function submit(req, res, uid) {
    let ctx;
    try {
      ctx = await context(req, res, uid);
      const refuse = (errorKey, chosen) => {
        log({ event: 'idp.interaction', uid, client_id: ctx.client.clientId, outcome: 'refused', reason: errorKey });
        send(res, 400, page(ctx, { error: errorKey, chosen }));
      };
      let form;
      try {
        form = await readForm(req);
        single(form, 'personal_code');
        single(form, 'acr');
      } catch (error) {
        if (error instanceof BadForm) return refuse('badForm', {});
        throw error;
      }
      const persona = personas.byCode.get(form.get('personal_code')?.trim() ?? '');
      const acr = ACR_BY_NAME[form.get('acr') ?? ''];
      const chosen = { personalCode: persona?.personalCode, acr };
      if (!persona) return refuse('unknownPersona', chosen);
      if (isStaffClient(ctx.client) && !persona.staff) return refuse('staffOnly', chosen);
      if (!acr) return refuse('badAcr', chosen);
      const { required } = acrDemand(ctx.details.params);
      if (required && !required.has(acr)) return refuse('acrTooLow', chosen);

      log({ event: 'idp.interaction', uid, client_id: ctx.client.clientId, outcome: 'signed_in', sub: persona.sub, acr });
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: persona.sub, acr, amr: AMR[acr], remember: false } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      failed(req, res, error);
    }
    return undefined;
  }

  return { show, submit };
}
