#!/usr/bin/env python3
"""
Expected occurrences for test/recurrence/oracle.test.ts, computed by python-dateutil (the oracle)
with zoneinfo for the zones:

    python3 scripts/gen-recurrence-fixtures.py

Reads test/fixtures/recurrence/rfc5545-examples.json (RFC 5545 section 3.8.5.3) and
random-rules.json (scripts/gen-recurrence-rules.ts); writes expected.json.

Semantics, all from dateutil + zoneinfo, none from switchyard:
- DTSTART is an aware datetime in its zone; dateutil iterates wall times (9:00 stays 9:00).
- A wall time in a DST gap is read with fold=0, i.e. the offset before the gap (RFC 5545 3.3.5:
  02:30 becomes 03:30); one in an overlap is the first (earlier) instant.
- UNTIL=...Z is an aware UTC datetime, compared by instant; EXDATE by instant.
- All-day series use naive dates; UNTIL is then a DATE.
"""
import datetime as dt
import json
import platform
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import dateutil
from dateutil.rrule import rrulestr, rruleset

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "test" / "fixtures" / "recurrence"
UTC = dt.timezone.utc
MAX = 500


def tzdata_version():
    try:
        first = Path("/usr/share/zoneinfo/tzdata.zi").read_text().splitlines()[0]
        return first.replace("# version ", "")
    except OSError:
        return "unknown"


def parse_instant(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def iso_instant(d, zone):
    # Round-trip through UTC so a gap wall time (fold=0) comes out as the real local time.
    return d.astimezone(UTC).astimezone(zone).isoformat()


def expand(case):
    rule_text = case["rrule"].removeprefix("RRULE:")
    start = case["start"]
    window = case["window"]
    if "date" in start:
        dtstart = dt.datetime.fromisoformat(start["date"])
        rset = rruleset()
        rset.rrule(rrulestr(rule_text, dtstart=dtstart))
        lo = parse_instant(window["from"]).replace(tzinfo=None)
        hi = parse_instant(window["to"]).replace(tzinfo=None)
        out = []
        for d in rset.xafter(lo - dt.timedelta(days=1), inc=False):
            if d >= hi or len(out) >= MAX:
                break
            if d + dt.timedelta(days=1) > lo:
                out.append(d.date().isoformat())
        return out
    zone = ZoneInfo(start["timeZone"])
    dtstart = dt.datetime.fromisoformat(start["dateTime"]).replace(tzinfo=zone)
    rset = rruleset()
    rset.rrule(rrulestr(rule_text, dtstart=dtstart))
    for ex in case.get("exdateValues", []):
        rset.exdate(dt.datetime.fromisoformat(ex).replace(tzinfo=zone))
    lo = parse_instant(window["from"])
    hi = parse_instant(window["to"])
    out = []
    for d in rset:
        if d >= hi or len(out) >= MAX:
            break
        if d >= lo:
            out.append(iso_instant(d, zone))
    return out


def basic_to_iso(v):
    return f"{v[0:4]}-{v[4:6]}-{v[6:8]}T{v[9:11]}:{v[11:13]}:{v[13:15]}"


def rfc_cases():
    examples = json.loads((FIX / "rfc5545-examples.json").read_text())
    cases = []
    for i, ex in enumerate(examples):
        zone = ZoneInfo(ex["tzid"])
        start_local = basic_to_iso(ex["dtstart"].split(":")[-1])
        listed = [parse_instant(s) for s in ex["rfc_listed"]]
        first = dt.datetime.fromisoformat(start_local).replace(tzinfo=zone)
        case = {
            "id": f"rfc5545-{i + 1:02d}",
            "source": "RFC 5545 3.8.5.3: " + ex["description"],
            "rrule": ex["rrule"],
            "start": {"dateTime": start_local, "timeZone": ex["tzid"]},
            # From DTSTART to just after the last date the RFC lists.
            "window": {
                "from": first.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "to": (max(listed) + dt.timedelta(seconds=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "rfcListed": ex["rfc_listed"],
        }
        if "exdate" in ex:
            case["exdates"] = [ex["exdate"]]
            case["exdateValues"] = [basic_to_iso(v) for v in ex["exdate"].split(":")[-1].split(",")]
        cases.append(case)
    return cases


random_cases_cache = []


def random_cases():
    rules = json.loads((FIX / "random-rules.json").read_text())["rules"]
    random_cases_cache.clear()
    random_cases_cache.extend(dict(id=f"random-{i + 1:03d}", source="fast-check (scripts/gen-recurrence-rules.ts)", **r) for i, r in enumerate(rules))
    return random_cases_cache


KEEP_WITH_OCCURRENCES = 200
KEEP_WITHOUT = 20


def evaluate(case):
    try:
        case["expected"] = expand(case)
    except ValueError as e:
        # dateutil refuses some rules outright (BYHOUR=2 with FREQ=HOURLY;INTERVAL=3 from 04:30 can never match).
        case["error"] = str(e)
    case.pop("exdateValues", None)
    return case


def main():
    cases = [evaluate(c) for c in rfc_cases()]
    # Random rules with many BYxxx parts often select nothing in their window; an empty answer proves
    # little, so keep the first 200 rules that have occurrences and only a few that have none.
    with_occ, without = [], []
    for case in (evaluate(c) for c in random_cases()):
        if case.get("expected"):
            if len(with_occ) < KEEP_WITH_OCCURRENCES:
                with_occ.append(case)
        elif len(without) < KEEP_WITHOUT:
            without.append(case)
    kept = {c["id"] for c in with_occ + without}
    cases += [c for c in random_cases_cache if c["id"] in kept]
    doc = {
        "generator": {
            "script": "scripts/gen-recurrence-fixtures.py",
            "dateutil": dateutil.__version__,
            "python": platform.python_version(),
            "tzdata": tzdata_version(),
            "maxPerCase": MAX,
            "randomKept": f"first {KEEP_WITH_OCCURRENCES} random rules with occurrences, first {KEEP_WITHOUT} without",
        },
        "cases": cases,
    }
    (FIX / "expected.json").write_text(json.dumps(doc, indent=1) + "\n")
    total = sum(len(c.get("expected", [])) for c in cases)
    print(f"wrote {len(cases)} cases, {total} occurrences", file=sys.stderr)


if __name__ == "__main__":
    main()
