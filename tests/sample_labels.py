"""Label texts written for the platform tests (web, CLI, pipeline): plain, complete, unambiguous.

They are not corpus labels; each states what a correct checker must report about it.
"""
from __future__ import annotations

# Complete Dutch label: 500 mg sodium butyrate x 2 capsules a day = 1000 mg/day, every particular
# present, independent lab -> only dose.sodium (info) -> pass.
NL_PASS = """Butyra Forte
Voedingssupplement met natriumbutyraat
Ingrediënten: natriumbutyraat, capsulewand: hydroxypropylmethylcellulose.
Per capsule: natriumbutyraat 500 mg
Gebruik: neem dagelijks 2 capsules met water.
De aanbevolen dagelijkse dosis niet overschrijden.
Een voedingssupplement is geen vervanging voor een gevarieerde voeding en een gezonde levensstijl.
Buiten het bereik van kinderen bewaren.
Droog en koel bewaren.
Elke partij wordt getest door een onafhankelijk ISO 17025 laboratorium.
Netto-inhoud: 60 capsules
Ten minste houdbaar tot: zie bodem. Lot: zie bodem.
Butyra B.V., Kerkstraat 12, 1234 AB Amsterdam, Nederland
"""
NL_PASS_EXPECTED = {"verdict": "pass", "active": "sodium-butyrate", "per_day_mg_max": 1000,
                    "rules": {"dose.sodium"}}

# English label with titanium dioxide (not authorised in the EU) -> additive.banned-eu -> fail.
EN_FAIL = """Calm Gut Butyrate
Food supplement with calcium butyrate
Ingredients: calcium butyrate, capsule shell: hydroxypropyl methylcellulose, colour: titanium dioxide.
Each capsule provides calcium butyrate 600 mg.
Directions: take 1 capsule twice a day with a meal.
Do not exceed the recommended daily dose.
Food supplements should not be used as a substitute for a varied diet and a healthy lifestyle.
Keep out of the reach of young children.
Store in a cool, dry place.
Every batch is tested by an independent ISO 17025 accredited laboratory.
Net contents: 60 capsules
Best before and lot number: see bottom.
Calm Gut Ltd, 4 Mill Lane, Bristol BS1 4DJ, United Kingdom
"""
EN_FAIL_EXPECTED = {"verdict": "fail", "active": "calcium-butyrate", "per_day_mg_max": 1200,
                    "rules": {"additive.banned-eu"}}

# German label: 300 mg tributyrin x 3 softgels a day; complete -> pass.
DE_PASS = """Tributyrin Plus
Nahrungsergänzungsmittel mit Tributyrin
Zutaten: Tributyrin, Überzugsmittel: Gelatine, Feuchthaltemittel: Glycerin.
Pro Kapsel: Tributyrin 300 mg
Verzehrempfehlung: täglich 3 Kapseln mit Wasser einnehmen.
Die angegebene empfohlene tägliche Verzehrmenge darf nicht überschritten werden.
Nahrungsergänzungsmittel sind kein Ersatz für eine ausgewogene und abwechslungsreiche Ernährung.
Außerhalb der Reichweite von kleinen Kindern aufbewahren.
Kühl und trocken lagern.
Jede Charge wird von einem unabhängigen, nach ISO 17025 akkreditierten Labor geprüft.
Inhalt: 90 Kapseln
Mindestens haltbar bis und Charge: siehe Boden.
Tribu GmbH, Hauptstraße 5, 10115 Berlin, Deutschland
"""
DE_PASS_EXPECTED = {"verdict": "pass", "active": "tributyrin", "per_day_mg_max": 900, "rules": set()}

# French label that claims to cure a disease -> claim.disease -> fail.
FR_FAIL = """Butyrine Confort
Complément alimentaire au butyrate de sodium
Ingrédients : butyrate de sodium, enveloppe de la gélule : hydroxypropylméthylcellulose.
Par gélule : butyrate de sodium 400 mg
Conseils d'utilisation : prendre 2 gélules par jour avec un verre d'eau.
Guérit la maladie de Crohn.
Ne pas dépasser la dose journalière recommandée.
Un complément alimentaire ne remplace pas une alimentation variée et équilibrée.
Tenir hors de portée des jeunes enfants.
Conserver dans un endroit frais et sec.
Chaque lot est analysé par un laboratoire indépendant accrédité ISO 17025.
Contenu net : 60 gélules
À consommer de préférence avant et numéro de lot : voir le fond.
Butyrine SAS, 8 rue des Lilas, 69003 Lyon, France
"""
FR_FAIL_EXPECTED = {"verdict": "fail", "active": "sodium-butyrate", "per_day_mg_max": 800,
                    "rules": {"claim.disease", "dose.sodium"}}

# Text that tries to inject markup into the report page
SCRIPT_LABEL = NL_PASS.replace("Butyra Forte", "Butyra <script>alert('x')</script> Forte").replace(
    "capsulewand: hydroxypropylmethylcellulose", "capsulewand: <b onmouseover=alert(1)>cellulose</b>")
