"""Write data/reliability/agreement.csv: agreement of the second coding with the first.

The table is :func:`npstudy.reliability.agreement_table` (κ and α with bootstrap
intervals for every field, Krippendorff's αu for the statements, and the no-judgement
baseline). It uses ``reliability/second_coding_blind.csv`` once that file exists, and
the earlier ``second_coding.csv`` until then. ``npstudy build`` writes the same table as
``tables/reliability.csv``.

    python tools/make_agreement.py            # write it
    python tools/make_agreement.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from _generated import write_or_check  # noqa: E402

from npstudy.reliability import agreement_csv, agreement_table  # noqa: E402


def main(argv) -> int:
    text = agreement_csv(agreement_table(ROOT / "data"))
    return write_or_check(ROOT / "data" / "reliability" / "agreement.csv", text, argv,
                          "tools/make_agreement.py")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
