"""Every word the figures print, in English and Chinese, in one place.

Chinese follows Chinese typesetting: full-width punctuation and brackets （）, and
the terms a Chinese reader of policy studies expects (省份, 政策举措, 条目 for a
coded statement).
"""

from __future__ import annotations

TEXT = {
    "framework_title": {"en": "The four-pillar framework: themes and the provinces named under each",
                        "zh": "四大支柱框架：各主题及所涉省份"},
    "rows": {"en": "{n} rows", "zh": "{n}条"},
    "row": {"en": "1 row", "zh": "1条"},
    "none_named": {"en": "(no province named)", "zh": "（未点名省份）"},
    "coverage_title": {"en": "Coded statements per province and theme",
                       "zh": "各省份各主题的政策举措条目数"},
    "statements": {"en": "coded statements (rows)", "zh": "条目数"},
    "not_mentioned": {"en": "not mentioned in the source", "zh": "原文未提及"},
    "breadth": {"en": "a  Breadth: themes covered (of 12)", "zh": "a  广度：覆盖主题数（共12个）"},
    "composite": {"en": "b  Composite index, entropy weights", "zh": "b  综合指数（熵权法）"},
    "composite_bar": {"en": "composite index", "zh": "综合指数"},
    "breadth_bar": {"en": "themes covered", "zh": "覆盖主题数"},
    "profiles_title": {"en": "Share of each pillar's themes covered",
                       "zh": "各支柱主题覆盖比例"},
    "profiles_key": {"en": "In brackets: composite index, {weights} weights",
                     "zh": "括号内为综合指数（{weights}）"},
    "weights_equal": {"en": "equal", "zh": "等权重"},
    "weights_entropy": {"en": "entropy", "zh": "熵权法"},
    "share": {"en": "share of themes", "zh": "主题覆盖比例"},
    "similarity_title": {"en": "Similarity of provinces' theme profiles (Jaccard)",
                         "zh": "省份主题结构相似度（Jaccard）"},
    "similarity": {"en": "Jaccard similarity", "zh": "相似度"},
    "height": {"en": "distance\n1 − Jaccard", "zh": "距离\n1−Jaccard"},
    "cut": {"en": "cut: {k} clusters", "zh": "切分：{k}类"},
    "null_title": {"en": "More alike than chance? Effect sizes against a fixed-margin null model",
                   "zh": "相似是否超出随机？固定边际零模型下的标准化效应量"},
    "ses": {"en": "standardised effect size", "zh": "标准化\n效应量"},
    "star_key": {"en": "* p < {alpha} before correction", "zh": "* 未校正p < {alpha}"},
    "never_key": {"en": "cannot reach p < {alpha}", "zh": "不可能达到p < {alpha}"},
    "instruments_title": {"en": "Policy instruments by pillar (Rothwell–Zegveld)",
                          "zh": "各支柱的政策工具（Rothwell–Zegveld分类）"},
    "total": {"en": "total", "zh": "合计"},
    "ranks_title": {"en": "How firm are the ranks? Composite-index rank intervals",
                    "zh": "排名是否稳健？综合指数排名区间"},
    "rank_equal": {"en": "equal weights: rank and bootstrap interval (middle 95% of {n} resamples)",
                   "zh": "等权重：排名及自助法区间（{n}次重抽样的中间95%）"},
    "rank_equal_plain": {"en": "equal weights: rank and bootstrap interval (middle 95% of resamples)",
                         "zh": "等权重：排名及自助法区间（重抽样的中间95%）"},
    "rank_entropy": {"en": "entropy weights: rank and range when one province is left out",
                     "zh": "熵权法：排名及剔除任一省份后的排名范围"},
    "rank": {"en": "rank (1 = highest)", "zh": "排名（1为最高）"},
    "rank_range": {"en": "#{lo}–{hi}", "zh": "第{lo}–{hi}名"},
    "rank_one": {"en": "#{lo}", "zh": "第{lo}名"},
}


def t(key: str, lang: str, **fmt) -> str:
    """The text ``key`` in ``lang``, with ``fmt`` filled in."""
    return TEXT[key][lang].format(**fmt)
