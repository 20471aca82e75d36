// Personas for the dev identity provider, read from sandbox/personas.yaml (the one source Python shares).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const PERSONAS_FILE = fileURLToPath(new URL('../personas.yaml', import.meta.url));

export function loadPersonas(file = PERSONAS_FILE) {
  const data = parse(readFileSync(file, 'utf8'));
  const personas = data?.personas;
  if (!Array.isArray(personas) || personas.length === 0) {
    throw new Error(`${file}: no personas`);
  }
  const bySub = new Map();
  const byCode = new Map();
  for (const p of personas) {
    for (const field of ['personal_code', 'sub', 'given_name', 'family_name']) {
      if (typeof p[field] !== 'string' || !p[field]) throw new Error(`${file}: a persona lacks ${field}`);
    }
    if (bySub.has(p.sub) || byCode.has(p.personal_code)) {
      throw new Error(`${file}: duplicate persona ${p.sub}`);
    }
    const persona = Object.freeze({
      sub: p.sub,
      personalCode: p.personal_code,
      givenName: p.given_name,
      familyName: p.family_name,
      staff: p.staff ? Object.freeze({ role: p.staff.role, organisation: p.staff.organisation }) : null,
    });
    bySub.set(persona.sub, persona);
    byCode.set(persona.personalCode, persona);
  }
  return { list: [...bySub.values()], bySub, byCode };
}

/** "Name Surname (personal code)", as the sign-in page lists a persona. */
export function personaLabel(persona) {
  return `${persona.givenName} ${persona.familyName} (${persona.personalCode})`;
}
