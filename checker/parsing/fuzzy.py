"""OCR-noise correction of label text against the closed vocabulary of reference/ (rapidfuzz).

The vocabulary is every word of the reference names (additives, allergens, butyrate forms, microbes,
nutrients, function classes) and of the phrase regexes (sections, particulars, claims, quality), plus
the function words of the four languages. A word of the label that is not in the vocabulary is
compared with it after mapping the usual OCR confusions to one "skeleton" (l/I/1/|/!, rn/m, 0/O,
5/S, 9/g, c/e...), then by edit distance with a tolerance that grows with the word length. Words
split by OCR ("Natt iumbuty raat", "voedin gssup plement", "ingre-\\ndiënten") are joined, and words
merged with a following function word ("capsuleper", "géluleparjour") are split.

`correct_text` returns the corrected text with a map back to the printed text, so every span and
every piece of evidence the parser finds can show what was printed, not what it was read as.
"""
from __future__ import annotations

import functools
import re
import re._constants as _sre  # the regex parser (CPython 3.11+) reads the words out of reference regexes
import re._parser as _sre_parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from checker.parsing._text import cached, flatten
from checker.reference import ReferenceData
from checker.textnorm import fold

PROTECTED_WORDS = Path(__file__).with_name("protected_words.txt")
MIN_TARGET_LEN = 4  # shorter vocabulary words are known words, never targets of a correction
MIN_FUZZY_LEN = 5  # shorter tokens are corrected only when their skeleton matches exactly
MIN_JOIN_LEN = 7  # a join of split pieces must be at least this long
MIN_PREFIX_LEN = 5  # word starts of regexes ("psoria") shorter than this are not matched
SHORT_STUB = 3  # a known word this short may still be the first piece of a split word ("Wei zenstärke")
MAX_JOIN_PIECES = 4
MAX_SPLIT_PIECES = 4
MAX_SEGMENTATIONS = 6
MIN_SPLIT_LEN = 6
_GROUPS = (_sre.BRANCH, _sre.SUBPATTERN, _sre.MAX_REPEAT, _sre.MIN_REPEAT)
MAX_CLASS_LETTERS = 5  # a larger character class stands for any letter
MAX_EXPANSIONS = 400  # strings read out of one reference regex
_WILD = "\x00"  # a part of a regex that stands for any text (\w*, .{0,40})

# a token with digits or marks is a word only when they stand for letters (l/I/1, O/0, S/5, B/8, e/®)
_JUNK_OK = re.compile(r"[a-z01589|!\\®€¢©$]+")
# characters OCR puts inside words for letters: | ! \ for l/I, ® € ¢ © for e/c, $ for s
_TOKEN = re.compile(r"[^\W_]+(?:[|!\\®€¢©$][^\W_]*)*|[|!\\][^\W_]+(?:[|!\\®€¢©$][^\W_]*)*")
# what may stand between the pieces of a word OCR split: spaces, a line break (after a hyphen), junk
_GAP = re.compile(r"[ \t]{1,2}|[ \t]*-?[ \t]*\n[ \t]*|[ \t]?[{}~^`][ \t]?")
_HAS_LETTER = re.compile(r"[a-z]")
_PAREN_C = re.compile(r"\( ?(?=[a-z])")
_SPACE_ONLY = re.compile(r"[ \t]*\n?[ \t]*")
_ESZETT_B = re.compile(r"([a-zäöü])B(?=[a-zäöü])")
# "E55!", "E 47Ob", "E-3O6": an E-number with OCR letters for digits
_E_CODE = re.compile(r"(?<![\w])([Ee][ -]?)([0-9OoIl|!SB]{3,4})(?![0-9OoIl|!SB])")
_E_DIGITS = str.maketrans("OoIl|!SB", "00111158")

_SKELETON_MULTI = (("rn", "m"),)
_SKELETON_CHARS = str.maketrans({
    "i": "l", "1": "l", "|": "l", "!": "l", "j": "l", "\\": "l", "/": "l",
    "0": "o", "°": "o", "ø": "o",
    "5": "s", "$": "s",
    "9": "g", "q": "g",
    "8": "b",
    "c": "e", "®": "e", "€": "e", "¢": "e", "©": "e",
})

# glyph pairs read as one glyph or the other way round; tried when the plain skeleton finds nothing
_GLYPH_SLIPS = (("ii", "u"), ("k", "lt"), ("cl", "d"), ("li", "h"), ("h", "li"), ("h", "ri"))
# what plurals, cases and genders add to a word in the four languages ("capsule-s", "kapsel-n", "vivant-e-s")
_ENDINGS = frozenset("s es e en n er ern em nen r x ee ees ne nes te tes".split())
_STRONG_CHARS = str.maketrans({"i": "l", "1": "l", "|": "l", "!": "l", "0": "o", "5": "s"})

