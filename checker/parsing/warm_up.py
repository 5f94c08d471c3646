"""Compile the parser's patterns ahead of the first label: parse a short sample in the four languages."""
from __future__ import annotations

import logging

from checker.parsing import parse_label
from checker.reference import ReferenceData

log = logging.getLogger(__name__)

# Lines of every kind the parser reads (headings, ingredient lists with classes and E-numbers, a
# table, doses, warnings, storage, dates, claims) in each language: the patterns and vocabularies
# they need are built and compiled the first time, which costs a new process a few tenths of a second.
SAMPLE = """\
Food supplement with sodium butyrate - 60 capsules
Ingredients: sodium butyrate (62 %), bulking agent: microcrystalline cellulose, capsule shell:
hydroxypropyl methylcellulose, anti-caking agent: magnesium stearate (E470b), colour: E110. Contains soy.
May contain traces of milk.
Per daily dose (2 capsules)\tAmount\t% RI
Sodium butyrate\t600 mg\t*
of which butyric acid\t480 mg
Lactobacillus acidophilus (heat-treated)\t1 x 10^9 CFU
Directions: take 2 capsules a day with water. Do not exceed the recommended daily dose. Food supplements
are not a substitute for a varied and balanced diet and a healthy lifestyle. Keep out of reach of young
children. Not for pregnant women. Store in a cool, dry place. Best before: see bottom. Lot: AB123. Net
weight 36 g. Relieves psoriasis. Gluten free, vegan. Tested by an independent laboratory.
Ingrediënten: natriumbutyraat, vulstof: microkristallijne cellulose. Dagelijks 2 capsules innemen. Buiten
bereik van kinderen bewaren. Ten minste houdbaar tot: zie onderzijde. Voedingssupplementen zijn geen
vervanging voor een gevarieerde voeding.
Zutaten: Natriumbutyrat, Füllstoff: mikrokristalline Cellulose. Verzehrempfehlung: täglich 2 Kapseln.
Außerhalb der Reichweite von kleinen Kindern lagern. Mindestens haltbar bis: siehe Boden.
Ingrédients : butyrate de sodium, agent de charge : cellulose microcristalline. Prendre 2 gélules par
jour. Tenir hors de portée des enfants. À consommer de préférence avant : voir le fond.
"""


def warm_up(ref: ReferenceData) -> None:
    """Parse the sample once (a failure is logged: the real parse will report it)."""
    try:
        parse_label(SAMPLE, ref)
    except Exception:  # noqa: BLE001 - a warm-up must never take the process down
        log.exception("parser warm-up failed")
