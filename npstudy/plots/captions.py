"""Figure captions, in English and Chinese: what each figure shows, and the notes kept out of the image.

A journal sets captions as text, so the notes that once sat in the images live
here. :func:`caption` fills a template with numbers the caller computed (the build
takes them from its tables); the text is Markdown and the same for the same
numbers, so captions are as reproducible as the figures.
"""

from __future__ import annotations

CAPTIONS = {
    "fig1_framework": {
        "en": "**Figure 1. The four-pillar framework: themes and the provinces named under each.** "
              "The source article's four pillars (coloured headings) and twelve themes. Each box "
              "lists the provinces coded under the theme, most coded statements (rows) first; a "
              "number in brackets gives a province's rows when above one, and the corner of the "
              "box the theme's total. {n_rows} rows name {n_provinces} provinces.",
        "zh": "**图1  四大支柱框架：各主题及所涉省份。**原文的四大支柱（彩色标题）与十二个主题。"
              "每个方框列出该主题下编码的省份，按条目数从多到少排列；条目多于1条时括号内注明条数，"
              "方框右下角为该主题条目合计。共{n_rows}条，涉及{n_provinces}个省份。",
    },
    "fig2_coverage_heatmap": {
        "en": "**Figure 2. Coded statements per province and theme.** Each cell counts the rows of "
              "`practices.csv` (one coded statement naming one province) under a theme; columns "
              "are grouped by pillar. Rows are ordered by hierarchical clustering of the "
              "provinces' theme profiles (figure 5). Grey: no statement coded. {n_rows} rows, "
              "{n_provinces} provinces.",
        "zh": "**图2  各省份各主题的政策举措条目数。**每格为某省份在某主题下的条目数"
              "（`practices.csv`中的一行，即点名一个省份的一条编码举措）；各列按支柱分组。"
              "各行按省份主题结构的层次聚类排序（见图5）。灰色：未编码任何条目。"
              "共{n_rows}条，{n_provinces}个省份。",
    },
    "fig3_tile_map": {
        "en": "**Figure 3. Where the article's examples come from.** Tile-grid maps of China, one "
              "tile per provincial-level unit, placed roughly as on a map. (a) Breadth: how many "
              "of the 12 themes a province is coded under. (b) Composite four-pillar index with "
              "entropy weights; the text in each tile is the range of the province's rank when "
              "any one province is left out of the weighting. Each colour bar runs from the "
              "lowest to the highest value shown ({breadth_lo}–{breadth_hi} themes; "
              "{composite_lo}–{composite_hi}). Hatched grey: not mentioned in the source "
              "({n_missing} of {n_units} units).",
        "zh": "**图3  原文案例的地域分布。**中国方块地图，每个方块为一个省级行政区，位置大致对应地图。"
              "（a）广度：省份覆盖的主题数（共12个）。（b）四大支柱综合指数（熵权法）；方块内文字为"
              "剔除任一省份后该省份的排名范围。色标范围为图中数值的最小值至最大值"
              "（{breadth_lo}–{breadth_hi}个主题；{composite_lo}–{composite_hi}）。"
              "灰色斜线：原文未提及（{n_units}个中的{n_missing}个）。",
    },
    "fig4_pillar_profiles": {
        "en": "**Figure 4. Share of each pillar's themes covered.** One panel per province named "
              "in the source, ordered by the composite index with {weights} weights, which is "
              "printed in brackets ({definition}). A bar of 1 means the province is coded under "
              "all three themes of the pillar.",
        "zh": "**图4  各支柱主题覆盖比例。**原文点名的每个省份一幅小图，按综合指数（{weights}）"
              "排序，括号内为该指数（{definition}）。比例为1表示该省份覆盖该支柱的全部三个主题。",
    },
    "fig5_similarity": {
        "en": "**Figure 5. Similarity of provinces' theme profiles.** Jaccard similarity (themes "
              "shared over themes covered by either province) with the average-linkage (UPGMA) "
              "tree on distances 1 − Jaccard; the height axis gives the distance at which groups "
              "merge, and the dashed line cuts the tree into {k} clusters (`clusters.csv`). "
              "{claim}",
        "zh": "**图5  省份主题结构相似度。**Jaccard相似度（两省共有主题数除以任一省覆盖的主题数），"
              "上方为以1−Jaccard为距离的平均联结（UPGMA）聚类树；纵轴为各组合并时的距离，"
              "虚线将树切分为{k}类（`clusters.csv`）。{claim}",
    },
    "fig6_null_model": {
        "en": "**Figure 6. More alike than chance?** Standardised effect size of each pair's "
              "Jaccard similarity against a fixed-margin null model ({n} curveball "
              "randomisations, each keeping every province's number of themes and every theme's "
              "number of provinces); red: more alike than chance, blue: less. * p < {alpha} "
              "before correction; {n_fdr} of {n_pairs} pairs remain below {alpha} after "
              "Benjamini–Hochberg correction. Grey: the {n_never} pairs that cannot reach "
              "p < {alpha} whatever their overlap, because even the largest overlap two provinces "
              "with so few themes can have occurs by chance too often (lowest attainable p, "
              "`p_min` in `similarity_pairs.csv`, above {alpha}).{dash}",
        "zh": "**图6  相似是否超出随机？**各省份对Jaccard相似度在固定边际零模型下的标准化效应量"
              "（{n}次Curveball算法随机化，保持每个省份的主题数和每个主题的省份数不变）；红色：比随机更相似，"
              "蓝色：比随机更不相似。* 未校正p < {alpha}；经Benjamini–Hochberg校正后，{n_pairs}对中有"
              "{n_fdr}对仍低于{alpha}。灰色：无论重合多少都不可能达到p < {alpha}的{n_never}对省份——"
              "两省主题太少，即使重合达到最大，随机出现的频率也过高（`similarity_pairs.csv`中的"
              "最低可达p值`p_min`高于{alpha}）。{dash}",
    },
    "fig7_instruments": {
        "en": "**Figure 7. Policy instruments by pillar.** Coded statements (rows) by policy "
              "instrument type, grouped into the Rothwell–Zegveld categories, and pillar. Bold: "
              "totals per type, per pillar and overall ({total} rows); in brackets after each "
              "category, its rows ({categories}).",
        "zh": "**图7  各支柱的政策工具。**按政策工具类型（归入Rothwell–Zegveld的供给型、环境型、"
              "需求型）和支柱统计的条目数。粗体为各类型、各支柱及总计（共{total}条）；"
              "各类别后括号内为其条目数（{categories}）。",
    },
    "fig8_rank_intervals": {
        "en": "**Figure 8. How firm are the ranks?** Two different checks on the composite "
              "index's ranks (1 = highest), drawn differently. Pale band and dot: the rank with "
              "equal weights and the middle 95% of its ranks over {n_boot} bootstrap resamples "
              "of the coded statements (a sensitivity range, not a confidence interval). Thin "
              "line with end ticks and diamond: the rank with entropy weights and the range of "
              "its ranks when any one province is left out of the weighting.",
        "zh": "**图8  排名是否稳健？**对综合指数排名（1为最高）的两种不同检验，以不同方式绘制。"
              "浅色宽带与圆点：等权重排名，以及对编码条目{n_boot}次自助法重抽样所得排名的中间95%"
              "（敏感性范围，而非置信区间）。带端线的细线与菱形：熵权法排名，以及剔除任一省份后的排名范围。",
    },
    "fig9_external_profile": {
        "en": "**Figure 9. Beyond the article.** a: the 31 mainland provinces on public "
              "indicators (`data/external/`): each indicator turned into ranks over the 31 "
              "provinces and scaled to 0–1, averaged within pillar with equal weights; in "
              "brackets, the range of the overall rank when one indicator is left out (a "
              "sensitivity range, not a confidence interval). b: the share of each pillar's "
              "themes under which the article names the province; grey, not named. Rows in "
              "the order of the overall indicator rank. Unknown indicator values are left out, "
              "never estimated.",
        "zh": "**图9  原文之外。**a：31个大陆省份的公开指标（`data/external/`）：各指标按31个省份"
              "排名并换算为0–1，支柱内等权平均；括号内为每次剔除一个指标后综合排名的范围（敏感性范围，"
              "而非置信区间）。b：原文点名该省份的主题占各支柱主题的比例；灰色表示原文未点名。"
              "按公开指标综合排名排序。未知的指标值不予估计，直接略去。",
    },
    "fig10_coder_reliability": {
        "en": "**Figure 10. The coder's confidence on real published text.** a: the statement "
              "screen's probability, in five bins, against the share of the (excerpt, province, "
              "theme) items in each bin that the adjudicated labels confirm, over the "
              "{n_rows} items that the statement rules let through on the real-text sets the "
              "screen is fitted on (the DEV sets and the retired test sets), with "
              "Clopper–Pearson 95% intervals; each set is predicted by a screen fitted "
              "without it, so this is an out-of-set check. b: precision and recall of those "
              "items when only those at or above a cut-off are kept; at {cut}, precision is "
              "{precision} and recall {recall}.",
        "zh": "**图10  编码器置信度在真实发布文本上的表现。**a：陈述筛选模型给出的概率（分为五档）与"
              "各档中被裁定标注证实的（摘录、省份、主题）条目比例之比较，基于筛选模型所用真实文本集"
              "（开发集与已退役的测试集）上通过陈述规则的{n_rows}个条目，附Clopper–Pearson 95%区间；"
              "每个文本集都由未用它训练的模型预测，"
              "故此图是集外检验。b：仅保留概率不低于阈值的条目时的精确率与召回率；阈值为{cut}时，"
              "精确率为{precision}，召回率为{recall}。",
    },
}

