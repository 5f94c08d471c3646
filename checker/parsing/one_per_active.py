"""The label's actives one per substance: mentions of one organism merged, a butyrate blurb dropped."""
from __future__ import annotations

import re
from dataclasses import replace

from checker.models import MICROORGANISM, Active
from checker.parsing.butyrate import UNSPECIFIED
from checker.textnorm import join_unique

__all__ = ["MICROORGANISM", "UNSPECIFIED", "has_mass", "microbe_state", "one_per_active"]


def one_per_active(actives: list[Active]) -> list[Active]:
    """The actives as the rules see them, in label order.

    A bare "butyrate" outside the ingredient list, with no amount, on a label that names a butyrate salt
    or ester ("relieves ... thanks to butyrate") is that named form again, not an unspecified one.
    The same microorganism printed twice (ingredient list and table, two languages) is one organism.
    """
    named = any(a.id not in (MICROORGANISM, UNSPECIFIED) for a in actives)
    microbes = [a for a in actives if a.id == MICROORGANISM]
    if any(_is_species(a) for a in microbes):  # "hitte-gedode bifidobacteriën" in a blurb is no organism
        microbes = [a for a in microbes if _is_species(a) or a.in_ingredients]
    merged = {id(group[0]): _merge_microbes(group) for group in _microbe_groups(microbes)}
    out = []
    for active in actives:
        if active.id == MICROORGANISM:
            if id(active) in merged:
                out.append(merged[id(active)])
        elif not (named and active.id == UNSPECIFIED and not active.in_ingredients and not has_mass(active)):
            out.append(active)
    return out


def microbe_state(active: Active) -> str:
    """live | inactivated | unstated; a CFU count makes an organism live whatever else is printed."""
    if active.count is not None and active.count.unit == "cfu":
        return "live"  # rules.md: a CFU count attached makes a microorganism live
    return active.state or "unstated"


def has_mass(active: Active) -> bool:
    """Whether an amount in mass (of the active or of its butyric acid) is printed for it."""
    return any(a is not None and a.mg() is not None for a in (active.amount, active.declared_butyric_acid))


def _is_species(active: Active) -> bool:
    """Genus and species are named ("B. breve"), not a genus or group alone ("bifidobacteria")."""
    return len((active.species or active.name).split()) >= 2


def _epithet(active: Active) -> str:
    words = (active.species or active.name).split()
    return words[-1].casefold() if words else ""


def _norm_strain(strain: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (strain or "").lower())


def _microbe_groups(actives: list[Active]) -> list[list[Active]]:
    """Microorganisms grouped by species epithet (old and new genus names alike), split by strain
    when one species comes in several named strains."""
    by_species: dict[str, list[Active]] = {}
    for active in actives:
        by_species.setdefault(_epithet(active), []).append(active)
    groups: list[list[Active]] = []
    for members in by_species.values():
        strains = {_norm_strain(a.strain) for a in members if a.strain}
        if len(strains) <= 1:
            groups.append(members)
            continue
        by_strain: dict[str, list[Active]] = {}
        for active in members:
            by_strain.setdefault(_norm_strain(active.strain), []).append(active)
        groups.extend(by_strain.values())
    return groups


def _merge_microbes(group: list[Active]) -> Active:
    """One organism from its mentions: a CFU count anywhere makes it live, else a stated inactivation
    makes it inactivated; strain, amount and count come from whichever mention prints them."""
    states = {microbe_state(a) for a in group}
    state = next(s for s in ("live", "inactivated", "unstated") if s in states)
    first = group[0]
    return replace(
        first,
        species=max((a.species for a in group if a.species), key=len, default=None),
        strain=next((a.strain for a in group if a.strain), None),
        state=state,
        amount=next((a.amount for a in group if a.amount is not None and a.amount.mg() is not None),
                    first.amount),
        basis=next((a.basis for a in group if a.amount is not None and a.amount.mg() is not None),
                   first.basis),
        count=next((a.count for a in group if a.count is not None), None),
        evidence=join_unique(a.evidence for a in group) or first.evidence,
        in_ingredients=any(a.in_ingredients for a in group),
    )
