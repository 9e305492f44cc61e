"""Recognising a standard value by the words of a free-text value, with the reason for every decision.

The dictionary (:mod:`ddas.standardize.dictionary`) knows whole spellings. People type more than those: a known
phrase with words before or after it, in another order, a compound written apart or together, a plural, an
abbreviation, a typing error. The matcher reads a value as words and lets the rules of
:mod:`ddas.standardize.rules` — and every dictionary spelling, read as a rule — say which standard value the
words mean. It maps a value only when exactly one standard value is meant; otherwise it says why not, so that
the review file can show it.

Reading a value (the same steps for every value, each one reported when it changed something):

1. :func:`ddas.standardize.normalize`, then runs of single letters joined ("i v m" → "ivm").
2. Abbreviations expanded ("tel" → "telefoon"; per field where needed).
3. Words written apart joined when together they are a known word ("huis bezoek" → "huisbezoek").
4. Stop words dropped ("de", "naar", ordinals, numbers).
5. Unknown words split into a known compound ("uitnodigingsbrief" → "uitnodigings" + "brief",
   "energierekening" → "energie" + "rekening"); else corrected when one known word is a single typing error
   away (a letter left out, added or swapped with its neighbour; in long words one letter wrong).
6. ``geen``/``niet``/``nooit`` joined to the word they negate, ``zonder`` likewise.

Every word is compared by its form and its Dutch stems (Snowball ``dutch`` and ``dutch_porter``), so "brieven"
meets "brief" and "gebeld" meets "bellen".

Deciding (``Explanation.code`` says which case applied):

- No rule matches: ``unknown`` (``negation`` when a known word was negated, ``neutral`` when the value only
  holds words known to say nothing about the field).
- A match is set aside when another match covers all of its words and more ("geen reactie" within "geen
  reactie meer"), when it only covers the first part of a compound whose last part another match covers
  ("huurtoeslag" is a toeslag), or when a rule of higher priority matched some of the same words.
- What remains must name one standard value (``rule``); an ambiguity rule among it gives ``ambiguous``, two
  standard values give ``conflict``. A negation that no rule and no neutral phrase explains gives ``negation``:
  it may turn the meaning around.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY, FIELDS
from ddas.standardize.normalize import normalize
from ddas.standardize.rules import (
    ABBREVIATIONS,
    CONCEPTS,
    GENERIC_HEADS,
    NEGATION_SKIPS,
    NEGATORS,
    NEUTRAL,
    RULES,
    STOPWORDS,
    SURFACE_ONLY,
    Rule,
)

__all__ = ["Explanation", "Matcher", "matcher_for", "stem_keys"]

_STEM_LOCK = threading.Lock()
_DUTCH = snowballstemmer.stemmer("dutch")
_PORTER = snowballstemmer.stemmer("dutch_porter")
#: Numbers and ordinals say nothing ("Huisbezoek 2", "3e brief"); zero does ("0%-aanbod").
_NUMBER = re.compile(r"^(?!0$)\d+(e|de|ste)?$")
#: The linking letters of Dutch compounds ("uitnodiging-s-brief", "huiz-en-blok"), tried longest first.
_LINKS = ("en", "s", "e")


@functools.lru_cache(maxsize=65_536)
def stem_keys(word: str) -> frozenset[str]:
    """The forms a word is compared by: itself and its two Snowball stems (the stemmers are not thread-safe).

    Words of :data:`~ddas.standardize.rules.SURFACE_ONLY` only by themselves, under a key no stem can be
    ("=meer"): their stems meet other words, and other words' stems meet them ("meerdere" stems to "meer").
    """
    if word in SURFACE_ONLY:
        return frozenset({"=" + word})
    with _STEM_LOCK:
        return frozenset({word, _DUTCH.stemWord(word), _PORTER.stemWord(word)})


@dataclass(frozen=True, slots=True)
class Explanation:
    """What the matcher decided for one value and why: ``standard`` is None when the value goes to review.

    ``code`` is stable for machines (``rule``, ``ambiguous``, ``conflict``, ``negation``, ``neutral``,
    ``unknown``, ``empty``, and the :class:`~ddas.standardize.standardizer.Standardizer` adds ``exact``,
    ``override`` and ``dictionary``); ``reason`` is Dutch, for the review file. ``candidates`` are the standard
    values in play, most likely first; ``rule`` names the deciding rule; ``ambiguity`` is, for ``ambiguous``, why
    the value can mean more than one thing (the review file shows it as ``note``).
    """

    standard: str | None
    code: str
    reason: str
    candidates: tuple[str, ...] = ()
    rule: str = ""
    ambiguity: str = ""


@dataclass(slots=True)
class _Token:
    word: str  # the word as matched (after abbreviation, joining, splitting or correction)
    text: str  # the words of the value it stands for, for explanations
    keys: frozenset[str]
    negation: str = ""  # "", "niet" (also geen/nooit) or "zonder"
    compound: int = -1  # the compound it was split from
    modifier: bool = False  # the first part of a split compound


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    words: tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    name: str  # how the rule is shown: "@telefoon", or a dictionary spelling in quotes
    target: str | None
    slots: tuple[tuple[_Phrase, ...], ...]
    unless: tuple[tuple[_Phrase, ...], ...]
    candidates: tuple[str, ...]
    reason: str
    priority: int


@dataclass(frozen=True, slots=True)
class _Match:
    rule: _Compiled
    cover: frozenset[int]  # the positions of the value's words it matched


def _negated(keys: frozenset[str], negation: str) -> frozenset[str]:
    if not negation:
        return keys
    mark = "¬" if negation == "niet" else "zonder "
    return frozenset(mark + key for key in keys)


def _bind_negations(
    words: list[tuple[str, str]], known: Callable[[str], bool] | None = None
) -> list[tuple[str, str, str]]:
    """(word, text) pairs → (word, text, negation): a negator joins the next word, or else the previous one.

    Dutch puts "niet" after the verb it negates as often as before the word: "reageert niet (meer)" and
    "voldoet niet (zie notitie)" negate the verb, "niet bereikt" the word after it. So the previous word is
    taken when nothing follows, and — given ``known`` — when the next word is unknown but the previous known.
    """
    out: list[tuple[str, str, str]] = []
    pending: tuple[str, str] | None = None

    def bind_back(negation: tuple[str, str]) -> bool:
        for index in range(len(out) - 1, -1, -1):
            word, text, bound = out[index]
            if word in NEGATION_SKIPS:
                continue
            if bound:
                return False
            out[index] = (word, f"{text} {negation[1]}", negation[0])
            return True
        return False

    for word, text in words:
        if word in NEGATORS or word == "zonder":
            if pending is not None and not bind_back(pending):  # "voldoet niet, niet passend"
                out.append(("", pending[1], pending[0]))
            pending = ("zonder" if word == "zonder" else "niet", text)
            continue
        if pending is not None and word not in NEGATION_SKIPS:
            if known is not None and pending[0] == "niet" and not known(word) and bind_back(pending):
                out.append((word, text, ""))
            else:
                out.append((word, f"{pending[1]} {text}", pending[0]))
            pending = None
            continue
        out.append((word, text, ""))
    if pending is not None and not bind_back(pending):
        out.append(("", pending[1], pending[0]))
    return out


def _phrase(text: str, abbreviations: dict[str, str]) -> _Phrase:
    """A rule phrase as key sets per word; phrases are read like values, without corrections."""
    words = _expand(_collapse_letters(normalize(text).split()), abbreviations)
    kept = [
        (word, word)
        for word in words
        if word not in STOPWORDS and not _NUMBER.match(word) and (len(word) > 1 or word in NEGATORS)
    ]
    bound = _bind_negations(kept)
    if not bound:
        raise ValueError(f"de regel-zin '{text}' bestaat alleen uit stopwoorden")
    return _Phrase(
        text,
        tuple(_negated(stem_keys(word), negation) for word, _, negation in bound),
    )


def _expand(words: list[str], abbreviations: dict[str, str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out.extend(abbreviations.get(word, word).split())
    return out


def _collapse_letters(words: list[str]) -> list[str]:
    """Runs of single letters are one abbreviation: "i v m" → "ivm", "n v t" → "nvt" (but "e mail" stays)."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) > 1:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if word:
            out.append(word)
    return out


