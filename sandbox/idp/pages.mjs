// HTML of the dev identity provider: sign-in, error, sign-out. Valid HTML, no script, one external stylesheet.
import { personaLabel } from './personas.mjs';
import { ACR, stringsFor } from './strings.mjs';

export const STYLESHEET_PATH = '/idp.css';

// No script at all; styles only from our own origin. No form-action: after the sign-in POST the browser follows
// redirects to the portal (another origin), which form-action would block.
export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(lang, title, body) {
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/**
 * The sign-in page: one form with the persona select, the level of assurance and one button.
 * `error` is a message key of the strings table (or null); `chosen` holds the submitted values to re-show.
 */
export function signInPage({ lang, uid, clientName, personas, chosen = {}, requiredAcr = null, error = null }) {
  const t = stringsFor(lang);
  const errorId = 'kluda';
  const levelName = requiredAcr ? t[requiredAcr] : '';
  const message = error ? t[error].replace('{level}', levelName) : null;
  const personaError = error === 'unknownPersona' || error === 'staffOnly';
  const acrError = error === 'badAcr' || error === 'acrTooLow';
  const describedBy = (hintId, own) => (own ? `${hintId} ${errorId}` : hintId);

  const options = [`<option value=""${chosen.personalCode ? '' : ' selected'}>${escapeHtml(t.personChoose)}</option>`]
    .concat(personas.map((p) => {
      const selected = p.personalCode === chosen.personalCode ? ' selected' : '';
      return `<option value="${escapeHtml(p.personalCode)}"${selected}>${escapeHtml(personaLabel(p))}</option>`;
    }));

  const acrChosen = chosen.acr ?? requiredAcr ?? ACR.substantial;
  const radios = Object.entries(ACR).map(([short, uri]) => {
    const checked = uri === acrChosen ? ' checked' : '';
    const note = uri === requiredAcr ? ` <span class="hint">(${escapeHtml(t.acrRequested)})</span>` : '';
    return `<div class="radio"><input type="radio" id="acr-${short}" name="acr" value="${uri}"${checked}>`
      + `<label for="acr-${short}">${escapeHtml(t[uri])}${note}</label></div>`;
  });

  const body = `<h1>${escapeHtml(t.signInHeading)}</h1>
${message ? `<div class="error" id="${errorId}" role="alert"><h2>${escapeHtml(t.errorSummary)}</h2><p>${escapeHtml(message)}</p></div>` : ''}
<p>${escapeHtml(t.client)} <span class="client">${escapeHtml(clientName)}</span></p>
<p class="notice">${escapeHtml(t.devNotice)}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<div class="field">
<label for="personal_code">${escapeHtml(t.personLabel)}</label>
<p class="hint" id="personal_code-hint">${escapeHtml(t.personHint)}</p>
<select id="personal_code" name="personal_code" required aria-describedby="${describedBy('personal_code-hint', personaError)}"${personaError ? ' aria-invalid="true"' : ''}>
${options.join('\n')}
</select>
</div>
<fieldset${acrError ? ` aria-describedby="${errorId}"` : ''}>
<legend>${escapeHtml(t.acrLegend)}</legend>
${radios.join('\n')}
</fieldset>
<button type="submit">${escapeHtml(t.submit)}</button>
</form>`;
  return layout(lang, (message ? t.errorPrefix : '') + t.signInTitle, body);
}

/** A plain error page: the OAuth error code and its description, never a stack trace. */
export function errorPage({ lang, code, description }) {
  const t = stringsFor(lang);
  const details = [
    code ? `<dt>${escapeHtml(t.errorCode)}</dt><dd>${escapeHtml(code)}</dd>` : '',
    description ? `<dt>${escapeHtml(t.errorDetail)}</dt><dd>${escapeHtml(description)}</dd>` : '',
  ].join('');
  const meaning = t.errorMeaning[code];
  const body = `<h1>${escapeHtml(t.errorHeading)}</h1>
${meaning ? `<p>${escapeHtml(meaning)}</p>` : ''}
${details ? `<dl>${details}</dl>` : ''}
<p>${escapeHtml(t.errorAdvice)}</p>`;
  return layout(lang, t.errorTitle, body);
}

/**
 * The RP-initiated logout confirmation. `form` is the provider's own empty form (id "op.logoutForm", with its
 * xsrf field); our buttons submit it through their `form` attribute, as the provider expects.
 */
export function logoutPage({ lang, form, clientName }) {
  const t = stringsFor(lang);
  const body = `<h1>${escapeHtml(t.logoutHeading)}</h1>
${clientName ? `<p>${escapeHtml(t.logoutFrom)} <span class="client">${escapeHtml(clientName)}</span></p>` : ''}
<p>${escapeHtml(t.logoutQuestion)}</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">${escapeHtml(t.logoutAll)}</button>
<button type="submit" form="op.logoutForm" class="secondary">${escapeHtml(t.logoutOne)}</button>`;
  return layout(lang, t.logoutTitle, body);
}

export function loggedOutPage({ lang }) {
  const t = stringsFor(lang);
  return layout(lang, t.loggedOutTitle, `<h1>${escapeHtml(t.loggedOutTitle)}</h1>\n<p>${escapeHtml(t.loggedOut)}</p>`);
}
