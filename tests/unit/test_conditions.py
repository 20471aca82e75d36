"""Conditions show or skip pages; answers on skipped pages do not count."""

from pathlib import Path

import pytest

from portal.catalogue.conditions import applicable_pages, effective_answers, evaluate, skipped_pages
from portal.catalogue.definitions import Condition, load_definition

DEFINITION = load_definition(Path(__file__).parent / "definitions" / "testa-pabalsts.yaml")
ANSWERS = {
    "married": {"answer": "yes"},
    "how": {"channel": "post", "topics": ["payments", "decisions"]},
    "children": [{"name": "Anna"}],
    "stats": {"score": 3},
}


def cond(**data):
    return Condition.model_validate(data)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"question": "married.answer", "equals": "yes"}, True),
        ({"question": "married.answer", "equals": "no"}, False),
        # YAML's true means the yes_no answer "yes".
        ({"question": "married.answer", "equals": True}, True),
        ({"question": "how.channel", "in": ["post", "e-adrese"]}, True),
        ({"question": "how.channel", "in": ["e-adrese"]}, False),
        # A multi_choice answer matches when one of its values is wanted.
        ({"question": "how.topics", "equals": "payments"}, True),
        ({"question": "how.topics", "in": ["other"]}, False),
        # Numbers in YAML compare with the answer's text.
        ({"question": "stats.score", "equals": 3}, True),
        # Unanswered questions and repeating pages match nothing.
        ({"question": "spouse.code", "equals": "x"}, False),
        ({"question": "children.name", "equals": "Anna"}, False),
        (
            {"all": [{"question": "married.answer", "equals": "yes"}, {"question": "how.channel", "equals": "post"}]},
            True,
        ),
        ({"all": [{"question": "married.answer", "equals": "yes"}, {"question": "how.channel", "equals": "x"}]}, False),
        (
            {"any": [{"question": "married.answer", "equals": "no"}, {"question": "how.channel", "equals": "post"}]},
            True,
        ),
        ({"any": [{"question": "married.answer", "equals": "no"}, {"question": "how.channel", "equals": "x"}]}, False),
        ({"not": {"question": "married.answer", "equals": "no"}}, True),
        ({"not": {"question": "married.answer", "equals": "yes"}}, False),
    ],
)
def test_conditions(condition, expected):
    assert evaluate(cond(**condition), ANSWERS) is expected


def names(pages):
    return [p.name for p in pages]


def test_a_page_whose_condition_fails_is_skipped():
    answers = {"married": {"answer": "no"}, "how": {"channel": "e-adrese"}}
    assert "spouse" not in names(applicable_pages(DEFINITION, answers))
    assert "address" not in names(applicable_pages(DEFINITION, answers))
    assert names(skipped_pages(DEFINITION, answers)) == ["spouse", "address"]


def test_a_page_whose_condition_holds_is_asked_in_order():
    answers = {"married": {"answer": "yes"}, "how": {"channel": "post"}}
    assert names(applicable_pages(DEFINITION, answers)) == [
        "bank-account", "married", "spouse", "how", "address", "children", "more",
    ]  # fmt: skip


def test_before_any_answer_conditional_pages_are_not_asked():
    assert names(skipped_pages(DEFINITION, {})) == ["spouse", "address"]


def test_answers_on_skipped_pages_are_ignored():
    # The person said married, filled in the spouse page, then changed their mind: the spouse answers stay in the
    # draft but are not part of what is submitted.
    answers = {
        "married": {"answer": "no"},
        "spouse": {"code": "010101-10006", "born": "1970-01-01"},
        "how": {"channel": "e-adrese"},
    }
    counted = effective_answers(DEFINITION, answers)
    assert "spouse" not in counted
    assert counted["married"] == {"answer": "no"}


def test_conditions_read_only_pages_that_apply():
    # An answer stored on a page that does not apply must not switch on a later page.
    definition = DEFINITION.model_copy(
        update={
            "pages": [
                *DEFINITION.pages[:3],
                DEFINITION.pages[3].model_copy(update={"when": cond(question="spouse.code", equals="x")}),
                *DEFINITION.pages[4:],
            ]
        }
    )
    answers = {"married": {"answer": "no"}, "spouse": {"code": "x"}, "how": {"channel": "post"}}
    assert "how" not in names(applicable_pages(definition, answers))


def test_forged_answers_are_dropped():
    answers = {
        "married": {"answer": "yes", "forged": "<script>"},
        "nope": {"x": 1},
        "children": [{"name": "Anna", "extra": 1}, "junk"],
    }
    counted = effective_answers(DEFINITION, answers)
    assert counted["married"] == {"answer": "yes"}
    assert "nope" not in counted
    assert counted["children"] == [{"name": "Anna"}]
