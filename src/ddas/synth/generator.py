"""Complete synthetic deliveries (SHV v1.0, VS v0.9) that the validator accepts without a single finding.

Everything is drawn from one `random.Random(seed)`, never from the global generator or the clock, so the same
arguments always give the same document. Clients come from a `ClientPool` fixed by `pool_seed`, which is how
two deliveries can share clients (samenloop) while differing in everything else.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ddas import __version__
from ddas.spec.kinds import Kind
from ddas.synth.dates import DEFAULT_PERIOD, Period
from ddas.synth.draw import Weighted, rint
from ddas.synth.pool import ClientPool, Huishouden
from ddas.synth.reference import (
    ACHTERNAMEN,
    DEFAULT_GEMEENTEN,
    FUNCTIETITELS,
    GEMEENTEN,
    PARTIJEN,
    VOORNAMEN,
    fake_kvk,
    gemeente_naam,
    mail_domain,
)
from ddas.synth.shv import TrajectFactory
from ddas.synth.vs import SignaalFactory

__all__ = ["SUPPLIER_CODE", "generate"]

#: codeGegevensleverancier: vendor name and software version (§4.4 warns when the version is missing).
SUPPLIER_CODE = f"ddas-synth {__version__}"

_GEMEENTECODE = re.compile(r"\d{4}")
#: Share of households that come back with a second, later traject in the same period.
_SEQUENTIAL_SHARE = 0.03
#: Signals per inwoner in one burst.
_BURST = Weighted(((1, 70), (2, 22), (3, 8)))


def generate(
    kind: Kind | str,
    count: int,
    seed: int,
    *,
    gemeenten: Sequence[str] | None = None,
    period: Period | None = None,
    pool_seed: int | None = None,
) -> dict[str, Any]:
    """A delivery document of `count` trajecten (SHV) or vroegsignalen (VS), as plain JSON-ready values.

    `gemeenten`: 4-digit CBS codes; one code gives a gemeente delivering its own data (one levering), several
    give a party delivering for each of them (one levering per gemeente, teller 1..n). Default: six large
    gemeenten. `period`: the reporting period (default the first half of 2025). `pool_seed`: the client pool
    (default `seed`); deliveries with the same pool share clients.
    """
    kind = Kind(kind)
    if count < 0:
        raise ValueError("het aantal moet 0 of meer zijn")
    codes = _gemeentecodes(gemeenten)
    start, end = period or DEFAULT_PERIOD
    if start > end:
        raise ValueError(f"de periode begint ({start}) na het einde ({end})")
    rng = random.Random(seed)
    pool = ClientPool(seed if pool_seed is None else pool_seed)
    ps, pe = start.toordinal(), end.toordinal()
    per_gemeente = _split(rng, count, len(codes))
    party = rng.choice(PARTIJEN) if len(codes) > 1 else None

    with _collector_paused():
        if kind is Kind.SHV:
            leveringen = _shv_leveringen(rng, pool, ps, pe, codes, per_gemeente, party)
        else:
            leveringen = _vs_leveringen(rng, pool, ps, pe, codes, per_gemeente, party)
    delivered = dt.datetime.combine(end + dt.timedelta(days=3), dt.time(9, 15))
    return {
        "startdatumLevering": start.isoformat(),
        "einddatumLevering": end.isoformat(),
        "aanleverdatumEnTijd": delivered.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "codeGegevensleverancier": SUPPLIER_CODE,
        "leveringen": leveringen,
    }


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building the document.

    A large delivery is millions of small dicts without reference cycles; the collector would scan the growing
    heap again and again for nothing, which costs about a third of the generation time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _gemeentecodes(gemeenten: Sequence[str] | None) -> tuple[str, ...]:
    if gemeenten is None:
        return DEFAULT_GEMEENTEN
    codes = tuple(gemeenten)
    if not codes:
        raise ValueError("er is minstens één gemeentecode nodig")
    for code in codes:
        if not _GEMEENTECODE.fullmatch(code):
            raise ValueError(f"gemeentecode {code!r} is geen CBS-code van 4 cijfers (bijv. 0363)")
    if len(set(codes)) != len(codes):
        raise ValueError("gemeentecodes mogen niet herhalen: een levering per gemeente")
    return codes


def _split(rng: random.Random, count: int, parts: int) -> list[int]:
    """Divide `count` records over `parts` gemeenten unevenly (gemeenten differ in size), summing exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    total = sum(weights)
    sizes = [int(count * w / total) for w in weights]
    for i in range(count - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


def _households(rng: random.Random, pool: ClientPool, needed: int) -> list[Huishouden]:
    """`needed` distinct households of the pool, drawn from a range about four times as large.

    Two deliveries on the same pool each take a quarter-ish of that range, so they share a good number of
    clients without being copies of each other.
    """
    chosen = rng.sample(range(4 * needed + 100), needed)
    return [pool.household(i) for i in chosen]


def _contactpersonen(rng: random.Random, domain: str) -> list[dict[str, Any]]:
    """One or two contactpersonen with distinct, valid e-mail addresses (they receive the op-orde-rapport)."""
    out = []
    for voornaam in rng.sample(VOORNAMEN, 1 if rng.random() < 0.7 else 2):
        voorvoegsel, achternaam = rng.choice(ACHTERNAMEN)
        naam = " ".join(part for part in (voornaam, voorvoegsel, achternaam) if part)
        local = _ascii(f"{voornaam}.{voorvoegsel}{achternaam}")
        out.append(
            {
                "naam": naam,
                "email": f"{local}@{domain}",
                "telefoonnummer": f"0{rint(rng, 10, 79)}-{rint(rng, 1000000, 9999999)}",
                "functietitel": rng.choice(FUNCTIETITELS),
            }
        )
    return out


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c for c in folded if c.isalnum() or c == ".")


