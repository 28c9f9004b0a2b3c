"""Write ``data/reliability/adjudication.md`` from the two codings and the decisions.

Reads ``data/reliability/first_coding.csv`` (the primary coding as it stood when the
second coding was made), ``data/reliability/second_coding.csv`` (the second coder's
blind coding, never edited) and ``data/reliability/decisions.csv`` (one decision per
disagreement), and fails if a disagreement has no decision. A test checks that the
file is current. Usage::

    python tools/make_adjudication.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _generated import write_or_check  # noqa: E402

from npstudy.intercoder import adjudication_markdown, load_codings  # noqa: E402
from npstudy.intercoder import disagreements, field_agreement  # noqa: E402

HEADER = """# Adjudication of the second coding

The primary coding (`first_coding.csv`, the state of `practices.csv` when the second coding
was made) and the second coder's blind coding (`second_coding.csv`, made from the codebook
and rules R1–R10, R9a and R11 without access to the primary coding; see `CODER_NOTES.md`)
were compared field by field with `npstudy.intercoder`. Every disagreement is listed below
with both codings, the decision (**first**: the final dataset follows the primary coding;
**second**: it follows the second coding), the reason, and the rule or codebook change it
led to. `practices.csv` is the adjudicated coding; the agreement figures are those of the
two codings *before* adjudication (`figures/tables/agreement.csv`).

This file is written by `python tools/make_adjudication.py` from `decisions.csv`."""


def render() -> str:
    first, second, decisions = load_codings(with_decisions=True)
    return adjudication_markdown(disagreements(first, second), decisions,
                                 field_agreement(first, second), HEADER)


def main(argv) -> int:
    text = render()
    return write_or_check(ROOT / "data" / "reliability" / "adjudication.md", text, argv,
                          "tools/make_adjudication.py")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
