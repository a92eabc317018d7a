"""Plain Dutch sentences that explain a learner's path, one per remaining item.

Each function takes plain values and returns one sentence ending in a full stop.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "SUPERVISION_LEVELS",
    "dutch_list",
    "explain_unit",
    "explain_epa",
    "explain_entry_requirement",
    "explain_elective_shortfall",
]

#: Short Dutch labels of the five supervision levels (entrustment scale).
SUPERVISION_LEVELS: tuple[str, ...] = (
    "observeren",
    "uitvoeren onder directe supervisie",
    "uitvoeren onder indirecte supervisie",
    "zelfstandig uitvoeren",
    "supervisie geven aan anderen",
)


def dutch_list(items: Sequence[str], conjunction: str = "en") -> str:
    """Join `items` the Dutch way: ``a, b en c``.

    Examples
    --------
    >>> dutch_list(["a", "b", "c"])
    'a, b en c'
    >>> dutch_list(["a", "b"], "of")
    'a of b'
    >>> dutch_list(["a"])
    'a'
    """
    if len(items) <= 1:
        return items[0] if items else ""
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _level(level: int) -> str:
    label = SUPERVISION_LEVELS[level - 1] if 1 <= level <= len(SUPERVISION_LEVELS) else None
    return f"niveau {level} ({label})" if label else f"niveau {level}"


def explain_unit(
    unit: str,
    title: str,
    missing: Sequence[str],
    total: int,
    hours: int,
    blocked_by: Sequence[str] = (),
    needs_assessment: Sequence[str] = (),
    expired: Sequence[str] = (),
) -> str:
    """Explain what a remaining unit still needs.

    `needs_assessment` and `expired` are the unit's missing outcomes that need an assessment
    or whose evidence expired.

    Examples
    --------
    >>> explain_unit("BC-1", "Zorg", ["o1", "o3"], 3, 533, blocked_by=["BC-0"], expired=["o3"])
    'Voor BC-1 (Zorg) moet je nog 2 van de 3 leerresultaten behalen (o1 en o3), ongeveer 533 \
uur; je kunt pas beginnen na BC-0; het bewijs voor o3 is verlopen.'
    >>> explain_unit("AV-1", "Engels", ["e"], 1, 200, needs_assessment=["e"])
    'Voor AV-1 (Engels) moet je nog het leerresultaat e behalen, ongeveer 200 uur; e is deels \
aangetoond en vraagt om een beoordeling.'
    >>> explain_unit("BC-2", "Zorg", ["a", "b"], 2, 80, needs_assessment=["a", "b"])
    'Voor BC-2 (Zorg) moet je nog 2 van de 2 leerresultaten behalen (a en b), ongeveer 80 uur; \
a en b zijn deels aangetoond en vragen om een beoordeling.'
    """
    if total == 1:
        body = f"het leerresultaat {missing[0]} behalen"
    else:
        body = f"{len(missing)} van de {total} leerresultaten behalen ({dutch_list(missing)})"
    blocked = f"; je kunt pas beginnen na {dutch_list(blocked_by)}" if blocked_by else ""
    partial = ""
    if needs_assessment:
        be, ask = ("is", "vraagt") if len(needs_assessment) == 1 else ("zijn", "vragen")
        partial = (
            f"; {dutch_list(needs_assessment)} {be} deels aangetoond en {ask} om een beoordeling"
        )
    lapsed = f"; het bewijs voor {dutch_list(expired)} is verlopen" if expired else ""
    return (
        f"Voor {unit} ({title}) moet je nog {body}, ongeveer {hours} uur{blocked}{partial}{lapsed}."
    )


def explain_epa(epa: str, current_level: int | None, required_level: int) -> str:
    """Explain the gap between the current and the required supervision level of an EPA.

    Examples
    --------
    >>> explain_epa("BAZ-5", 2, 4)
    'Voor EPA BAZ-5 ben je bekwaam verklaard op niveau 2 (uitvoeren onder directe supervisie), \
maar niveau 4 (zelfstandig uitvoeren) is vereist.'
    >>> explain_epa("BAZ-4", None, 4)
    'Voor EPA BAZ-4 is er nog geen bekwaamverklaring, terwijl niveau 4 (zelfstandig uitvoeren) \
vereist is.'
    """
    if current_level is None:
        return (
            f"Voor EPA {epa} is er nog geen bekwaamverklaring, "
            f"terwijl {_level(required_level)} vereist is."
        )
    return (
        f"Voor EPA {epa} ben je bekwaam verklaard op {_level(current_level)}, "
        f"maar {_level(required_level)} is vereist."
    )


def explain_entry_requirement(any_of: Sequence[str]) -> str:
    """Explain a missing entry requirement: a diploma of one of `any_of`.

    Examples
    --------
    >>> explain_entry_requirement(["Q-VP", "Q-HBOV"])
    'Je voldoet nog niet aan de toelatingseis: je hebt een diploma nodig van Q-VP of Q-HBOV.'
    """
    return (
        "Je voldoet nog niet aan de toelatingseis: "
        f"je hebt een diploma nodig van {dutch_list(list(any_of), 'of')}."
    )


def explain_elective_shortfall(shortfall_hours: int, required_hours: int, chosen_any: bool) -> str:
    """Explain the elective hours that the chosen electives leave uncovered.

    Examples
    --------
    >>> explain_elective_shortfall(240, 720, True)
    'Je gekozen keuzedelen dekken 240 van de 720 verplichte keuzedeeluren niet; kies er nog \
keuzedelen bij.'
    >>> explain_elective_shortfall(720, 720, False)
    'Je hebt nog geen keuzedelen gekozen voor 720 van de 720 verplichte keuzedeeluren; kies \
keuzedelen uit het aanbod.'
    """
    if chosen_any:
        return (
            f"Je gekozen keuzedelen dekken {shortfall_hours} van de {required_hours} "
            "verplichte keuzedeeluren niet; kies er nog keuzedelen bij."
        )
    return (
        f"Je hebt nog geen keuzedelen gekozen voor {shortfall_hours} van de {required_hours} "
        "verplichte keuzedeeluren; kies keuzedelen uit het aanbod."
    )
