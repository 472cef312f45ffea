#!/usr/bin/python3
"""Check a Prometheus text exposition (format 0.0.4) and print its samples as JSON.

usage: prom_check.py FILE        (stdlib only; promtool is not available here)

Checks, each failure one line on stderr and exit 1:
  - every line is a "# HELP name text", a "# TYPE name type", another comment, or a sample
    `name{label="value",...} value [timestamp]`, with metric and label names as the format
    allows, label values quoted with only \\\\ \\" \\n escapes, a float value (NaN, +Inf, -Inf);
  - a family's TYPE (counter|gauge|summary|histogram|untyped) and HELP come at most once and
    before its samples, and a family's samples are contiguous;
  - counters are named *_total, never negative;
  - no series (name and label set) appears twice; the text ends with a newline.
Output: {"name" or "name{l=\\"v\\",...}": value, ...} on stdout.
"""
import json
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
LVALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s=%s(?:,%s=%s)*,?)?\})? (\S+)( -?[0-9]+)?$" % (NAME, LABEL, LVALUE, LABEL, LVALUE))
HELP = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|summary|histogram|untyped)$" % NAME)
PAIR = re.compile(r"(%s)=(%s)" % (LABEL, LVALUE))


def fail(msg):
    print("prom_check: " + msg, file=sys.stderr)
    sys.exit(1)


def family(name, types):
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
            return name[: -len(suffix)]
    return name


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    if not text.endswith("\n"):
        fail("the text does not end with a newline")
    types, helps, seen_samples, done, series = {}, set(), set(), set(), {}
    current = None
    for no, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = HELP.match(line)
            if m:
                if m.group(1) in helps:
                    fail("line %d: second HELP for %s" % (no, m.group(1)))
                if m.group(1) in seen_samples:
                    fail("line %d: HELP for %s after its samples" % (no, m.group(1)))
                helps.add(m.group(1))
                continue
            m = TYPE.match(line)
            if m:
                if m.group(1) in types:
                    fail("line %d: second TYPE for %s" % (no, m.group(1)))
                if m.group(1) in seen_samples:
                    fail("line %d: TYPE for %s after its samples" % (no, m.group(1)))
                types[m.group(1)] = m.group(2)
                continue
            if line.startswith("# HELP") or line.startswith("# TYPE"):
                fail("line %d: malformed: %r" % (no, line))
            continue  # another comment
        if line == "":
            continue
        m = SAMPLE.match(line)
        if not m:
            fail("line %d: not a sample: %r" % (no, line))
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        try:
            v = float(value)
        except ValueError:
            fail("line %d: value %r is not a float" % (no, value))
        if value.lower() in ("nan", "inf", "+inf", "-inf") and value not in ("NaN", "+Inf", "-Inf"):
            fail("line %d: spell it NaN, +Inf or -Inf: %r" % (no, value))
        fam = family(name, types)
        if fam != current:
            if fam in done:
                fail("line %d: samples of %s are not contiguous" % (no, fam))
            if current is not None:
                done.add(current)
            current = fam
        seen_samples.add(fam)
        if types.get(fam) == "counter":
            if not fam.endswith("_total"):
                fail("line %d: counter %s not named *_total" % (no, fam))
            if v < 0 or math.isnan(v):
                fail("line %d: counter %s is %s" % (no, name, value))
        pairs = PAIR.findall(labels)
        names = [p[0] for p in pairs]
        if len(set(names)) != len(names):
            fail("line %d: a label repeats: %r" % (no, line))
        key = name + ("{" + ",".join("%s=%s" % p for p in sorted(pairs)) + "}" if pairs else "")
        if key in series:
            fail("line %d: series %s twice" % (no, key))
        series[key] = v
    if not series:
        fail("no samples")
    json.dump(series, sys.stdout, sort_keys=True)
    print()


main()
