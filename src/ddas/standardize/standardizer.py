"""Mapping a free-text value to the standard DDAS value it means — or to nothing, never to a guess."""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY, FIELDS, Ambiguous
from ddas.standardize.matcher import Explanation, matcher_for
from ddas.standardize.normalize import normalize

__all__ = [
    "MIN_SCORE",
    "Explanation",
    "Match",
    "Source",
    "StandardizeError",
    "Standardizer",
    "field_names",
    "official_values",
    "similarity",
]

#: Suggestions scoring below this (0–100, see :func:`similarity`) are noise and are not offered.
MIN_SCORE = 50.0


class StandardizeError(ValueError):
    """A problem with standardisation input (an unknown field, a value that is not official, …).

    ``code`` is stable for machines; ``message`` is Dutch for the person fixing the mapping.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class Source(enum.StrEnum):
    """Why a value got its standard value: reported, so that nothing is standardised unseen.

    ``RULE`` is a value recognised by its words (:mod:`ddas.standardize.matcher`) rather than spelled as in the
    dictionary; those are the ones a person may want to check, so the review file lists them with the reason.
    """

    EXACT = "exact"
    OVERRIDE = "override"
    DICTIONARY = "dictionary"
    RULE = "rule"


@dataclass(frozen=True, slots=True)
class Match:
    """A standardised value, where it came from, and (for ``RULE``) why: the Dutch reason and the rule."""

    standard: str
    source: Source
    reason: str = ""
    rule: str = ""


def field_names() -> tuple[str, ...]:
    """The fields the standardiser knows, in documentation order."""
    return tuple(FIELDS)


def official_values(field: str) -> tuple[str, ...]:
    """The published values of ``field``; raises :class:`StandardizeError` for an unknown field."""
    info = FIELDS.get(field)
    if info is None:
        raise StandardizeError(
            "STD_UNKNOWN_FIELD",
            f"Onbekend veld '{field}' voor standaardisatie; bekend zijn: {', '.join(FIELDS)}.",
        )
    return info.values


def similarity(one: str, two: str, **_: object) -> float:
    """How alike two normalised texts are, 0–100: the mean of the literal and the best word-wise similarity.

    Word-wise scores alone (rapidfuzz ``token_set_ratio``, ``partial_token_sort_ratio``) reward any shared
    word, so "inwoner wilde geen hulp" would match "persoon is geen inwoner" perfectly; the literal ratio
    alone misses "woonstichting de key" → "woonstichting". Averaging the two keeps the sense of both:
    a typo or an extra word costs a little, sharing one common word is not enough.
    """
    literal = fuzz.ratio(one, two)
    words = max(literal, fuzz.token_set_ratio(one, two), fuzz.partial_token_sort_ratio(one, two))
    return (literal + words) / 2


@functools.cache
def _builtin(field: str) -> dict[str, str]:
    """Normalised spelling → standard value: the standard values themselves, then the dictionary."""
    table = {normalize(value): value for value in FIELDS[field].values}
    for standard, variants in DICTIONARY.get(field, {}).items():
        for variant in variants:
            table.setdefault(normalize(variant), standard)
    return table


@functools.cache
def _ambiguous(field: str) -> dict[str, Ambiguous]:
    return {normalize(entry.variant): entry for entry in AMBIGUOUS.get(field, ())}


class Standardizer:
    """Looks values up in this order: exact standard value, the mapping's overrides, the built-in dictionary,
    the recognition rules (:mod:`ddas.standardize.matcher`).

    ``overrides`` is the mapping file's ``values`` section: field → local spelling → standard value. Its keys
    are matched normalised, like the dictionary's, and every target must be an official value of its field:
    a mapping can only ever say what a value means, never introduce a new one.
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._overrides: dict[str, dict[str, str]] = {field: {} for field in FIELDS}
        for field, table in (overrides or {}).items():
            allowed = official_values(field)
            target = self._overrides[field]
            for local, standard in table.items():
                if standard not in allowed:
                    raise StandardizeError(
                        "STD_NOT_OFFICIAL",
                        f"'{standard}' is geen standaardwaarde van {field} (voor '{local}'); kies uit: "
                        f"{', '.join(allowed)}.",
                    )
                key = normalize(local)
                if not key:
                    raise StandardizeError(
                        "STD_EMPTY_KEY",
                        f"De waarde '{local}' bij {field} bevat geen letters of cijfers en kan niet worden "
                        "vertaald; laat de cel leeg of geef een waarde op de kolom.",
                    )
                earlier = target.get(key)
                if earlier is not None and earlier != standard:
                    raise StandardizeError(
                        "STD_OVERRIDE_CONFLICT",
                        f"'{local}' bij {field} wordt zowel naar '{earlier}' als naar '{standard}' vertaald "
                        "(gelijke spelling na normalisatie); kies er één.",
                    )
                target[key] = standard
        self._cache: dict[tuple[str, str], Match | None] = {}
        self._explained: dict[tuple[str, str], Explanation] = {}
        self._choices: dict[str, tuple[list[str], list[str]]] = {}

    def lookup(self, field: str, value: str) -> Match | None:
        """The standard value of ``value`` and its source, or None when nothing says what it means."""
        if (field, value) in self._cache:
            return self._cache[(field, value)]
        allowed = official_values(field)
        match: Match | None
        if value in allowed:
            match = Match(value, Source.EXACT)
        else:
            key = normalize(value)
            standard = self._overrides[field].get(key)
            if standard is not None:
                match = Match(standard, Source.OVERRIDE)
            else:
                standard = _builtin(field).get(key) if key else None
                if standard is not None:
                    match = Match(standard, Source.DICTIONARY)
                else:
                    explanation = self._recognise(field, key)
                    match = None
                    if explanation.standard is not None:
                        match = Match(explanation.standard, Source.RULE, explanation.reason, explanation.rule)
        self._cache[(field, value)] = match
        return match

    def explain(self, field: str, value: str) -> Explanation:
        """Why ``value`` gets the standard value it gets, or none: for the review file and ``--details``.

        ``standard`` is what :meth:`standard` returns; ``code`` says which step decided (``exact``,
        ``override``, ``dictionary``, or one of the matcher's codes), ``reason`` says it in Dutch.
        """
        match = self.lookup(field, value)
        if match is None or match.source is Source.RULE:
            return self._recognise(field, normalize(value))
        if match.source is Source.EXACT:
            return Explanation(match.standard, "exact", "De standaardwaarde zelf.", (match.standard,))
        if match.source is Source.OVERRIDE:
            return Explanation(
                match.standard, "override", "Vertaald door de mapping (values).", (match.standard,)
            )
        return Explanation(
            match.standard,
            "dictionary",
            f"Staat in het woordenboek als spelling van '{match.standard}'.",
            (match.standard,),
        )

    def _recognise(self, field: str, key: str) -> Explanation:
        """The matcher's decision for a normalised value, once per value."""
        explained = self._explained.get((field, key))
        if explained is None:
            entry = _ambiguous(field).get(key) if key else None
            if entry is not None:
                explained = Explanation(
                    None,
                    "ambiguous",
                    "Bewust niet vertaald: het woordenboek kent deze spelling als dubbelzinnig (waarom: zie "
                    "'note').",
                    entry.candidates,
                    f"'{entry.variant}'",
                    entry.reason,
                )
            else:
                explained = matcher_for(field).explain(key)
            self._explained[(field, key)] = explained
        return explained

    def standard(self, field: str, value: str) -> str | None:
        """The standard value ``value`` means, or None (unmapped: it belongs in the review file)."""
        match = self.lookup(field, value)
        return match.standard if match is not None else None

    def ambiguity(self, field: str, value: str) -> Ambiguous | None:
        """Why ``value`` is ambiguous, so reviewers see the reason: a known ambiguous spelling of the dictionary,
        or (for a value nothing maps) an ambiguity rule that matched its words; None otherwise."""
        official_values(field)
        key = normalize(value)
        entry = _ambiguous(field).get(key)
        if entry is not None or self.lookup(field, value) is not None:
            return entry
        explanation = self._recognise(field, key)
        if explanation.code != "ambiguous":
            return None
        return Ambiguous(explanation.rule.strip("'"), explanation.candidates, explanation.ambiguity)

    def suggest(self, field: str, value: str, limit: int = 3) -> list[tuple[str, float]]:
        """The ``limit`` standard values ``value`` most likely means, best first, scores 0–100.

        Compared with every standard value and every known spelling (dictionary and overrides); a standard
        value scores as its best spelling. For a known ambiguous spelling the dictionary's candidates come
        first, in the dictionary's order, whatever their score. Other values scoring below
        :data:`MIN_SCORE` are left out: an empty list means "no idea".
        """
        allowed = official_values(field)
        if limit < 1:
            return []
        query = normalize(value)
        if not query:
            return []
        keys, targets = self._choice_table(field)
        best: dict[str, float] = {}
        for _key, score, index in process.extract(
            query, keys, scorer=similarity, processor=None, limit=None, score_cutoff=MIN_SCORE
        ):
            standard = targets[index]
            if score > best.get(standard, -1.0):
                best[standard] = score
        entry = self.ambiguity(field, value)
        keep = entry.candidates if entry is not None else ()
        for candidate in keep:
            best.setdefault(candidate, similarity(query, normalize(candidate)))
        # The dictionary's candidates for a known ambiguous spelling lead, in its order: they are curated.
        ordered = [(candidate, best[candidate]) for candidate in keep]
        ordered += sorted(
            ((standard, score) for standard, score in best.items() if standard not in keep),
            key=lambda item: (-item[1], allowed.index(item[0])),
        )
        ranked = [(standard, round(score, 1)) for standard, score in ordered[: max(limit, len(keep))]]
        return ranked

    def _choice_table(self, field: str) -> tuple[list[str], list[str]]:
        table = self._choices.get(field)
        if table is None:
            merged = dict(_builtin(field))
            merged.update(self._overrides[field])
            table = (list(merged), list(merged.values()))
            self._choices[field] = table
        return table