class Matcher:
    """The rules of one field, compiled; :meth:`explain` decides for one normalised value."""

    def __init__(self, field_name: str) -> None:
        self.field = field_name
        self.abbreviations = {**ABBREVIATIONS.get("*", {}), **ABBREVIATIONS.get(field_name, {})}
        concepts = CONCEPTS.get(field_name, {})
        compiled: list[_Compiled] = []

        def slot(text: str) -> tuple[_Phrase, ...]:
            if text.startswith("@"):
                return tuple(self._phrase(phrase) for phrase in concepts[text[1:]])
            return (self._phrase(text),)

        for rule in RULES.get(field_name, ()):
            compiled.append(self._compile(rule, slot))
        for standard in FIELDS[field_name].values:
            compiled.append(self._literal(standard, standard))
        for standard, variants in DICTIONARY.get(field_name, {}).items():
            for variant in variants:
                if len(normalize(variant)) > 1:  # "m", "v": whole values only, never a word among others
                    compiled.append(self._literal(variant, standard))
        for entry in AMBIGUOUS.get(field_name, ()):
            if len(normalize(entry.variant)) <= 1:  # "X": looked up whole, before the matcher
                continue
            compiled.append(
                _Compiled(
                    f"'{entry.variant}'",
                    None,
                    (slot(entry.variant),),
                    (),
                    entry.candidates,
                    entry.reason,
                    0,
                )
            )
        self.rules = tuple(compiled)
        #: key → the rules that can match a value holding it: a rule needs its first slot, a phrase its first
        #: word; so only the rules indexed under one of a value's keys are tried.
        self._by_key: dict[str, list[int]] = {}
        for number, compiled_rule in enumerate(self.rules):
            for key in {key for phrase in compiled_rule.slots[0] for key in phrase.words[0]}:
                self._by_key.setdefault(key, []).append(number)
        self.neutral = tuple(self._phrase(text) for text in NEUTRAL.get(field_name, ()))
        phrases = [phrase for rule in self.rules for options in rule.slots for phrase in options]
        phrases += [phrase for rule in self.rules for options in rule.unless for phrase in options]
        phrases += list(self.neutral)
        #: Every key of every word the rules know: a word with one of these keys is known.
        self.known: frozenset[str] = frozenset(
            key.removeprefix("¬").removeprefix("zonder ")
            for phrase in phrases
            for word in phrase.words
            for key in word
        )
        #: Every word the rules name, as written: what neighbouring words may be joined into.
        self._surfaces: frozenset[str] = frozenset(
            word
            for rule_text in self._texts()
            for word in _expand(normalize(rule_text).split(), self.abbreviations)
            if word not in STOPWORDS and word not in NEGATORS and word != "zonder"
        )
        #: Known words long enough to correct a typing error towards.
        self.spellings = sorted(word for word in self._surfaces if len(word) >= 5 and word.isalpha())

    def _texts(self) -> Iterable[str]:
        concepts = CONCEPTS.get(self.field, {})
        for phrases in concepts.values():
            yield from phrases
        for rule in RULES.get(self.field, ()):
            for text in (*rule.slots, *rule.unless):
                if not text.startswith("@"):
                    yield text
        yield from FIELDS[self.field].values
        for variants in DICTIONARY.get(self.field, {}).values():
            yield from variants
        for entry in AMBIGUOUS.get(self.field, ()):
            yield entry.variant
        yield from NEUTRAL.get(self.field, ())

    def _phrase(self, text: str) -> _Phrase:
        return _phrase(text, self.abbreviations)

    def _compile(self, rule: Rule, slot: Callable[[str], tuple[_Phrase, ...]]) -> _Compiled:
        slots = tuple(slot(text) for text in rule.slots)
        unless = tuple(slot(text) for text in rule.unless)
        name = " + ".join(rule.slots)
        return _Compiled(name, rule.target, slots, unless, rule.candidates, rule.reason, rule.priority)

    def _literal(self, text: str, standard: str) -> _Compiled:
        return _Compiled(f"'{text}'", standard, ((self._phrase(text),),), (), (), "", 0)

    # --- reading a value -----------------------------------------------------------------------------------

    def _is_known(self, word: str) -> bool:
        return not stem_keys(word).isdisjoint(self.known)

    def tokens(self, key: str) -> tuple[list[_Token], list[str]]:
        """The words of a normalised value as matched, and the notes on how they were read (Dutch)."""
        notes: list[str] = []
        words: list[tuple[str, str]] = []
        for word in _collapse_letters(key.split()):
            expansion = self.abbreviations.get(word)
            if expansion is not None and expansion != word:
                notes.append(f"'{word}' als afkorting van '{expansion}'")
                words.extend((part, word) for part in expansion.split())
            else:
                words.append((word, word))
        words = self._join(words, notes)
        kept = [
            (word, text)
            for word, text in words
            if word not in STOPWORDS and not _NUMBER.match(word) and (len(word) > 1 or word in NEGATORS)
        ]
        read: list[tuple[str, str, int, bool]] = []  # word, text, compound, modifier
        compounds = 0
        for word, text in kept:
            expanded = text in self.abbreviations and word != text  # written out by us: read as it is
            if (
                word in NEGATORS
                or word == "zonder"
                or word in NEGATION_SKIPS
                or expanded
                or self._is_known(word)
            ):
                read.append((word, text, -1, False))
                continue
            split = self._split(word)
            if split is not None:
                first, second = split
                notes.append(f"'{word}' als samenstelling '{first}' + '{second}'")
                read.append((first, first, compounds, True))
                read.append((second, second, compounds, False))
                compounds += 1
                continue
            corrected = self._correct(word)
            if corrected is not None:
                notes.append(f"'{word}' als '{corrected}' (tikfout)")
                read.append((corrected, text, -1, False))
                continue
            read.append((word, text, -1, False))
        tokens: list[_Token] = []
        info = {index: (compound, modifier) for index, (_, _, compound, modifier) in enumerate(read)}
        bound = _bind_negations([(word, text) for word, text, _, _ in read], self._is_known)
        # _bind_negations replaces negators by the words they join (or by an empty word when there is none):
        # walk both lists to keep the compound marks of the remaining words.
        source = iter(
            index for index, (word, _, _, _) in enumerate(read) if word not in NEGATORS and word != "zonder"
        )
        for word, text, negation in bound:
            compound, modifier = info[next(source)] if word else (-1, False)
            keys = _negated(stem_keys(word), negation) if word else frozenset({"¬"})
            tokens.append(_Token(word, text, keys, negation, compound, modifier))
        return tokens, notes

    def _join(self, words: list[tuple[str, str]], notes: list[str]) -> list[tuple[str, str]]:
        """Neighbouring words that together are a known word become that word ("e mail", "huis bezoek")."""
        out: list[tuple[str, str]] = []
        index = 0
        while index < len(words):
            joined = None
            for end in (index + 3, index + 2):
                if end > len(words):
                    continue
                parts = [word for word, _ in words[index:end]]
                if any(part in STOPWORDS or part in NEGATORS or _NUMBER.match(part) for part in parts):
                    continue
                candidate = "".join(parts)
                # Joined when the whole is a word a rule names, or known while its last part is not.
                if self._whole(candidate) or (not self._is_known(parts[-1]) and self._is_known(candidate)):
                    joined = (candidate, end)
                    break
            if joined is not None:
                text = " ".join(text for _, text in words[index : joined[1]])
                notes.append(f"'{text}' als '{joined[0]}'")
                out.append((joined[0], text))
                index = joined[1]
            else:
                out.append(words[index])
                index += 1
        return out

    def _whole(self, word: str) -> bool:
        """A word some rule names as a whole (not only one of its stems by accident)."""
        return word in self._surfaces

    def _split(self, word: str) -> tuple[str, str] | None:
        """A compound of two parts: the last one known, or the first known and the last a generic head.

        A cut where both parts are known (or the last generic) beats one where only the last part is known
        ("voicemail" + "bericht", not "voice" + "mailbericht"); then the longest known last part wins.
        """
        if len(word) < 7:
            return None
        best: tuple[tuple[bool, int], str, str] | None = None
        for cut in range(3, len(word) - 2):
            first, head = self._modifier(word[:cut]), word[cut:]
            # A short last part must be a word a rule names itself: stems of short parts meet too much.
            head_known = head in self._surfaces or (len(head) >= 5 and self._is_known(head))
            generic = head in GENERIC_HEADS
            if not head_known and not (generic and self._is_known(first)):
                continue
            score = (self._is_known(first), len(head) if head_known else 0)
            if best is None or score > best[0]:
                best = (score, first, head)
        return None if best is None else (best[1], best[2])

    def _modifier(self, first: str) -> str:
        if self._is_known(first):
            return first
        for link in _LINKS:
            if first.endswith(link) and len(first) - len(link) >= 3 and self._is_known(first[: -len(link)]):
                return first[: -len(link)]
        return first

    def _correct(self, word: str) -> str | None:
        """The one known word a typing error away, or None (also when two known words are equally close).

        Allowed: a letter left out, added, or swapped with its neighbour (words of five letters or more), and in
        words of seven or more also one letter wrong. Never the first letter: people rarely mistype it, and
        a wrong first letter is usually another word.
        """
        if len(word) < 5 or not word.isalpha():
            return None
        found = process.extract(word, self.spellings, scorer=OSA.distance, limit=6, score_cutoff=2)
        best: list[str] = []
        best_distance = 3
        for candidate, distance, _ in found:
            if candidate[0] != word[0] or not _typo(word, candidate, int(distance)):
                continue
            if distance < best_distance:
                best, best_distance = [candidate], int(distance)
            elif distance == best_distance:
                best.append(candidate)
        if not best:
            return None
        if len({stem_keys(candidate) & self.known for candidate in best}) > 1:
            return None
        return best[0]

    # --- deciding ------------------------------------------------------------------------------------------

    def explain(self, key: str) -> Explanation:
        """The decision for a normalised value (see the module documentation for the cases)."""
        if not key:
            return Explanation(None, "empty", "Bevat geen letters of cijfers.")
        tokens, notes = self.tokens(key)
        matches = self._matches(tokens)
        read = f" Gelezen: {'; '.join(notes)}." if notes else ""
        negations = {index for index, token in enumerate(tokens) if token.negation == "niet"}
        neutral = self._neutral_cover(tokens)
        explained = set(neutral)
        for match in matches:
            explained |= match.cover
        if not matches:
            unexplained = sorted(negations - explained)
            if unexplained:
                shown = ", ".join(f"'{tokens[index].text}'" for index in unexplained)
                return Explanation(
                    None,
                    "negation",
                    f"Geen regel past: de ontkenning {shown} keert de betekenis om of is niet bekend.{read}",
                )
            if tokens and all(index in neutral for index in range(len(tokens))):
                return Explanation(
                    None,
                    "neutral",
                    f"Alleen woorden die niets zeggen over {self.field} ({_quote_words(tokens, neutral)}).{read}",
                )
            return Explanation(
                None,
                "unknown",
                f"Geen woord herkend dat bij een standaardwaarde van {self.field} hoort.{read}",
            )
        kept, set_aside = _resolve(matches, tokens)
        unexplained = sorted(negations - explained)
        if unexplained:
            shown = ", ".join(f"'{tokens[index].text}'" for index in unexplained)
            return Explanation(
                None,
                "negation",
                f"De ontkenning {shown} wordt door geen regel verklaard en kan de betekenis omdraaien.{read}",
                _targets(kept),
            )
        ambiguous = [match for match in kept if match.rule.target is None]
        if ambiguous:
            rule = ambiguous[0].rule
            others = [target for target in _targets(kept) if target not in rule.candidates]
            also = f" Herkend werd ook: {', '.join(others)}." if others else ""
            return Explanation(
                None,
                "ambiguous",
                f"Dubbelzinnig: {_describe(ambiguous[0], tokens)} past op een regel voor waarden die meer kunnen "
                f"betekenen (waarom: zie 'note').{also}{read}",
                (*rule.candidates, *others),
                rule.name,
                rule.reason,
            )
        targets = _targets(kept)
        if len(targets) > 1:
            named = "; ".join(
                f"{_describe(match, tokens)} → {match.rule.target}" for match in _one_per_target(kept)
            )
            return Explanation(
                None,
                "conflict",
                f"Noemt meer dan één standaardwaarde ({named}); de mapping moet kiezen.{read}",
                targets,
            )
        best = _one_per_target(kept)[0]
        standard = targets[0]
        parts = [f"Herkend als '{standard}' aan {_describe(best, tokens)}."]
        said = {tokens[index].text for index in explained}
        extra = {
            index
            for index, token in enumerate(tokens)
            if index not in explained and token.word and token.text not in said
        }
        if extra:
            parts.append(f"Extra woorden zonder betekenis hier: {_quote_words(tokens, extra)}.")
        neutral_only = sorted(neutral - {index for match in kept for index in match.cover})
        if neutral_only:
            parts.append(
                f"Zegt niets over {self.field} (genegeerd): {_quote_words(tokens, set(neutral_only))}."
            )
        if set_aside:
            parts.append(
                "Opzij gezet: "
                + "; ".join(
                    f"{_describe(match, tokens)} → {match.rule.target or 'dubbelzinnig'} ({why})"
                    for match, why in set_aside
                )
                + "."
            )
        if notes:
            parts.append(f"Gelezen: {'; '.join(notes)}.")
        return Explanation(standard, "rule", " ".join(parts), targets, best.rule.name)

    def _matches(self, tokens: list[_Token]) -> list[_Match]:
        index: dict[str, set[int]] = {}
        for position, token in enumerate(tokens):
            for key in token.keys:
                index.setdefault(key, set()).add(position)
        out: list[_Match] = []
        candidates = sorted({number for key in index for number in self._by_key.get(key, ())})
        for rule in (self.rules[number] for number in candidates):
            cover: set[int] = set()
            for options in rule.slots:
                found = _best_phrase(options, index)
                if found is None:
                    break
                cover |= found
            else:
                if any(_best_phrase(options, index) is not None for options in rule.unless):
                    continue
                out.append(_Match(rule, frozenset(cover)))
        return out

    def _neutral_cover(self, tokens: list[_Token]) -> set[int]:
        index: dict[str, set[int]] = {}
        for position, token in enumerate(tokens):
            for key in token.keys:
                index.setdefault(key, set()).add(position)
        cover: set[int] = set()
        for phrase in self.neutral:
            found = _phrase_cover(phrase, index)
            if found is not None:
                cover |= found
        return cover


