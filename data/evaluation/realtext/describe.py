"""Count the real-text excerpts by genre, province, split and distractor flag.

Reads ``excerpts.csv`` and writes the counts as Markdown tables into ``README.md`` between
the markers ``<!-- counts:start -->`` and ``<!-- counts:end -->`` (nothing else in the README
changes; the file is replaced through one rename). ``--check`` only reports whether the
README already shows the current counts; ``--print`` writes the tables to stdout.

Usage::

    python data/evaluation/realtext/describe.py [--check | --print]
"""

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
START, END = "<!-- counts:start -->", "<!-- counts:end -->"
GENRES = ["work_report", "plan_opinion", "provincial_news", "national_news",
          "speech_press", "statistics_review", "city_county"]
PROVINCES = HERE.parents[1] / "provinces.csv"


def load(path=HERE / "excerpts.csv"):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def tables(rows):
    """Markdown text of the count tables for ``rows`` (dicts read from ``excerpts.csv``)."""
    n = len(rows)
    with open(PROVINCES, encoding="utf-8", newline="") as f:
        names = {r["iso_code"]: r["name_en"] for r in csv.DictReader(f)}
    out = []
    distractors = sum(r["distractor"] == "true" for r in rows)
    titled = sum(r["has_title"] == "true" for r in rows)
    provinces = Counter(r["province"] for r in rows if r["province"])
    lengths = sorted(int(r["n_chars"]) for r in rows)
    queries = len({r["query"] for r in rows})
    out.append(f"{n} excerpts from {queries} search queries; {distractors} distractors ({100 * distractors / n:.1f}%); "
               f"{titled} keep their title or header line; {len(provinces)} provinces as the "
               f"document's province, {n - sum(provinces.values())} excerpts with none; "
               f"length {lengths[0]}–{lengths[-1]} characters (median "
               f"{lengths[len(lengths) // 2]}, total {sum(lengths):,}).")
    out.append("")
    out.append("| genre | excerpts | distractors | dev | test |")
    out.append("|---|---:|---:|---:|---:|")
    for genre in GENRES + sorted({r["genre"] for r in rows} - set(GENRES)):
        g = [r for r in rows if r["genre"] == genre]
        out.append(f"| `{genre}` | {len(g)} | {sum(r['distractor'] == 'true' for r in g)} | "
                   f"{sum(r['split'] == 'dev' for r in g)} | {sum(r['split'] == 'test' for r in g)} |")
    out.append(f"| all | {n} | {distractors} | {sum(r['split'] == 'dev' for r in rows)} | "
               f"{sum(r['split'] == 'test' for r in rows)} |")
    out.append("")
    out.append("| province | excerpts | share |")
    out.append("|---|---:|---:|")
    for code, k in sorted(provinces.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"| {code} {names.get(code, '')} | {k} | {100 * k / n:.1f}% |")
    out.append(f"| (none: national, foreign, several provinces) | {n - sum(provinces.values())} | "
               f"{100 * (n - sum(provinces.values())) / n:.1f}% |")
    return "\n".join(out) + "\n"


def render(readme_text, rows):
    head, sep, rest = readme_text.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"README.md lacks the markers {START} … {END}")
    return f"{head}{START}\n{tables(rows)}{END}{tail}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--print", action="store_true")
    args = parser.parse_args(argv)
    try:
        rows = load()
    except OSError as exc:
        print(f"describe: error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    if not rows:
        print("describe: error: excerpts.csv has no rows; nothing to count", file=sys.stderr)
        return 2
    if args.print:
        sys.stdout.write(tables(rows))
        return 0
    readme = HERE / "README.md"
    old = readme.read_text(encoding="utf-8")
    try:
        new = render(old, rows)
    except ValueError as exc:
        print(f"describe: error: {readme}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if new != old:
            print("describe: README.md counts are out of date; run describe.py", file=sys.stderr)
            return 1
        return 0
    tmp = readme.with_name("README.md.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
