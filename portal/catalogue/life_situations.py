"""Life situations (dzīves situācijas): how people look for support, before they know a service's name."""

from __future__ import annotations

from dataclasses import dataclass

from portal.web.i18n import N_


@dataclass(frozen=True)
class LifeSituation:
    slug: str
    title: str
    summary: str


LIFE_SITUATIONS: tuple[LifeSituation, ...] = (
    LifeSituation(
        "birth-of-a-child",
        N_("Birth of a child"),
        N_("Childbirth benefit, parental benefit and family support."),
    ),
    LifeSituation(
        "retirement",
        N_("Retirement"),
        N_("Old-age pension, your insurance periods and pension capital."),
    ),
    LifeSituation(
        "disability",
        N_("Disability"),
        N_("Disability assessment, disability pension and support for care and transport."),
    ),
    LifeSituation(
        "loss-of-a-provider",
        N_("Loss of a provider"),
        N_("Survivor's pension and support for the family after a death."),
    ),
    LifeSituation(
        "guardianship",
        N_("Guardianship"),
        N_("Benefits and compensation for guardians of children."),
    ),
    LifeSituation(
        "losing-a-job",
        N_("Losing a job"),
        N_("Unemployment benefit and statements of your contributions."),
    ),
)
