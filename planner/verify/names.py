"""Comparing place names across scripts: Chinese, English and pinyin, with and without suffixes.

The catalogue says 金海湖 / Jinhai Lake; OpenStreetMap may say 金海湖风景区, 北京金海湖景区,
``name:en=Jinhai Lake Scenic Area`` or only ``name=Jinhaihu``. :func:`name_score` compares every
name of a catalogue place with every name of an OSM feature and returns the best agreement with
the rule that found it, so a proposal can say why it believes two names are one place:

* ``exact``: the same name once case, width and punctuation are ignored (1.0);
* ``core``: the same once generic parts are dropped, such as 风景区/景区/村, 北京/平谷 in front,
  "Scenic Area" or "Village" (0.95);
* ``pinyin``: the pinyin of the Chinese name spelt in Latin letters (0.9), e.g. Jinhaihu;
* ``similar``: nearly the same spelling (rapidfuzz ratio, scaled to at most 0.85).

Two names that share only a generic word (two different 村) never score above the cut-off.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

NAME_KEYS: Final = (
    "name",
    "name:zh",
    "name:zh-Hans",
    "name:zh-Hant",
    "name:en",
    "alt_name",
    "alt_name:zh",
    "alt_name:en",
    "official_name",
    "official_name:zh",
    "official_name:en",
    "old_name",
    "short_name",
    "loc_name",
)
"""OSM tags that carry a name of the feature (``alt_name`` may list several, ``;``-separated)."""

ZH_SUFFIXES: Final = (
    "国家级风景名胜区",
    "风景名胜区",
    "国家地质公园",
    "地质公园",
    "国家森林公园",
    "森林公园",
    "旅游风景区",
    "旅游度假区",
    "旅游景区",
    "生态旅游区",
    "风景旅游区",
    "风景区",
    "度假区",
    "旅游区",
    "景区",
    "景点",
    "民俗村",
    "村",
)
"""Generic endings dropped before comparing Chinese names (longest first)."""

ZH_PREFIXES: Final = ("北京市平谷区", "北京平谷", "北京市", "平谷区", "北京", "平谷", "京东")
"""Leading parts dropped: the city, the district, and 京东 ("east of Beijing"), which many of
Pinggu's sights put before their name."""
EN_DROP: Final = (
    "national scenic area",
    "scenic and historic interest area",
    "scenic area",
    "scenic spot",
    "scenic zone",
    "scenic resort",
    "tourist area",
    "tourism area",
    "resort",
    "national geopark",
    "geopark",
    "national forest park",
    "forest park",
    "beijing",
    "pinggu",
    "village",
    "the",
)
"""Generic words dropped before comparing Latin names."""

