"""The catalogue in forms/: every definition loads, the issue's e-services and questionnaires are all there with their
agencies, what the sandbox agencies need is asked, prefill reads fields the agencies give, and every text is in
Latvian."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

from portal.catalogue.definitions import Condition, Definition, compose, load_definitions
from portal.catalogue.extract import texts
from portal.settings import PROJECT_ROOT
from sandbox.agencies.vdeavk import Domain

FORMS = PROJECT_ROOT / "forms"
SANDBOX_DATA = PROJECT_ROOT / "sandbox" / "agencies" / "data"
LV_CATALOGUE = PROJECT_ROOT / "locales" / "lv" / "LC_MESSAGES" / "messages.po"

# The catalogue to ship: slug -> agency (None: a questionnaire that goes to no agency).
APPLICATIONS = {
    "vecuma-pensija": "vsaa",
    "invaliditates-pensija": "vsaa",
    "apgadnieka-zaudejuma-pensija": "vsaa",
    "berna-piedzimsanas-pabalsts": "vsaa",
    "vecaku-pabalsts": "vsaa",
    "pabalsts-transporta-izdevumu-kompensesanai": "vsaa",
    "invalida-kopsanas-pabalsts": "vsaa",
    "pabalsts-aizbildnim-par-berna-uzturesanu": "vsaa",
    "atlidziba-par-aizbildna-pienakumu-pildisanu": "vsaa",
    "bezdarbnieka-pabalsts": "vsaa",
    "vdeavk-invaliditates-ekspertize": "vdeavk",
    "aprupe-majas": "pasv",
}
QUESTIONNAIRES = ("pasnovertejuma-anketa", "atbalsta-parbaude", "apmierinatiba")
SUPPORT_CHECK_RESULTS = FORMS / "results" / "atbalsta-parbaude.yaml"


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Definition]:
    return load_definitions(FORMS)


def _questions(definition: Definition) -> dict[str, Any]:
    return {f"{page.name}.{q.name}": q for page in definition.pages for q in page.questions}


def _question(definition: Definition, name: str) -> Any:
    found = [q for page in definition.pages for q in page.questions if q.name == name]
    assert len(found) == 1, f"{definition.slug}: {len(found)} questions named {name!r}"
    return found[0]


def test_every_definition_loads_and_the_catalogue_is_complete(catalogue):
    assert set(catalogue) == {p.stem for p in FORMS.glob("*.yaml")}
    for slug, agency in APPLICATIONS.items():
        assert slug in catalogue, f"{slug} is missing from forms/"
        assert catalogue[slug].kind == "application"
        assert catalogue[slug].agency == agency, slug
    for slug in QUESTIONNAIRES:
        assert catalogue[slug].kind == "questionnaire"
        assert catalogue[slug].agency is None


def test_question_names_are_unique_within_an_application(catalogue):
    # The agencies take answers keyed by question name (the contracts' `answers`), so a form's answers flatten
    # without loss; only the self-assessment areas repeat theirs, and they travel as `self_assessment` instead.
    domains = {d.replace("_", "-") for d in typing.get_args(Domain)}
    for slug in APPLICATIONS:
        names = [q.name for p in catalogue[slug].pages if p.name not in domains for q in p.questions]
        assert len(names) == len(set(names)), f"{slug} repeats {sorted({n for n in names if names.count(n) > 1})}"


def test_vsaa_forms_are_services_the_sandbox_takes_and_ask_how_to_deliver_the_decision(catalogue):
    services = _yaml(SANDBOX_DATA / "vsaa_applications.yaml")["services"]
    for slug, agency in APPLICATIONS.items():
        if agency != "vsaa":
            continue
        definition = catalogue[slug]
        assert slug in services, f"VSAA's sandbox takes no {slug}"
        # VSAA refuses an application about nobody when the service is about a child (and the other way round).
        assert (definition.about == "child") == (services[slug].get("about_person") == "required"), slug
        delivery = _question(definition, "decision_delivery")
        assert delivery.type == "choice" and delivery.required, slug
        # An answer on a page a condition may skip could be missing: VSAA refuses an application without it.
        assert all(page.when is None for page in definition.pages if page.question("decision_delivery")), slug


def test_vdeavk_form_gives_the_kind_and_the_whole_self_assessment(catalogue):
    definition = catalogue["vdeavk-invaliditates-ekspertize"]
    kind = _question(definition, "kind")
    assert kind.type == "choice" and {c.value for c in kind.choices} == {"first", "renewal"}
    assert _question(definition, "decision_delivery").required
    domains = set(typing.get_args(Domain))
    for slug in ("vdeavk-invaliditates-ekspertize", "pasnovertejuma-anketa"):
        pages = {p.name.replace("-", "_"): p for p in catalogue[slug].pages}
        assert domains <= set(pages), f"{slug} lacks {domains - set(pages)}"
        for domain in domains:
            difficulty, helps = pages[domain].question("difficulty"), pages[domain].question("helps")
            assert difficulty is not None and difficulty.type == "scale" and difficulty.required
            assert [c.value for c in difficulty.choices] == ["0", "1", "2", "3", "4"]
            assert helps is not None and helps.type == "textarea" and not helps.required
            assert helps.max_length is not None and helps.max_length <= 2000  # VDEĀVK's limit
    inside = {p.name: (p.title, [(q.label, q.hint) for q in p.questions]) for p in definition.pages}
    alone = catalogue["pasnovertejuma-anketa"].pages
    # The stand-alone questionnaire reads exactly as the pages inside the application.
    assert all(inside[p.name] == (p.title, [(q.label, q.hint) for q in p.questions]) for p in alone)


def test_home_care_names_a_municipality_that_takes_it(catalogue):
    definition = catalogue["aprupe-majas"]
    municipalities = _yaml(SANDBOX_DATA / "pasv.yaml")["municipalities"]
    taking = {code for code, item in municipalities.items() if definition.slug in item["services"]}
    question = _question(definition, "municipality")
    assert question.type == "choice" and question.required
    assert {c.value for c in question.choices} <= taking


def test_prefill_reads_fields_the_agencies_give(catalogue):
    persons = _yaml(SANDBOX_DATA / "vsaa_persons.yaml")["persons"]
    vsaa_fields: dict[str, set[str]] = {}
    for person in persons.values():
        for service, answers in (person.get("prefill") or {}).items():
            for key, value in answers.items():
                nested = {f"{key}.{k}" for k in value} if isinstance(value, dict) else set()
                vsaa_fields.setdefault(service, set()).update({key, *nested})
    renewal = _yaml(SANDBOX_DATA / "vdeavk.yaml")["applications"]
    vdeavk_fields = {f"answers.{key}" for a in renewal for key in a["answers"]} | {
        f"self_assessment.{domain}.{part}" for domain in typing.get_args(Domain) for part in ("difficulty", "helps")
    }
    vdeavk_fields.add("kind")  # derived from the current term by portal/applications/prefill.py (renewal_fields)
    prefilled = 0
    for definition in catalogue.values():
        for name, question in _questions(definition).items():
            if question.prefill is None:
                continue
            prefilled += 1
            field, source = question.prefill.field, question.prefill.source
            given = vsaa_fields.get(definition.slug, set()) if source == "vsaa_prefill" else vdeavk_fields
            assert field in given, f"{definition.slug} {name}: {source} gives no {field}"
    assert prefilled > 20


def test_support_check_results_list_services_on_answers_it_asks(catalogue):
    check = catalogue["atbalsta-parbaude"]
    questions = _questions(check)
    results = _yaml(SUPPORT_CHECK_RESULTS)
    assert results["questionnaire"] == check.slug
    listed = set()
    for entry in results["results"]:
        assert entry["service"] in catalogue and catalogue[entry["service"]].kind == "application"
        assert entry["hint"].strip()
        condition = Condition.model_validate(entry["when"])
        for part in _leaves(condition):
            question = questions.get(part.question or "")
            assert question is not None, f"{entry['service']}: no question {part.question}"
            allowed = {"yes", "no"} if question.type == "yes_no" else {c.value for c in question.choices or ()}
            wanted = {part.equals} if part.equals is not None else set(part.in_ or ())
            assert wanted <= allowed, f"{entry['service']}: {part.question} never answers {wanted - allowed}"
        listed.add(entry["service"])
    assert listed == set(APPLICATIONS)


def _leaves(condition: Condition) -> list[Condition]:
    if condition.question is not None:
        return [condition]
    parts = [*(condition.all or ()), *(condition.any or ()), *((condition.not_,) if condition.not_ else ())]
    return [leaf for part in parts for leaf in _leaves(part)]


def test_every_text_has_a_latvian_translation():
    with LV_CATALOGUE.open("rb") as f:
        translated = {m.id for m in read_po(f, locale="lv") if m.id and m.string}
    untranslated = {
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {text}"
        for path in sorted(FORMS.glob("**/*.yaml"))
        for line, text in texts(compose(path.read_text(encoding="utf-8")))
        if text not in translated
    }
    assert not untranslated, "\n".join(sorted(untranslated))