def _org_postcode(rng: random.Random) -> str:
    return f"{rint(rng, 1000, 9999)}{rng.choice('ABCEGHJKLMNPRTVWXZ')}{rng.choice('ABCEGHJKLMNPRTVWXZ')}"


def _shv_leveringen(
    rng: random.Random,
    pool: ClientPool,
    ps: int,
    pe: int,
    codes: tuple[str, ...],
    sizes: list[int],
    party: str | None,
) -> list[dict[str, Any]]:
    factory = TrajectFactory(rng, ps, pe)
    share = _SEQUENTIAL_SHARE if factory.pairs_fit else 0.0
    pairs = [round(n * share / (1 + share)) if n >= 2 else 0 for n in sizes]
    households = _households(rng, pool, sum(sizes) - sum(pairs))
    party_postcode = _org_postcode(rng)
    leveringen: list[dict[str, Any]] = []
    taken = 0
    for teller, (code, size, n_pairs) in enumerate(zip(codes, sizes, pairs, strict=True), 1):
        own = households[taken : taken + size - n_pairs]
        taken += size - n_pairs
        trajecten: list[dict[str, Any]] = []
        for i, household in enumerate(own):
            if i < n_pairs:
                trajecten.extend(factory.traject_pair(household, code))
            else:
                trajecten.append(factory.traject(household, code))
        rng.shuffle(trajecten)
        if party is None:
            naam = f"Gemeente {gemeente_naam(code)}"
            org: dict[str, Any] = {
                "(Statutaire) Naam": naam,
                "KvK-nummer": "",
                "postcode": _org_postcode(rng),
                "gemeentecode": code,
                "contactpersonen": _contactpersonen(rng, mail_domain(gemeente_naam(code))),
            }
        else:
            org = {
                "(Statutaire) Naam": party,
                "KvK-nummer": fake_kvk(party),
                "postcode": party_postcode,
                "gemeentecode": "",
                "contactpersonen": _contactpersonen(rng, mail_domain(party)),
            }
        leveringen.append(
            {"teller": teller, "aanleverende_organisatie": org, "schuldhulptrajecten": trajecten}
        )
    return leveringen


def _burst_sizes(rng: random.Random, count: int) -> list[int]:
    """How many signals each inwoner gets (1–3, mostly 1), summing exactly to `count`."""
    sizes: list[int] = []
    left = count
    while left > 0:
        n = min(left, _BURST(rng))
        sizes.append(n)
        left -= n
    return sizes


def _vs_leveringen(
    rng: random.Random,
    pool: ClientPool,
    ps: int,
    pe: int,
    codes: tuple[str, ...],
    sizes: list[int],
    party: str | None,
) -> list[dict[str, Any]]:
    factory = SignaalFactory(rng, ps, pe)
    bursts = [_burst_sizes(rng, n) for n in sizes]
    households = _households(rng, pool, sum(len(b) for b in bursts))
    leveringen: list[dict[str, Any]] = []
    taken = 0
    for teller, (code, burst) in enumerate(zip(codes, bursts, strict=True), 1):
        groups = list(zip(households[taken : taken + len(burst)], burst, strict=True))
        taken += len(burst)
        known = code in GEMEENTEN
        signalen, zaken = factory.levering(code, groups, gemeente_naam(code) if known else None)
        naam = party or f"Gemeente {gemeente_naam(code)}"
        org = {
            "naam": naam,
            "kvk-nummer": fake_kvk(naam),
            "contactpersoonen": _contactpersonen(rng, mail_domain(party or gemeente_naam(code))),
        }
        leveringen.append(
            {
                "teller": teller,
                "gemeentecode": code,
                "aanleverende_organisatie": org,
                "vroegsignalen": signalen,
                "vroegsignaalzaken": zaken,
            }
        )
    return leveringen
