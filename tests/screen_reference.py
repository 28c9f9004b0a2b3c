"""An independent reading of the shipped statement screen, for tests that check confidences.

The probability of an item is worked out here from the raw arrays of ``screen.npz`` (read with
numpy, not through :class:`npstudy.coder.screen.Screen`) as 1 / (1 + exp(-(b + Σ wᵢ))) over the
item's features, the candidates coming from a coder without the statement rules.
"""

from __future__ import annotations

import math

import numpy as np

from npstudy.coder import Coder
from npstudy.coder.screen import SCREEN_FILE, item_features
from npstudy.coder.statement import statement_reasons

_RAW = Coder(statement_test=False, calibrated=False)


def weights() -> tuple[dict, float, float]:
    with np.load(SCREEN_FILE, allow_pickle=False) as npz:
        w = dict(zip(npz["vocabulary"].tolist(), npz["coef"].tolist()))
        return w, float(npz["intercept"]), float(npz["threshold"])


def probabilities(text: str, province: str | None = None) -> dict:
    """{(province, theme): probability} of every candidate item of ``text``."""
    w, b, _ = weights()
    cand = _RAW.code(text, "doc", province=province).suggestions
    own = _RAW.gazetteer.find(province) if province else _RAW._first_named(text)
    keys, feats = item_features(cand, statement_reasons(cand, _RAW.names_actor), text,
                                _RAW.names_actor, own=own)
    return {k[1:]: 1 / (1 + math.exp(-(b + sum(w.get(x, 0.0) for x in f))))
            for k, f in zip(keys, feats)}