def _typo(word: str, candidate: str, distance: int) -> bool:
    """Whether ``candidate`` is ``word`` with one typing error (see :meth:`Matcher._correct`)."""
    if distance == 1:
        return len(word) != len(candidate) or sorted(word) == sorted(candidate) or len(word) >= 7
    return (
        distance == 2
        and len(word) >= 7
        and len(candidate) >= 7
        and abs(len(word) - len(candidate)) <= 1
        and Indel.distance(word, candidate) <= 2
    )


def _phrase_cover(phrase: _Phrase, index: dict[str, set[int]]) -> set[int] | None:
    cover: set[int] = set()
    for keys in phrase.words:
        hits: set[int] = set()
        for key in keys:
            hits |= index.get(key, set())
        if not hits:
            return None
        cover |= hits
    return cover


def _best_phrase(options: tuple[_Phrase, ...], index: dict[str, set[int]]) -> set[int] | None:
    """The words of the matching phrase that covers the most ("betalingsregeling getroffen" beats
    "betalingsregeling"), or None when none of ``options`` matches."""
    best: set[int] | None = None
    for phrase in options:
        cover = _phrase_cover(phrase, index)
        if cover is not None and (best is None or len(cover) > len(best)):
            best = cover
    return best


def _resolve(matches: list[_Match], tokens: list[_Token]) -> tuple[list[_Match], list[tuple[_Match, str]]]:
    """The matches that count, and those set aside with the reason (Dutch)."""
    set_aside: list[tuple[_Match, str]] = []
    kept: list[_Match] = []
    for match in matches:
        wider = next((other for other in matches if match.cover < other.cover), None)
        if wider is not None:
            if wider.rule.target != match.rule.target:
                set_aside.append((match, f"valt binnen {_describe(wider, tokens)}"))
            continue
        kept.append(match)
    heads = {
        tokens[index].compound: match
        for match in kept
        for index in match.cover
        if tokens[index].compound >= 0 and not tokens[index].modifier
    }
    result: list[_Match] = []
    for match in kept:
        compounds = {tokens[index].compound for index in match.cover}
        if all(tokens[index].modifier for index in match.cover) and all(
            compound in heads and heads[compound].rule.target != match.rule.target for compound in compounds
        ):
            set_aside.append((match, "alleen het eerste deel van een samenstelling"))
            continue
        result.append(match)
    # A rule of higher priority sets aside the matches it shares words with (not unrelated ones).
    first = [match for match in result if match.rule.priority > 0]
    final: list[_Match] = []
    for match in result:
        above = next(
            (
                other
                for other in first
                if other.rule.priority > match.rule.priority and other.cover & match.cover
            ),
            None,
        )
        if above is not None:
            set_aside.append((match, f"wijkt voor {_describe(above, tokens)}, die voorgaat"))
            continue
        final.append(match)
    return final, [(match, why) for match, why in set_aside if match.rule.target is not None]


def _targets(matches: list[_Match]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for match in sorted(matches, key=lambda match: -len(match.cover)):
        if match.rule.target is not None:
            seen.setdefault(match.rule.target, None)
    return tuple(seen)


def _one_per_target(matches: list[_Match]) -> list[_Match]:
    seen: dict[str | None, _Match] = {}
    for match in sorted(matches, key=lambda match: -len(match.cover)):
        seen.setdefault(match.rule.target, match)
    return list(seen.values())


def _quote_words(tokens: list[_Token], indices: set[int]) -> str:
    texts = dict.fromkeys(tokens[index].text for index in sorted(indices))  # "amw" stands for three words
    return ", ".join(f"'{text}'" for text in texts)


def _describe(match: _Match, tokens: list[_Token]) -> str:
    words = _quote_words(tokens, set(match.cover))
    if match.rule.name.startswith("'"):
        return f"{words} (woordenboek: {match.rule.name})"
    return f"{words} (regel {match.rule.name})"


@functools.cache
def matcher_for(field_name: str) -> Matcher:
    """The compiled matcher of a field (compiled once per process, on first use)."""
    return Matcher(field_name)