EXACT, CORE, PINYIN, SIMILAR = 1.0, 0.95, 0.9, 0.85
MIN_CORE_CHARS: Final = 2
"""A core shorter than this (one character) is too generic to compare."""

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def normal(text: str) -> str:
    """Case, width and punctuation folded; spaces kept single (``"Jinhai  Lake!"`` -> ``"jinhai lake"``)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def core(text: str) -> str:
    """The distinctive part of a name: brackets, leading 北京/平谷 and generic endings dropped."""
    text = _BRACKETS.sub("", unicodedata.normalize("NFKC", text))
    if has_cjk(text):
        text = normal(text).replace(" ", "")
        for prefix in ZH_PREFIXES:
            if text.startswith(prefix) and len(text) - len(prefix) >= MIN_CORE_CHARS:
                text = text[len(prefix) :]
                break
        changed = True
        while changed:
            changed = False
            for suffix in ZH_SUFFIXES:
                if text.endswith(suffix) and len(text) - len(suffix) >= MIN_CORE_CHARS:
                    text = text[: -len(suffix)]
                    changed = True
                    break
        return text
    words = f" {normal(text)} "
    for phrase in EN_DROP:
        words = words.replace(f" {phrase} ", " ")
    return "".join(words.split())


@lru_cache(maxsize=4096)
def pinyin(text: str) -> str:
    """Toneless pinyin of the Chinese characters, run together (金海湖 -> ``jinhaihu``)."""
    return "".join(p for p in lazy_pinyin(text) if p.isascii()).casefold().replace(" ", "")


@dataclass(frozen=True)
class NameMatch:
    """The best agreement between two sets of names, and the rule that found it."""

    score: float
    rule: str
    ours: str
    theirs: str

    def evidence(self) -> str:
        return f"name {self.rule}: {self.ours!r} ~ {self.theirs!r}"


NO_MATCH: Final = NameMatch(0.0, "none", "", "")


def our_names(name_zh: str, name_en: str) -> list[str]:
    """A catalogue place's names to compare: both names, and alternatives the
    catalogue gives with a slash (``挂甲峪农家院／山间小木屋``, also inside brackets)."""
    names = [name_zh, name_en]
    for name in (name_zh, name_en):
        plain = _BRACKETS.sub("", name)
        parts = [plain, *re.split(r"[／/]", plain)]
        for bracket in re.findall(r"[（(]([^）)]*)[）)]", name):
            if re.search(r"[／/]", bracket):
                parts.extend(re.split(r"[／/]", bracket))
        names.extend(x.strip() for x in parts if x.strip())
    return list(dict.fromkeys(n for n in names if n))


def osm_names(tags: Mapping[str, str]) -> list[str]:
    """Every name an OSM feature carries, in the order of :data:`NAME_KEYS`, without repeats."""
    names: list[str] = []
    for key in NAME_KEYS:
        for value in str(tags.get(key, "")).split(";"):
            value = value.strip()
            if value and value not in names:
                names.append(value)
    return names


def _pair(ours: str, theirs: str) -> tuple[float, str]:
    if has_cjk(ours) != has_cjk(theirs):
        if has_cjk(ours) and not has_cjk(theirs):
            spelt = core(theirs)
            if spelt and (spelt == pinyin(core(ours)) or core(theirs) == pinyin(ours)):
                return PINYIN, "pinyin"
        return 0.0, "none"
    if normal(ours) == normal(theirs):
        return EXACT, "exact"
    a, b = core(ours), core(theirs)
    if len(a) < MIN_CORE_CHARS or len(b) < MIN_CORE_CHARS:
        return 0.0, "none"
    if a == b:
        return CORE, "without generic parts"
    if has_cjk(ours) and pinyin(a) == pinyin(b):
        return PINYIN, "same pinyin"  # 石林峡 / 石林硖: a variant character
    return SIMILAR * fuzz.ratio(a, b) / 100.0, "similar spelling"


def name_score(ours: Iterable[str], theirs: Iterable[str]) -> NameMatch:
    """The best :class:`NameMatch` between any of our names and any of theirs."""
    best = NO_MATCH
    theirs = list(theirs)
    for a in ours:
        for b in theirs:
            score, rule = _pair(a, b)
            if score > best.score:
                best = NameMatch(round(score, 3), rule, a, b)
    return best


def slug(name_zh: str, name_en: str | None = None) -> str:
    """A catalogue id for a new place: its English name, else its pinyin, kebab-case ASCII."""
    if name_en and name_en.isascii():
        words = normal(name_en).split()
    else:
        words = normal(pinyin_name(name_zh)).split()
    text = "-".join(w for w in words if w.isascii() and w.isalnum())
    return text[:60].strip("-") or "place"


def pinyin_name(name_zh: str) -> str:
    """A readable Latin name from the Chinese one (``老张农家院`` -> ``Laozhang Nongjiayuan``):
    syllables run together in pairs is a guess; say so wherever it is shown."""
    syllables = [p for p in lazy_pinyin(name_zh) if p.isascii() and p.strip()]
    words = ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]
    return " ".join(w.capitalize() for w in words)
