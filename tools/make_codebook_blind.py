"""Write data/reliability/codebook_blind.md, the codebook as a second coder sees it.

The view is :func:`npstudy.codebook.blind_view` of ``data/codebook.yaml`` and the coding
rules of ``data/README.md``: no example, keyword or usual instrument.

    python tools/make_codebook_blind.py            # write it
    python tools/make_codebook_blind.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from _generated import write_or_check  # noqa: E402

from npstudy.codebook import Codebook, blind_view, coding_rules  # noqa: E402


def main(argv) -> int:
    text = blind_view(Codebook.from_yaml(ROOT / "data" / "codebook.yaml"),
                      coding_rules(ROOT / "data" / "README.md"))
    return write_or_check(ROOT / "data" / "reliability" / "codebook_blind.md", text, argv,
                          "tools/make_codebook_blind.py")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
