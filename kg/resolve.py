"""Stage 5, resolve: named mentions -> entities, within an article and across articles.

Within an article, a first name or a surname alone ("Кадем", "Кадему", "Маметова")
joins the full name it stands for: the most talked-about full name that contains
that word, the nearest first. Ids are made from the folded canonical name, so the
same place, unit or organization has one id in every article; a person known only
by one word gets an id scoped to the article. Whether two persons of the same name
in two articles are one is decided later, across articles, by ``kg.link``.

>>> from kg.types import Mention, PERSON
>>> named = [Named(Mention(0, 14, "Кадема Жуманиязова", PERSON), "Кадем Жуманиязов"),
...          Named(Mention(40, 46, "Кадему", PERSON), "Кадем")]
>>> mentions, entities = resolve(named, article_key="a1")
>>> [e.name for e in entities], {m.entity for m in mentions}
(['Кадем Жуманиязов'], {'person:жуманиязов_кадем'})
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from .morph import morph_analyzer, parses
from .normalize import fold
from .resources import read_mapping
from .types import DATE, ORG, PERSON, PLACE, UNIT, Entity, Mention


@dataclass(frozen=True)
class Named:
    """A mention with what normalisation made of it."""

    mention: Mention
    name: str  # canonical, nominative
    rank: str | None = None
    role: str | None = None
    gender: str | None = None  # "masc" or "femn", for persons and pronouns


def slug(text: str) -> str:
    """An id fragment: folded, letters and digits kept, every other run as one "_".

    >>> slug("Отряд «Монгол»"), slug("316-я стрелковая дивизия")
    ('отряд_монгол', '316-я_стрелковая_дивизия')
    """
    return re.sub(r"[^\w-]+", "_", fold(text)).strip("_") or "_"


def person_key(name: str) -> tuple[str, ...]:
    """Name parts, folded and sorted: "Ибраев Габдулла" and "Габдулла Ибраев" are one key."""
    return tuple(sorted(fold(p) for p in re.split(r"[\s]+", name) if p))


def entity_id(label: str, name: str, scope: str | None = None) -> str:
    base = "_".join(person_key(name)) if label == PERSON else fold(name)
    ident = f"{label.lower()}:{slug(base)}"
    return f"{ident}@{scope}" if scope else ident


def resolve(named: list[Named], article_key: str) -> tuple[list[Mention], list[Entity]]:
    """Give every mention an entity id and build the article's entities.

    DATE mentions keep ``entity=None``; ``article_key`` scopes one-word persons. A
    one-word person that joins no full name and is a common noun of the dictionary
    ("Американец", "Сцена") is dropped: the model took a capital letter for a name.
    """
    named = vote_labels(named)
    ids: list[str | None] = [None] * len(named)
    drop: set[int] = set()
    for label in (PERSON, ORG):
        group = [i for i, n in enumerate(named) if n.mention.label == label
                 and n.mention.origin not in REFERRING]
        full = [i for i in group if sum(not _initial(p) for p in _parts(named[i].name)) > 1]
        for i in full:
            ids[i] = entity_id(label, named[i].name)
        if label == PERSON:
            _join_fuller_names(full, named, ids)
        for i in group:
            if ids[i] is None:
                ids[i] = _partial_target(i, named, full, ids)
            if ids[i] is None and label == PERSON:
                if _common_noun(named[i].name):
                    drop.add(i)
                else:
                    ids[i] = entity_id(PERSON, named[i].name, scope=article_key)
    named_places = {entity_id(n.mention.label, n.name) for n in named
                    if n.mention.label == PLACE and n.mention.origin != PLACE_ADJECTIVE}
    for i, n in enumerate(named):
        if n.mention.origin == PLACE_ADJECTIVE:
            # "советских войск" is evidence for a place the article names, not a place
            ident = entity_id(PLACE, n.name)
            ids[i] = ident if ident in named_places else None
            continue
        if n.mention.origin == UNIT_NOUN:
            ids[i] = _unit_antecedent(i, named, ids)
            if ids[i] is None:
                drop.add(i)
            continue
        if n.mention.origin == PRONOUN:
            ids[i] = _antecedent(i, named, ids, drop)
            if ids[i] is None:
                drop.add(i)
        elif ids[i] is None and n.mention.label != DATE and i not in drop:
            ids[i] = entity_id(n.mention.label, n.name)

    kept = [i for i in range(len(named)) if i not in drop]
    mentions = [replace(named[i].mention, entity=ids[i]) for i in kept]
    return mentions, _entities([named[i] for i in kept], [ids[i] for i in kept])


PRONOUN = "pronoun"  # the origin of a pronoun mention
PLACE_ADJECTIVE = "place_adjective"  # the origin of "советских", "московского"
UNIT_NOUN = "unit_noun"  # the origin of "дивизию", "корпус" standing for a unit named before
# mentions that refer to an entity named elsewhere: never a name of their own
REFERRING = (PRONOUN, PLACE_ADJECTIVE, UNIT_NOUN)


def _antecedent(i: int, named: list[Named], ids: list, drop: set[int]) -> str | None:
    """The person a pronoun refers to: the nearest person of its gender named (or
    already referred to) before it, in its sentence or the three before that name
    anyone ("Кадем Жуманиязов ... был ранен. ... Однако он выжил"). A possessive right
    after a place or an organization is theirs: "города Тулузы и его окрестностей"."""
    here = named[i].mention.sentence[0]
    earlier = sorted({n.mention.sentence[0] for n in named[:i] if n.mention.sentence[0] < here})
    window = {here, *earlier[-3:]}
    for j in range(i - 1, -1, -1):
        m = named[j].mention
        if m.sentence[0] not in window:
            break
        if j == i - 1 and m.sentence[0] == here and m.label not in (PERSON, DATE) \
                and named[i].mention.text.lower() in ("его", "её", "ее"):
            return None
        if m.label == PERSON and j not in drop and ids[j] and named[j].gender in (None, named[i].gender):
            return ids[j]
    return None


def _unit_antecedent(i: int, named: list[Named], ids: list) -> str | None:
    """The unit a bare unit noun stands for ("Дивизию начали формировать", "корпус
    действовал"): the nearest unit named before it whose name has that noun."""
    noun = named[i].name
    for j in range(i - 1, -1, -1):
        m = named[j].mention
        if m.label == UNIT and m.origin not in REFERRING and ids[j] \
                and noun in fold(named[j].name).split():
            return ids[j]
    return None


def vote_labels(named: list[Named]) -> list[Named]:
    """One name, one type within an article: a model mention whose name is more often
    given another type takes that type ("вернулся в Петропавловск" tagged PERSON once,
    PLACE three times)."""
    votes: dict[str, Counter] = {}
    for n in named:
        if n.mention.label != DATE and n.mention.origin not in REFERRING:
            votes.setdefault(fold(n.name), Counter())[n.mention.label] += 1
    out = []
    for n in named:
        count = votes.get(fold(n.name))
        if n.mention.origin == "model" and count:
            label, k = count.most_common(1)[0]
            if label != n.mention.label and k > count[n.mention.label]:
                n = replace(n, mention=replace(n.mention, label=label))
        out.append(n)
    return out


def _common_noun(name: str) -> bool:
    words = name.split()
    if len(words) != 1:
        return False
    low = words[0].lower()
    return morph_analyzer().word_is_known(low) and not any(
        {"Name", "Surn", "Patr", "Geox", "Orgn"} & p.tag.grammemes for p in parses(low))


@lru_cache(maxsize=1)
def _diminutives() -> dict[str, str]:
    return {fold(k): v for k, v in read_mapping("diminutives").items()}


def _join_fuller_names(full: list[int], named: list[Named], ids: list) -> None:
    """"Габдулла Ибраев" is "Ибраев Габдулла Нурмухамедович" when the article names
    him both ways: a name whose words all occur in a fuller name takes its id."""
    parts = {i: {fold(p) for p in _parts(named[i].name)} for i in full}
    for i in full:
        fuller = [j for j in full if len(parts[j]) > len(parts[i]) and parts[i] <= parts[j]]
        if fuller:
            ids[i] = ids[max(fuller, key=lambda j: (len(parts[j]), -j))]


def _initial(part: str) -> bool:
    return part.endswith(".") and len(part) <= 3


@lru_cache(maxsize=100_000)  # the same names are split again for every mention compared
def _parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in name.split() if any(c.isalpha() for c in p))