#: Sentence of figure 5 stating the claim it supports, when the robustness table has it.
CLUSTER_CLAIM = {
    "en": "The figure supports one claim, that these clusters are fragile: they survive {same} "
          "of the {n} leave-one-out variants (`clusters_loo` in `claims.csv`); beyond that the "
          "tree only orders the rows and columns.",
    "zh": "本图只支持一个结论：这些类别并不稳定，在{n}个剔除一省的变体中有{same}个保持不变"
          "（`claims.csv`中的`clusters_loo`）；除此之外，聚类树仅用于排列行列。",
}

#: Figure 6's note on pairs without an effect size, when there are any.
NO_EFFECT = {
    "en": " A dash: the similarity does not vary under the null, so there is no effect size.",
    "zh": "短横线：零模型下相似度无变化，无法计算效应量。",
}

#: How the composite printed in figure 4 is computed, by weighting.
COMPOSITE = {
    "equal": {"en": "the mean of the four shares", "zh": "四个比例的平均值"},
    "entropy": {"en": "entropy-weighted sum of min–max standardised shares",
                "zh": "极差标准化后比例的熵权加权和"},
}


def caption(stem: str, lang: str, **facts) -> str:
    """The Markdown caption of figure ``stem`` in ``lang``, filled with ``facts``.

    Parameters
    ----------
    stem : str
        A figure stem such as ``"fig6_null_model"``.
    lang : {"en", "zh"}
    **facts
        The template's fields (numbers the caption states).

    Returns
    -------
    str
        One paragraph ending in a newline.

    Examples
    --------
    >>> caption("fig7_instruments", "en", total=50, categories="supply-side 10")[:40]
    '**Figure 7. Policy instruments by pillar'
    """
    from .style import check_lang

    check_lang(lang)
    if stem not in CAPTIONS:
        raise ValueError(f"no caption for {stem!r}; known: {', '.join(CAPTIONS)}")
    return CAPTIONS[stem][lang].format(**facts) + "\n"
