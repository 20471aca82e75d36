// Every string the dev identity provider shows, Latvian first; `ui_locales=en` picks English.
// One table so the two languages cannot drift apart.

export const ACR = {
  low: 'http://eidas.europa.eu/LoA/low',
  substantial: 'http://eidas.europa.eu/LoA/substantial',
  high: 'http://eidas.europa.eu/LoA/high',
};

// RFC 8176 methods reported with each level (a stand-in for eID card, eParaksts mobile, bank login).
export const AMR = {
  [ACR.low]: ['pwd'],
  [ACR.substantial]: ['mfa', 'otp'],
  [ACR.high]: ['sc', 'pin'],
};

const STRINGS = {
  lv: {
    signInTitle: 'Pieslēgšanās',
    signInHeading: 'Pieslēgties',
    client: 'Pakalpojums, kas lūdz pieslēgties:',
    devNotice: 'Šī ir izstrādes un testu identitātes pārbaude: visas personas ir izdomātas.',
    personLabel: 'Personas kods',
    personHint: 'Izvēlieties personu, kā kuru pieslēgties.',
    personChoose: '— izvēlieties personu —',
    acrLegend: 'Uzticamības līmenis',
    [ACR.low]: 'zems',
    [ACR.substantial]: 'būtisks',
    [ACR.high]: 'augsts',
    acrRequested: 'Pakalpojums prasa šo līmeni.',
    submit: 'Pieslēgties',
    errorPrefix: 'Kļūda: ',
    errorSummary: 'Pieslēgties neizdevās',
    unknownPersona: 'Izvēlieties personu no saraksta.',
    badAcr: 'Izvēlieties uzticamības līmeni: zems, būtisks vai augsts.',
    acrTooLow: 'Pakalpojums prasa uzticamības līmeni „{level}”. Izvēlieties to.',
    staffOnly: 'Darbinieku pieslēgšanās ir tikai klientu apkalpošanas centru darbiniekiem; šai personai tādas lomas nav.',
    badForm: 'Veidlapu neizdevās nolasīt. Mēģiniet vēlreiz.',
    errorTitle: 'Kļūda',
    errorHeading: 'Pieslēgšanās pakalpojumā radās kļūda',
    errorCode: 'Kļūdas kods',
    errorDetail: 'Skaidrojums',
    errorAdvice: 'Atgriezieties pakalpojumā un mēģiniet pieslēgties vēlreiz.',
    errorMeaning: {
      invalid_client: 'Pakalpojums, kas lūdza pieslēgšanos, nav reģistrēts.',
      invalid_request: 'Pieslēgšanās pieprasījums nav derīgs.',
      invalid_scope: 'Pakalpojums lūdza datus, kas tam nav atļauti.',
      invalid_redirect_uri: 'Pakalpojuma atgriešanās adrese nav reģistrēta.',
      server_error: 'Identitātes pārbaudē radās iekšēja kļūda.',
    },
    expired: 'Pieslēgšanās pieprasījums nav atrasts vai ir novecojis.',
    logoutTitle: 'Atslēgšanās',
    logoutHeading: 'Atslēgties',
    logoutQuestion: 'Vai atslēgties no visiem pakalpojumiem, kuros pieslēdzāties ar šo identitāti?',
    logoutFrom: 'Pakalpojums:',
    logoutAll: 'Jā, atslēgties no visiem',
    logoutOne: 'Atslēgties tikai no šī pakalpojuma',
    loggedOutTitle: 'Atslēgšanās izdevās',
    loggedOut: 'Jūs esat atslēgts no identitātes pārbaudes. Tagad varat aizvērt šo lapu.',
  },
  en: {
    signInTitle: 'Sign in',
    signInHeading: 'Sign in',
    client: 'Service asking you to sign in:',
    devNotice: 'This is the development and test identity provider: every person here is made up.',
    personLabel: 'Personal code',
    personHint: 'Choose the person to sign in as.',
    personChoose: '— choose a person —',
    acrLegend: 'Level of assurance',
    [ACR.low]: 'low',
    [ACR.substantial]: 'substantial',
    [ACR.high]: 'high',
    acrRequested: 'The service requires this level.',
    submit: 'Sign in',
    errorPrefix: 'Error: ',
    errorSummary: 'Could not sign in',
    unknownPersona: 'Choose a person from the list.',
    badAcr: 'Choose a level of assurance: low, substantial or high.',
    acrTooLow: 'The service requires the level of assurance “{level}”. Choose it.',
    staffOnly: 'The staff sign-in is for service-centre staff only; this person has no such role.',
    badForm: 'The form could not be read. Please try again.',
    errorTitle: 'Error',
    errorHeading: 'The sign-in service ran into an error',
    errorCode: 'Error code',
    errorDetail: 'Explanation',
    errorAdvice: 'Go back to the service and try to sign in again.',
    errorMeaning: {
      invalid_client: 'The service that asked you to sign in is not registered.',
      invalid_request: 'The sign-in request is not valid.',
      invalid_scope: 'The service asked for data it may not have.',
      invalid_redirect_uri: 'The service’s return address is not registered.',
      server_error: 'The identity provider ran into an internal error.',
    },
    expired: 'The sign-in request was not found or has expired.',
    logoutTitle: 'Sign out',
    logoutHeading: 'Sign out',
    logoutQuestion: 'Sign out of every service you signed in to with this identity?',
    logoutFrom: 'Service:',
    logoutAll: 'Yes, sign out of all',
    logoutOne: 'Sign out of this service only',
    loggedOutTitle: 'Signed out',
    loggedOut: 'You have signed out of the identity provider. You can close this page now.',
  },
};

/** The language for a space-separated `ui_locales` value: the first of ours that it names, else Latvian. */
export function languageFor(uiLocales) {
  for (const tag of String(uiLocales ?? '').split(/\s+/)) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary in STRINGS) return primary;
  }
  return 'lv';
}

export function stringsFor(lang) {
  return STRINGS[lang] ?? STRINGS.lv;
}
