"""Dutch words for the codes the pages show: unit kinds, roles in a qualification, statuses."""

from __future__ import annotations

#: Unit kind → Dutch name (the code stays visible next to it).
KIND_LABELS: dict[str, str] = {"BC": "beroepsgericht", "AV": "generiek", "VC": "keuzedeel"}
#: Unit kind → the longer text of a graph's legend.
KIND_LEGEND: dict[str, str] = {
    "BC": "beroepsgericht (basis- of profieldeel)",
    "AV": "generiek (taal, rekenen, loopbaan en burgerschap)",
    "VC": "keuzedeel",
}
#: Role of a unit in a qualification → Dutch.
ROLE_LABELS: dict[str, str] = {
    "mandatory": "verplicht",
    "option": "keuze",
    "outside": "vooraf vereist",
}
#: A unit's status on a learner's path → Dutch label shown in the node, the legend and the list.
STATUS_LABELS: dict[str, str] = {
    "achieved": "behaald",
    "partial": "deels behaald",
    "open": "nog te doen",
    "blocked": "geblokkeerd",
    "unchosen": "niet gekozen",
}
