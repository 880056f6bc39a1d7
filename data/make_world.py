"""Make data/world.geojson, the world outline for the offline map. Run once at dev time.

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries
(naturalearthdata.com), as shipped inside the PyPI wheel geopandas==0.14.4 at
geopandas/datasets/naturalearth_lowres/naturalearth_lowres.{shp,shx,dbf}
(geopandas 1.0 dropped it). geopandas built that file from ne_110m_admin_0_countries
with two changes of its own: ISO_A3 "-99" replaced by ADM0_A3 for sovereign countries
(France, Norway, ...), and Crimea part of Ukraine.

Licence: Natural Earth data is in the public domain ("No permission is needed to use
Natural Earth"), and so is the output.

Output: a GeoJSON FeatureCollection (RFC 7946), one Feature per country (177), with
properties {"name": English short name, "iso_a3": ISO 3166-1 alpha-3 or null} and a
Polygon or MultiPolygon geometry in WGS84 longitude/latitude, rounded to 2 decimals
(about 1 km; finer than the 1:110m data itself). Rings follow RFC 7946: exterior
rings counterclockwise, holes clockwise (d3-geo wants the opposite: reverse the rings
there). Borders are today's, not those of 1939-1945.

Rerun (nothing of this is a dependency of the project):

    python3 -m venv /tmp/world && /tmp/world/bin/pip install pyshp
    /tmp/world/bin/pip download geopandas==0.14.4 --no-deps -d /tmp/world/wheel
    /tmp/world/bin/python data/make_world.py /tmp/world/wheel/geopandas-0.14.4-py3-none-any.whl

It writes data/world.geojson (or the path given with --out) and prints what it kept.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
DECIMALS = 2

# Codes that geopandas' ADM0_A3 fallback gives but ISO 3166-1 does not have.
NOT_ISO = {"-99", "CYN", "SOL"}  # Kosovo, N. Cyprus, Somaliland


def _round_ring(ring: list, decimals: int) -> list[list[float]] | None:
    """Round a ring's points, drop repeated points; None when it collapses.

    >>> _round_ring([(0.001, 0.0), (1.0, 0.0), (1.0, 1.0), (1.0, 1.001), (0.0, 0.0)], 2)
    [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    >>> _round_ring([(0.0, 0.0), (0.001, 0.0), (0.0, 0.001), (0.0, 0.0)], 2) is None
    True
    """
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(float(x), decimals) + 0.0, round(float(y), decimals) + 0.0]
        if not out or point != out[-1]:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4 or abs(_area(out)) == 0:
        return None
    return out


def _area(ring: list[list[float]]) -> float:
    """Signed area (shoelace): > 0 for a counterclockwise ring.

    >>> _area([[0, 0], [1, 0], [1, 1], [0, 0]])
    0.5
    """
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def _oriented(ring: list[list[float]], counterclockwise: bool) -> list[list[float]]:
    return ring if (_area(ring) > 0) == counterclockwise else ring[::-1]


def simplify(geometry: dict, decimals: int = DECIMALS) -> dict | None:
    """A GeoJSON (Multi)Polygon rounded, with collapsed rings and polygons dropped.

    >>> simplify({"type": "Polygon", "coordinates": [[(0, 0), (0, 2), (2, 2), (2, 0), (0, 0)]]})
    {'type': 'Polygon', 'coordinates': [[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]]}
    """
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"not a polygon: {geometry['type']}")
    kept = []
    for rings in polygons:
        shell = _round_ring(rings[0], decimals)
        if shell is None:
            continue
        holes = [h for h in (_round_ring(r, decimals) for r in rings[1:]) if h is not None]
        kept.append([_oriented(shell, True)] + [_oriented(h, False) for h in holes])
    if not kept:
        return None
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def read_countries(wheel: Path):
    """(name, iso_a3, GeoJSON geometry) for each record of the wheel's shapefile."""
    import shapefile  # pyshp, a dev-time tool only

    with zipfile.ZipFile(wheel) as z:
        files = {ext: io.BytesIO(z.read(f"{MEMBER}.{ext}")) for ext in ("shp", "shx", "dbf")}
        encoding = z.read(f"{MEMBER}.cpg").decode("ascii").strip()  # ISO-8859-1
    reader = shapefile.Reader(**files, encoding=encoding)
    for record in reader.iterShapeRecords():
        rec = record.record.as_dict()
        yield rec["name"], rec["iso_a3"], record.shape.__geo_interface__


def build(wheel: Path, decimals: int = DECIMALS) -> dict:
    features = []
    for name, iso, geometry in read_countries(wheel):
        geometry = simplify(geometry, decimals)
        if geometry is None:
            print(f"dropped (too small at {decimals} decimals): {name}", file=sys.stderr)
            continue
        iso = iso if iso and iso not in NOT_ISO else None
        features.append({"type": "Feature", "properties": {"name": name, "iso_a3": iso},
                         "geometry": geometry})
    features.sort(key=lambda f: f["properties"]["name"])
    return {"type": "FeatureCollection", "features": features}


def validate(collection: dict) -> None:
    features = collection["features"]
    assert collection["type"] == "FeatureCollection"
    assert len(features) > 150, len(features)
    for feature in features:
        geometry = feature["geometry"]
        polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                    else geometry["coordinates"])
        for rings in polygons:
            for ring in rings:
                assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]
                for x, y in ring:
                    assert -180 <= x <= 180 and -90 <= y <= 90, (feature["properties"], x, y)
    codes = {f["properties"]["iso_a3"] for f in features}
    assert {"KAZ", "RUS", "UKR", "BLR", "UZB", "KGZ", "TJK", "TKM", "DEU", "POL"} <= codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="geopandas-0.14.4-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=HERE / "world.geojson")
    parser.add_argument("--decimals", type=int, default=DECIMALS)
    args = parser.parse_args(argv)
    collection = build(args.wheel, args.decimals)
    validate(collection)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    without = [f["properties"]["name"] for f in collection["features"]
               if f["properties"]["iso_a3"] is None]
    print(f"{args.out}: {len(collection['features'])} countries, {len(text.encode()):,} bytes;"
          f" no ISO code: {', '.join(without) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