def _partial_target(i: int, named: list[Named], full: list[int], ids: list) -> str | None:
    """The full name a one-word or initialled mention stands for, nearest first."""
    familiar = _diminutives()
    words = [fold(familiar.get(fold(w), w)) for w in _parts(named[i].name)]
    surface = [fold(w) for w in _parts(named[i].mention.text)]
    before = [j for j in reversed(full) if j < i]
    after = [j for j in full if j > i]
    # the most talked-about person so far wins, then the nearest: "гвардии старшина
    # Исмаилов" is the hero, not the grandson quoted in between
    salience = Counter(ids[:i])
    for loose in (False, True):
        found = [j for j in before + after
                 if all(_word_matches(w, s, [fold(p) for p in _parts(named[j].name)], loose)
                        for w, s in zip(words, surface))]
        if found:
            return ids[max(found, key=lambda j: (salience[ids[j]], -found.index(j)))]
    return None


def _word_matches(word: str, surface: str, parts: list[str], loose: bool) -> bool:
    if word.endswith("."):  # an initial: "К." matches "Кабыш"
        return any(p.startswith(word[:-1]) for p in parts)
    if word in parts or surface in parts:
        return True
    # the normaliser may have missed an unknown name's case: Кадему ~ Кадем
    return loose and any(len(p) >= 4 and surface.startswith(p) and len(surface) - len(p) <= 2
                         for p in parts)


def _entities(named: list[Named], ids: list) -> list[Entity]:
    groups: dict[str, list[Named]] = {}
    for n, ident in zip(named, ids):
        if ident is not None and n.mention.origin not in REFERRING:
            groups.setdefault(ident, []).append(n)
    out = []
    for ident, members in groups.items():
        label = members[0].mention.label
        names = Counter(n.name for n in members)
        # the fullest name that occurs most; ties go to the first seen
        order = {n.name: k for k, n in reversed(list(enumerate(members)))}
        name = max(names, key=lambda x: (len(_parts(x)), names[x], -order[x]))
        aliases = sorted(({" ".join(n.mention.text.split()) for n in members} | set(names)) - {name})
        rank = next((n.rank for n in members if n.rank), None)
        role = next((n.role for n in members if n.role), None)
        out.append(Entity(ident, label, name, tuple(aliases), rank, role))
    return out