# short words of the four languages that are never corrected and may be split off a merged word
_EXTRA_KNOWN = """a à au aux de des du d l la le les et ou un une en het een van op in is te of met
    die der das dem den und oder mit von zu im am an auf aus bei per par pro pour sur avec dans and or
    the to with for on at by as if do not no use take keep store dag jour tag day out off up all any its
    has was may can but nor via zum zur vom ins sous chez pas plus uit naar ook nog once twice thrice
    daily times keer maal fois mal""".split()


@dataclass(frozen=True)
class Correction:
    """One printed word (or split word) read as a vocabulary word."""

    start: int  # span of the printed word in the source text
    end: int
    printed: str
    word: str


@dataclass(frozen=True)
class Corrected:
    """The corrected text with, per character, the span of the source it was read from."""

    text: str
    source: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    corrections: tuple[Correction, ...] = ()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source span of text[start:end]."""
        if not self.corrections:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.source)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def printed(self, start: int, end: int) -> str:
        """The source text behind text[start:end]."""
        s, e = self.span(start, end)
        return self.source[s:e]

    def locate(self, evidence: str, lo: int = 0, hi: int | None = None) -> tuple[int, int] | None:
        """Span in the corrected text of an evidence string (whitespace flattened) within [lo, hi)."""
        words = evidence.split()
        if not words:
            return None
        rx = re.compile(r"\s+".join(map(re.escape, words)))
        m = rx.search(self.text, lo, len(self.text) if hi is None else hi)
        return (m.start(), m.end()) if m else None

    def touched(self, start: int, end: int) -> bool:
        """Does text[start:end] hold a corrected word?"""
        if not self.corrections or end <= start:
            return False
        s, e = self.span(start, end)
        return any(c.start < e and s < c.end for c in self.corrections)

    def restore(self, evidence: str | None, lo: int = 0, hi: int | None = None) -> str | None:
        """The printed text behind an evidence string taken from the corrected text (whitespace
        flattened, maybe clipped with "…"); unchanged when it holds no correction or is not found."""
        if not evidence or not self.corrections:
            return evidence
        clipped = evidence.endswith("…")
        found = self.locate(evidence[:-1] if clipped else evidence, lo, hi)
        if found is None or not self.touched(*found):
            return evidence
        printed = flatten(self.printed(*found))
        return printed + "…" if clipped else printed


def unchanged(text: str) -> Corrected:
    """A Corrected that changes nothing."""
    return Corrected(text, text, (), (), ())


# ---------------------------------------------------------------- vocabulary
@dataclass(frozen=True)
class Vocabulary:
    """Folded vocabulary words: known (left alone), targets (a noisy word may be read as one)."""

    known: frozenset[str]
    function_words: frozenset[str]
    targets: frozenset[str]
    sensitive: frozenset[str]  # words that alone decide an error or an allergen: stricter matching
    capitalised: frozenset[str]  # genus names: only a capitalised word is read as one
    by_skeleton: dict[str, str | None]  # skeleton -> target (None when two targets share it)
    by_length: dict[int, tuple[list[str], list[str]]]  # skeleton length -> (skeletons, targets)
    bigrams: frozenset[tuple[str, str]] = frozenset()  # word pairs of the reference phrases
    prefixes: tuple[str, ...] = ()  # word starts of the regexes ("psoria" of psoria\w*), longest first
    protected: frozenset[str] = frozenset()  # real words near a target: never corrected
    protected_skeletons: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return (f"Vocabulary({len(self.known)} known, {len(self.targets)} targets, "
                f"{len(self.protected)} protected)")

    def without_protection(self) -> Vocabulary:
        """The same vocabulary without the protected real words (to compute them)."""
        return replace(self, protected=frozenset(), protected_skeletons=frozenset())


def strong_skeleton(word: str) -> str:
    """A folded word with only the surest OCR confusions mapped (l/I/1/|/!, O/0, rn/m, S/5)."""
    for a, b in _SKELETON_MULTI:
        word = word.replace(a, b)
    return word.translate(_STRONG_CHARS)


def skeleton(word: str) -> str:
    """A folded word with the usual OCR confusions mapped to one character (for comparison only)."""
    for a, b in _SKELETON_MULTI:
        word = word.replace(a, b)
    return word.translate(_SKELETON_CHARS)


def regex_words(pattern: str) -> tuple[set[str], set[str]]:
    """(whole words, partial words) a reference regex spells out: '(?:aanbevolen )?dagdosis' ->
    {aanbevolen, dagdosis}; 'psoria\\w*' -> partial {psoria}."""
    whole: set[str] = set()
    partial: set[str] = set()
    for s in _expansions(pattern):
        for m in re.finditer(r"[a-z]+", s):
            before = s[m.start() - 1] if m.start() else " "
            after = s[m.end()] if m.end() < len(s) else " "
            (partial if _WILD in (before, after) else whole).add(m.group())
    return whole, partial


def regex_phrases(pattern: str, min_len: int = 12) -> list[str]:
    """The literal phrases (at least min_len long, words only) a reference regex spells out:
    'niet (?:te )?overschrijden' -> ['niet overschrijden', 'niet te overschrijden']."""
    out: list[str] = []
    for s in _expansions(pattern):
        pieces = s.split(_WILD)
        for k, piece in enumerate(pieces):
            words = re.findall(r"[a-z]+", piece)
            if k > 0 and piece[:1].isalpha():
                words = words[1:]  # "\w*tablett": the end of an unknown word
            if k < len(pieces) - 1 and piece[-1:].isalpha():
                words = words[:-1]  # "psoria\w*": the start of one
            phrase = " ".join(words)
            if phrase and len(phrase) >= min_len and phrase not in out:
                out.append(phrase)
    return out


@functools.lru_cache(maxsize=4096)
def _expansions(pattern: str) -> tuple[str, ...]:
    """The strings a regex spells out (up to MAX_EXPANSIONS), wildcards marked with _WILD."""
    try:
        return tuple(_expand(list(_sre_parse.parse(pattern))))
    except re.error:
        return ()


def _expand(items: list) -> list[str]:  # noqa: ANN401 - sre parse tree
    out = [""]
    for op, av in items:
        options = _expand_item(op, av)
        out = [a + b for a in out for b in options][:MAX_EXPANSIONS]
    return out


def _expand_item(op, av) -> list[str]:  # noqa: ANN001 - sre parse tree
    if op == _sre.BRANCH:
        return [s for alt in av[1] for s in _expand(list(alt))][:MAX_EXPANSIONS]
    if op == _sre.SUBPATTERN:
        return _expand(list(av[-1]))
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        lo, hi, sub = av
        sub = list(sub)
        if len(sub) == 1 and sub[0][0] not in _GROUPS:
            ch = _char(*sub[0])
            if ch in (" ", _WILD) or hi > 1 and lo == 0 and not ch.isalpha():
                return [ch]
            return ([""] if lo == 0 else []) + [ch]  # "s?", "[e3c]+": none or one of them
        return ([""] if lo == 0 else []) + _expand(sub)
    return [_char(op, av)]


def _char(op, av) -> str:  # noqa: ANN001 - sre parse tree
    """One character of a regex item: a letter, a separator " ", a word wildcard, or "" (assertions)."""
    if op == _sre.LITERAL:
        return chr(av)
    if op in (_sre.NOT_LITERAL, _sre.ANY):
        return " "
    if op == _sre.CATEGORY:
        return _WILD if av == _sre.CATEGORY_WORD else " "
    if op == _sre.IN:
        return _class_char(av)
    return ""  # AT, ASSERT, ASSERT_NOT


def _class_char(items) -> str:  # noqa: ANN001 - sre parse tree
    """A representative of a character class: its first letter when small, else a wildcard or separator."""
    if any((op == _sre.LITERAL and chr(av).isspace()) or (op == _sre.CATEGORY and av != _sre.CATEGORY_WORD)
           or op == _sre.NEGATE for op, av in items):
        return " "  # "[\\w ,/-]", "[^a-z]": may hold a space, so it separates words
    if any(op == _sre.CATEGORY or (op == _sre.RANGE and chr(av[0]).isalpha()) for op, av in items):
        return _WILD
    letters = [chr(av) for op, av in items if op == _sre.LITERAL]
    if len(letters) > MAX_CLASS_LETTERS:
        return _WILD
    return next((c for c in letters if c.isalpha()), " ")


def _name_words(names: Iterable[str]) -> set[str]:
    return {w for n in names for w in re.findall(r"[a-z]+", fold(n))}


def regex_prefixes(pattern: str) -> set[str]:
    """Word starts a regex spells out before a wildcard: 'psoria\\w*' -> {psoria}."""
    out = set()
    for s in _expansions(pattern):
        for m in re.finditer(r"(?<![a-z\x00])[a-z]+(?=\x00)", s):
            out.add(m.group())
    return out


def _pairs(words: list[str]) -> list[tuple[str, str]]:
    return list(zip(words, words[1:], strict=False))


def _pattern_words(patterns: Iterable[str]) -> tuple[set[str], set[str]]:
    whole: set[str] = set()
    partial: set[str] = set()
    for p in patterns:
        w, pw = regex_words(p)
        whole |= w
        partial |= pw
    return whole, partial


def _phrase_patterns(ref: ReferenceData) -> list[str]:
    """The regexes of the label's phrases (not the diseases): sections, particulars, claim verbs and
    disclaimers, microbe states, quality marks, unit words,
    day-dose words."""
    from checker.parsing.serving import DAY_DOSE_PHRASES, UNIT_WORDS

    sets = [*ref.sections.values(), *ref.particulars.values()]
    patterns = [p for ps in sets for p in ps.patterns.all()]
    patterns += ref.claims.verbs.patterns.all() + ref.claims.disclaimers.patterns.all()
    for ps in (ref.microbes.inactivated, ref.microbes.live, ref.microbes.postbiotic):
        patterns += ps.patterns.all()
    return patterns + [q.pattern for q in ref.quality] + [p for p, _ in UNIT_WORDS] + list(DAY_DOSE_PHRASES)


def _printed_names(ref: ReferenceData) -> list[str]:
    """Names of several words whose word pairs make phrases ("butyrate de sodium", "dioxyde de silicium")."""
    return ([n for add in ref.additives for n in add.names.all()]
            + [n for form in ref.butyrate_forms for n in form.names.all()]
            + [n for fc in ref.function_classes for n in fc.names.all()])


def _build(ref: ReferenceData) -> Vocabulary:
    from checker.parsing.language import FUNCTION_WORDS
    from checker.parsing.serving import NUMBER_WORDS

    patterns = _phrase_patterns(ref)
    phrase_words, partial = _pattern_words(patterns)
    disease_words, disease_partial = _pattern_words(ref.claims.diseases.patterns.all())
    names, banned, allergen_words = set(), set(), set()
    for add in ref.additives:
        (banned if add.banned_eu else names).update(_name_words(add.names.all()))
    for al in ref.allergens:
        allergen_words |= _name_words(al.names.all() + al.triggers + al.whole_word_triggers)
        names |= _name_words(al.exemptions)
    for fc in ref.function_classes:
        names |= _name_words((fc.id, *fc.names.all()))
    for form in ref.butyrate_forms:
        names |= _name_words(form.names.all())
    genera = _name_words(ref.microbes.genera)
    names |= genera | _name_words(ref.microbes.species) | _name_words(ref.nutrients)
    function_words = {w for words in FUNCTION_WORDS.values() for w in words} | set(_EXTRA_KNOWN) \
        | set(NUMBER_WORDS)
    plain = phrase_words | names | disease_words | allergen_words | banned
    targets = frozenset(w for w in plain if len(w) >= MIN_TARGET_LEN)
    bigrams = {pair for p in patterns for phrase in regex_phrases(p, 0) for pair in _pairs(phrase.split())}
    bigrams |= {pair for n in _printed_names(ref) for pair in _pairs(re.findall(r"[a-z]+", fold(n)))}
    prefixes = {w for p in [*patterns, *ref.claims.diseases.patterns.all()] for w in regex_prefixes(p)
                if len(w) >= MIN_PREFIX_LEN}
    protected = load_protected()
    ordinary = phrase_words | names | function_words
    return Vocabulary(
        known=frozenset(plain | partial | disease_partial | function_words),
        function_words=frozenset(function_words), targets=targets,
        # a word is sensitive when only sensitive things use it ("titaandioxide", "psoriasis", "weizen")
        sensitive=frozenset((disease_words | allergen_words | banned) - ordinary),
        capitalised=frozenset(genera - phrase_words), by_skeleton=_by_skeleton(targets),
        by_length=_by_length(targets), bigrams=frozenset(bigrams),
        prefixes=tuple(sorted(prefixes, key=len, reverse=True)),
        protected=protected, protected_skeletons=frozenset(map(skeleton, protected)))


def _by_skeleton(targets: Iterable[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for w in sorted(targets):
        sk = skeleton(w)
        out[sk] = w if out.get(sk, w) == w else None  # two targets with one skeleton: ambiguous
    return out


def _by_length(targets: Iterable[str]) -> dict[int, tuple[list[str], list[str]]]:
    out: dict[int, tuple[list[str], list[str]]] = {}
    for w in sorted(targets):
        sk = skeleton(w)
        bucket = out.setdefault(len(sk), ([], []))
        bucket[0].append(sk)
        bucket[1].append(w)
    return out


def load_protected(path: Path = PROTECTED_WORDS) -> frozenset[str]:
    """Real words (Tesseract's word lists of the four languages) that lie near a vocabulary word."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return frozenset(w for line in lines if not line.startswith("#") for w in line.split())
    except FileNotFoundError:
        return frozenset()


def vocabulary(ref: ReferenceData) -> Vocabulary:
    """The vocabulary of `ref`, built once per reference object; for the cache-backed default reference
    read from the on-disk cache when neither the reference nor the parser's code changed."""
    return cached(ref, "fuzzy-vocabulary", _load_or_build)


def _load_or_build(ref: ReferenceData) -> Vocabulary:
    from checker import cache
    from checker.reference import reference_key

    ref_key = reference_key(ref)
    if ref_key is None:
        return _build(ref)
    # the vocabulary also depends on the parser's word lists (function words, unit words, protected words)
    here = Path(__file__).resolve().parent
    sources = sorted([*here.glob("*.py"), *here.glob("*.txt"), here.parent / "textnorm.py"])
    try:
        key = cache.fingerprint("fuzzy-vocabulary", ref_key, *cache.file_parts(sources))
    except OSError:
        return _build(ref)
    vocab = cache.load("fuzzy-vocabulary", key)
    if not isinstance(vocab, Vocabulary):
        vocab = _build(ref)
        cache.store("fuzzy-vocabulary", key, vocab)
    return vocab


# ---------------------------------------------------------------- matching one word
def allowed_edits(length: int, junk: bool = False) -> int:
    """Edits (after the confusion skeleton) tolerated in a word of this length; `junk`: the word holds
    characters no word has (digits, | ! \\ ®), so it surely is an OCR slip."""
    if length < MIN_FUZZY_LEN:
        return 0
    if length < 7:
        return 1 if junk else 0
    if length < 10:
        return 1
    if length < 14:
        return 2
    return 3


_MEMO: dict[tuple[int, str, int], str | None] = {}


def match_word(token: str, vocab: Vocabulary, *, margin: int = 0) -> str | None:
    """The vocabulary word a folded token was meant to be, or None (a known or protected word, nothing
    near enough, or two targets equally near); `margin` allows more edits (to find protected words)."""
    key = (id(vocab), token, margin)
    if key not in _MEMO:
        if len(_MEMO) > 50_000:
            _MEMO.clear()
        _MEMO[key] = _match(token, vocab, margin)
    return _MEMO[key]


def _match(token: str, vocab: Vocabulary, margin: int) -> str | None:
    if token in vocab.known or token in vocab.protected or not _HAS_LETTER.search(token):
        return None
    junk = not token.isalpha()
    if junk and not _JUNK_OK.fullmatch(token):
        return None  # "lp299v", "e551x": codes, not words
    sk = skeleton(token)
    if sk not in vocab.by_skeleton:  # "capsiiles" (u as ii), "hakbar" (lt as k), "taghch", "thbutyrine"
        sk = next((c for c in map(skeleton, _slipped(token)) if c in vocab.by_skeleton), sk)
    if sk in vocab.by_skeleton:  # only the usual confusions: "Buty1ate", "rnagnesium"
        hit = vocab.by_skeleton[sk]
        strict = hit in vocab.sensitive and len(token) < 6 and not junk
        ok = hit is not None and len(token) >= 3 and not strict and not _inflection(token, hit)
        return hit if ok else None
    if junk and (start := _prefix_slip(token, vocab)):  # "psor1asis" for a psoria\w* pattern
        return start + token[len(start):]
    edits = allowed_edits(len(sk), junk) + margin
    if edits == 0 or sk in vocab.protected_skeletons:
        return None
    best = _nearest(sk, vocab, edits, token)
    if best is None:
        return None
    word, dist = best
    if word in vocab.sensitive and (dist > 1 + margin or len(token) < 6):
        return None
    return None if _inflection(token, word) else word


def _slipped(token: str) -> Iterator[str]:
    """The token with the glyph slips undone: each slip everywhere, then at one place at a time (a word
    may hold the glyph pair once as printed and once as a slip: "taghch" for "täglich")."""
    for seen, meant in _GLYPH_SLIPS:
        if seen not in token:
            continue
        yield token.replace(seen, meant)
        if token.count(seen) > 1:
            for m in re.finditer(re.escape(seen), token):
                yield token[:m.start()] + meant + token[m.end():]


def _prefix_slip(token: str, vocab: Vocabulary) -> str | None:
    """A regex word start that the token begins with, up to the surest confusions (l/I/1, O/0)."""
    strong = strong_skeleton(token)
    return next((p for p in vocab.prefixes if len(token) > len(p) and not token.startswith(p)
                 and strong.startswith(strong_skeleton(p)) and token[len(p):].isalpha()), None)


def _nearest(sk: str, vocab: Vocabulary, edits: int, token: str) -> tuple[str, int] | None:
    """The one target whose skeleton is within `edits` of sk; of two equally near, the one nearer to the
    printed token ("butyrale": butyrate, not butyric); None when none, or a tie remains."""
    found: list[tuple[int, int, str]] = []
    for length in range(len(sk) - edits, len(sk) + edits + 1):
        bucket = vocab.by_length.get(length)
        if not bucket:
            continue
        for _, dist, i in process.extract(sk, bucket[0], scorer=Levenshtein.distance, score_cutoff=edits,
                                          limit=3):
            word = bucket[1][i]
            found.append((int(dist), Levenshtein.distance(token, word), word))
    if not found:
        return None
    found.sort()
    best = found[0]
    if any(d == best[0] and raw == best[1] and w != best[2] for d, raw, w in found[1:]):
        return None
    return best[2], best[0]


def _inflection(token: str, word: str) -> bool:
    """"supplements" / "supplement", "kapsel" / "kapseln": another form of a word, not an OCR slip (a
    lost last letter that no inflection adds is a slip: "paracase", "dagdoserin")."""
    short, long = sorted((token, word), key=len)
    return long.startswith(short) and long[len(short):] in _ENDINGS


# ---------------------------------------------------------------- the text
@dataclass(frozen=True)
class Token:
    """A word of the text: its span, the printed characters and their folded form."""

    start: int
    end: int
    printed: str
    folded: str


def _tokens(text: str, vocab: Vocabulary) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text):
        start, folded = m.start(), fold(m.group())
        paren = _PAREN_C.search(text, max(0, start - 2), start + 1)
        if paren and paren.end() == start and folded not in vocab.known and "c" + folded in vocab.known \
                and ")" not in text[m.end():text.find("\n", m.end()) % (len(text) + 1)]:
            start, folded = paren.start(), "c" + folded  # "May ( ontain": an unclosed "(" is a C
        out.append(Token(start, m.end(), text[start:m.end()], folded))
    return out


