"""The nine worry categories every part of the bot shares, with their Japanese labels.

The codes are fixed by the evaluation data (``../shared/eval/sample.yml``). Their order is the
canonical one: multi-intent labels are joined in it (``housing+debt``) and lists are shown in
it. Pure data, so the directory and the console use it without the NLU stack.
"""

from __future__ import annotations

from collections.abc import Mapping

CATEGORIES: tuple[str, ...] = (
    "housing",
    "debt",
    "income",
    "childcare",
    "hikikomori",
    "elderly_care",
    "disability",
    "abuse_dv",
    "isolation",
)

CATEGORY_LABELS: Mapping[str, str] = {
    "housing": "住まい",
    "debt": "借金",
    "income": "仕事・お金",
    "childcare": "子ども・子育て",
    "hikikomori": "ひきこもり",
    "elderly_care": "介護・高齢",
    "disability": "障がい",
    "abuse_dv": "暴力・虐待",
    "isolation": "孤立・孤独",
}
