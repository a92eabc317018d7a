"""Rule M2: the great-circle distance between two points, in whole kilometres."""

from __future__ import annotations

import math

from app.domain.placements.model import Location

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "distance_km", "round_half_up"]

#: The mean earth radius of rule M2.
EARTH_RADIUS_KM = 6371.0


def haversine_km(a: Location, b: Location) -> float:
    """Return the great-circle distance between `a` and `b` in kilometres (haversine formula).

    Parameters
    ----------
    a, b : Location
        Points in decimal degrees.

    Returns
    -------
    float
        The distance over a sphere of radius `EARTH_RADIUS_KM`.

    Examples
    --------
    >>> zwolle, deventer = Location(52.5168, 6.0830), Location(52.2550, 6.1639)
    >>> round(haversine_km(zwolle, deventer), 2)
    29.62
    >>> haversine_km(zwolle, zwolle)
    0.0
    """
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(b.lon - a.lon) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def round_half_up(value: float) -> int:
    """Round a non-negative number to a whole number, halves upward (not to even).

    >>> round_half_up(2.5), round_half_up(3.5), round_half_up(2.4999), round_half_up(0.0)
    (3, 4, 2, 0)
    """
    return math.floor(value + 0.5)


def distance_km(a: Location, b: Location) -> int:
    """Return the distance of rule M2: haversine kilometres rounded half up to whole km.

    Examples
    --------
    >>> distance_km(Location(52.5168, 6.0830), Location(52.2550, 6.1639))
    30
    """
    return round_half_up(haversine_km(a, b))
