"""Stagematching: internship places matched to learners by rules M1–M5 (issue #16).

* `app.domain.placements.model`: workplaces, rounds, offers, requests and match results;
* `app.domain.placements.distance`: great-circle distance in whole kilometres (M2);
* `app.domain.placements.feasibility`: whether a learner may take a place of an offer (M1);
* `app.domain.placements.cost`: the cost of a feasible pair (M3);
* `app.domain.placements.matching`: the most placements at the lowest total cost (M4);
* `app.domain.placements.reasons`: why a learner stays unplaced, in Dutch (M5).
"""

from app.domain.placements.matching import match_round

__all__ = ["match_round"]