def _cased(printed: str, word: str) -> str:
    """The vocabulary word in the printed word's case ("NATRIUM", "Natrium", "natrium")."""
    letters = [c for c in printed if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if letters and letters[0].isupper():
        return word[:1].upper() + word[1:]
    return word


def _known(token: Token, vocab: Vocabulary) -> bool:
    return token.folded in vocab.known or token.folded in vocab.protected


def _whole_word(token: Token, vocab: Vocabulary) -> bool:
    """A word of its own, never a piece of a split word: a vocabulary word, or a real word of 5+ letters
    ("raat" may be the end of "butyraat")."""
    return token.folded in vocab.known or (token.folded in vocab.protected and len(token.folded) > 4)


def _read_as(token: Token, word: str | None, vocab: Vocabulary) -> str | None:
    """A match, unless it is a genus name and the printed word is not capitalised."""
    if word is None or (word in vocab.capitalised and not token.printed[:1].isupper()):
        return None
    return word


def _joinable(text: str, a: Token, b: Token) -> bool:
    """May b be the rest of a word that OCR split after a? Only lower-case rests (not "B.V.", "VT-52")."""
    if not _GAP.fullmatch(text[a.end:b.start]) or not _HAS_LETTER.search(b.folded):
        return False
    if a.printed.isupper() and len(a.printed) > 1:
        return b.printed.isupper() or not b.printed[:1].isalpha()
    return b.printed[:1].islower() or not b.printed[:1].isalpha()


def _try_join(text: str, tokens: list[Token], i: int, vocab: Vocabulary) -> tuple[int, str] | None:
    """The longest run tokens[i:j] (2..4 pieces, none a word of its own) that reads as one vocabulary
    word, or as a compound of vocabulary words ("Wei zenstärke": Weizenstärke, not whey): (j, word)."""
    first = tokens[i]
    stub = first.folded in vocab.known and len(first.folded) <= SHORT_STUB  # "wei", "ei", "de"
    if (_whole_word(first, vocab) and not stub) or not _HAS_LETTER.search(first.folded):
        return None
    alone = match_word(first.folded, vocab)
    best: tuple[int, str] | None = None
    for j in range(i + 2, min(len(tokens), i + MAX_JOIN_PIECES) + 1):
        piece = tokens[j - 1]
        if not _joinable(text, tokens[j - 2], piece) or _whole_word(piece, vocab):
            break
        joined = "".join(t.folded for t in tokens[i:j])
        if len(joined) < MIN_JOIN_LEN:
            continue
        exact = joined in vocab.targets or (joined in vocab.known and joined not in vocab.function_words) \
            or _compound(joined, vocab)
        word = joined if exact else None if stub else _read_as(first, match_word(joined, vocab), vocab)
        if word is not None and word != alone:
            best = (j, word)
    return best


def _compound(word: str, vocab: Vocabulary) -> bool:
    """A compound of content words the vocabulary knows ("weizenstarke", "kapselhulle")."""
    return any(len(pieces) >= 2 and not any(p in vocab.function_words for p in pieces)
               for pieces in _segments(word, vocab))


def split_word(token: Token, vocab: Vocabulary, *, phrases: bool = True) -> list[str] | None:
    """Known words a merged token is made of: "capsuleper" -> capsule per, "Aconsommer" -> a consommer,
    "consommerde" -> consommer de, "uberschrittenwerden" -> uberschritten werden; `phrases`: a pair of
    words that makes a reference phrase may be split even when neither is a function word."""
    word = token.folded
    if len(word) < MIN_SPLIT_LEN or not word.isalpha():
        return None
    options = _segments(word, vocab)
    for pieces in sorted(options, key=lambda ps: not all(pair in vocab.bigrams for pair in _pairs(ps))):
        if len(pieces) >= 2 and all(_may_meet(p, q, n == 0, vocab, phrases)
                                    for n, (p, q) in enumerate(_pairs(pieces))):
            return pieces
    return None


def _may_meet(p: str, q: str, first: bool, vocab: Vocabulary, phrases: bool) -> bool:
    """May two known words have lost the space between them? When they make a reference phrase, when one
    is a function word of 3+ letters, or for "a"/"l"/"de" before a content word at the start ("l|acide");
    not "supplement|en", "kapsel|n" (word endings)."""
    if phrases and (p, q) in vocab.bigrams:
        return True
    fw = vocab.function_words
    if (p in fw and len(p) >= 3) or (q in fw and len(q) >= 3):
        return True
    return first and p in fw and q not in fw and len(q) >= MIN_TARGET_LEN


def _segments(word: str, vocab: Vocabulary) -> list[list[str]]:
    """The ways (fewest pieces, a few) to cut a word into known pieces: content words of 4+ letters,
    function words (one letter only at the start)."""
    n = len(word)
    best: list[list[list[str]]] = [[] for _ in range(n + 1)]
    best[0] = [[]]
    for end in range(1, n + 1):
        for start in range(max(0, end - 30), end):
            if not best[start] or len(best[start][0]) >= MAX_SPLIT_PIECES:
                continue
            piece = word[start:end]
            if piece in vocab.function_words:
                ok = len(piece) >= 2 or start == 0
            else:
                ok = len(piece) >= MIN_TARGET_LEN and piece in vocab.known
            if not ok:
                continue
            size = len(best[start][0]) + 1
            if not best[end] or size < len(best[end][0]):
                best[end] = [prev + [piece] for prev in best[start][:MAX_SEGMENTATIONS]]
            elif size == len(best[end][0]):
                best[end] += [prev + [piece] for prev in best[start][:MAX_SEGMENTATIONS]]
    return best[n][:MAX_SEGMENTATIONS]


def _eszett(token: Token, vocab: Vocabulary) -> str | None:
    """"AuBerhalb" -> "ausserhalb": a capital B inside a lower-case word is an OCR'd ß."""
    if not _ESZETT_B.search(token.printed):
        return None
    word = fold(_ESZETT_B.sub(lambda m: m.group(1) + "ss", token.printed))
    return word if word in vocab.known else None


@dataclass
class _Read:
    """How one printed word (or split word) of the text is read."""

    start: int
    end: int
    printed: str
    word: str  # folded; the vocabulary word when corrected
    changed: bool = False


def _first_pass(text: str, tokens: list[Token], vocab: Vocabulary) -> list[_Read]:
    """Each word on its own: joins of split words, splits of merged words, OCR slips."""
    reads: list[_Read] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        joined = _try_join(text, tokens, i, vocab)
        if joined is not None:
            j, word = joined
            reads.append(_Read(tok.start, tokens[j - 1].end, tok.printed, word, True))
            i = j
            continue
        i += 1
        word = None
        if not _known(tok, vocab):
            pieces = split_word(tok, vocab)
            word = " ".join(pieces) if pieces else _eszett(tok, vocab) or _read_as(
                tok, match_word(tok.folded, vocab), vocab)
        rewritten = tok.printed.startswith("(")  # the tokenizer read "( ontain" as "contain"
        changed = word is not None or rewritten
        reads.append(_Read(tok.start, tok.end, tok.printed, word or tok.folded, changed))
    return reads


def _context_pass(text: str, reads: list[_Read], vocab: Vocabulary) -> None:
    """A word still unknown is read as a vocabulary word one edit further away when that word and its
    neighbour make a phrase of the reference ("dart nicht" -> "darf nicht", "dose journahere")."""
    for n, r in enumerate(reads):
        if r.changed or r.word in vocab.known or len(r.word) < 3 or not _JUNK_OK.fullmatch(r.word):
            continue
        left = reads[n - 1] if n and _SPACE_ONLY.fullmatch(text[reads[n - 1].end:r.start]) else None
        right = reads[n + 1] if n + 1 < len(reads) and _SPACE_ONLY.fullmatch(text[r.end:reads[n + 1].start]) \
            else None
        if not ((left and left.word in vocab.known) or (right and right.word in vocab.known)):
            continue
        sk = skeleton(r.word)
        edits = max(1, allowed_edits(len(sk), not r.word.isalpha()) + 1)
        fits = {w for w in _candidates(sk, vocab, edits)
                if w not in vocab.sensitive and not _inflection(r.word, w)
                and _in_phrase(left, w, right, vocab)}
        if len(fits) == 1:
            r.word, r.changed = fits.pop(), True
        elif right is not None and r.word.isalpha() and (tail := _phrase_tail(r.word, right.word, vocab)):
            r.word, r.changed = r.word[:-len(tail)] + " " + tail, True  # "Tenirhors de portée"
    _context_joins(text, reads, vocab)


def _phrase_tail(word: str, following: str, vocab: Vocabulary) -> str | None:
    """The end of a word that is a vocabulary word starting a reference phrase with the next word, after
    a head of 3+ letters ("tenirhors" + "de" -> "hors"): a space OCR lost."""
    for cut in range(3, len(word) - 2):
        tail = word[cut:]
        if (tail, following) in vocab.bigrams and tail not in vocab.function_words:
            return tail
    return None


def _context_joins(text: str, reads: list[_Read], vocab: Vocabulary) -> None:
    """Two unknown pieces read as one vocabulary word one edit further away when it makes a phrase with a
    neighbour: "Do not exe ged" -> "exceed", "traces" from "tras es"."""
    n = 1
    while n + 1 < len(reads):
        a, b = reads[n], reads[n + 1]
        left = reads[n - 1]
        right = reads[n + 2] if n + 2 < len(reads) else None
        unknown = not (a.changed or b.changed or a.word in vocab.known or b.word in vocab.known)
        if unknown and _GAP.fullmatch(text[a.end:b.start]) and left.word in vocab.known \
                and _SPACE_ONLY.fullmatch(text[left.end:a.start]) and b.printed[:1].islower():
            joined = a.word + b.word
            sk = skeleton(joined)
            edits = max(1, allowed_edits(len(sk)) + 1)
            fits = {w for w in _candidates(sk, vocab, edits)
                    if w not in vocab.sensitive and _in_phrase(left, w, right, vocab)}
            if len(fits) == 1:
                reads[n:n + 2] = [_Read(a.start, b.end, a.printed, fits.pop(), True)]
        n += 1


def _in_phrase(left: _Read | None, word: str, right: _Read | None, vocab: Vocabulary) -> bool:
    """Does the word make a reference phrase with the word before or after it?"""
    before = left is not None and (left.word, word) in vocab.bigrams
    return before or (right is not None and (word, right.word) in vocab.bigrams)


def _candidates(sk: str, vocab: Vocabulary, edits: int) -> list[str]:
    out: list[str] = []
    for length in range(len(sk) - edits, len(sk) + edits + 1):
        bucket = vocab.by_length.get(length)
        if bucket:
            out += [bucket[1][i] for _, _, i in process.extract(sk, bucket[0], scorer=Levenshtein.distance,
                                                                score_cutoff=edits, limit=8)]
    return out


def _edits(text: str, vocab: Vocabulary) -> Iterator[tuple[int, int, str]]:
    """(start, end, replacement) for every correction of the text, in order, not overlapping."""
    reads = _first_pass(text, _tokens(text, vocab), vocab)
    _context_pass(text, reads, vocab)
    for r in reads:
        if r.changed:
            yield r.start, r.end, _cased(r.printed, r.word)


def _e_code_edits(text: str) -> Iterator[tuple[int, int, str]]:
    for m in _E_CODE.finditer(text):
        code = m.group(2)
        if sum(c.isdigit() for c in code) >= 2 and not code.isdigit():
            yield m.start(2), m.end(2), code.translate(_E_DIGITS)


def correct_text(text: str, ref: ReferenceData) -> Corrected:
    """Read OCR-damaged words of `text` as the vocabulary words they were meant to be."""
    vocab = vocabulary(ref)
    edits = sorted(list(_edits(text, vocab)) + list(_e_code_edits(text)))
    kept: list[tuple[int, int, str]] = []
    for s, e, r in edits:
        if kept and s < kept[-1][1]:
            continue
        if text[s:e] != r:
            kept.append((s, e, r))
    if not kept:
        return unchanged(text)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for s, e, r in kept:
        parts.append(text[pos:s])
        starts.extend(range(pos, s))
        ends.extend(range(pos + 1, s + 1))
        parts.append(r)
        for k in range(len(r)):  # spread the printed span over the replacement
            starts.append(s + (k * (e - s)) // len(r))
            ends.append(s + -(-(k + 1) * (e - s) // len(r)))
        pos = e
    parts.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    corrections = tuple(Correction(s, e, text[s:e], r) for s, e, r in kept)
    return Corrected("".join(parts), text, tuple(starts), tuple(ends), corrections)


__all__ = ["Corrected", "Correction", "Vocabulary", "allowed_edits", "correct_text", "match_word",
           "regex_words", "skeleton", "unchanged", "vocabulary"]
