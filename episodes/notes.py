"""Danger words in a parent's free-text notes (CLINICAL.md 3a, EP-NOTES-DANGER).

Pure Python, no ORM and no model: plain words and phrases per language, with the
simple negation handling CLINICAL.md describes. "no fever" or "not blue" does not
raise; a phrase that is a danger in itself ("not breathing", "no response",
"wouldn't wake") always does. The reading returns the words it matched, so the
answer can show the parent exactly what was read.

Word lists are data keyed by language code. Adding a language (issue 13: Spanish)
means adding one ``LanguageWords`` entry to ``LANGUAGES``; every language is read
on every note, because a parent may write in any of them whatever the page language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# What a note can name. Sign codes are those of episodes.triage.SIGNS; "minutes" is a
# duration given in minutes, which the report's duration field may contradict.
MINUTES = "minutes"
NOTE_KEYS: tuple[str, ...] = (
    "breathing_difficulty",
    "color_change",
    "unresponsive",
    "stiffening",
    "eyes_rolling_or_fixed",
    "fever",
    MINUTES,
)


@dataclass(frozen=True)
class LanguageWords:
    """One language's word lists.

    ``always``: patterns that raise whatever comes before them (their own words hold
    the negation). ``dangers``: patterns that raise unless a negation from
    ``negations`` stands among the ``window`` words just before, in the same clause.
    ``clause_breaks`` end a clause ("no fever but stiff": the "no" does not reach "stiff").
    ``minute_numbers`` maps number words to minutes, for the duration check.
    Patterns are regular expressions over the normalised text (lower case, plain
    apostrophes, single spaces) and match whole words.
    """

    always: Mapping[str, tuple[str, ...]]
    dangers: Mapping[str, tuple[str, ...]]
    negations: frozenset[str]
    negation_suffixes: tuple[str, ...]
    clause_breaks: frozenset[str]
    minute_numbers: Mapping[str, int]
    # Words that turn a negation into doubt ("not sure if she was stiff"): doubt raises.
    uncertain: frozenset[str] = frozenset()
    window: int = 3
    # The only words a negation reaches across to a danger after it: articles, pronouns,
    # "was", "went", "of", "or"... and other danger words ("no fever or stiffness"). Any
    # other word ends its reach, so "no cried turned blue" or "no lloró se puso morado",
    # typed without a comma, still raises. Design choice: CLINICAL.md 3a lets only a simple
    # negation just before the word silence it; when the words between are not plainly
    # part of that negation, the rule raises (a clinician then reads the note).
    bridges: frozenset[str] = frozenset()
    # Words for an hour: a duration given in hours counts as its minutes ("for an hour" is
    # 60 minutes), so a report that says 20 s with a note of an hour still raises.
    hour_words: frozenset[str] = frozenset()


_EN_NUMBERS: Mapping[str, int] = MappingProxyType({
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20,
    "few": 2, "a few": 2, "couple": 2, "a couple of": 2, "several": 3,
})
_EN_COUNT = (
    r"(?:\d+(?:[.,]\d+)?|a few|a couple of|an?|one|two|three|four|five|six|seven|eight"
    r"|nine|ten|fifteen|twenty|few|couple|several)"
)

ENGLISH = LanguageWords(
    always=MappingProxyType({
        "breathing_difficulty": (
            r"(?:not|stopped|stop|stops|wasn't|was not|isn't|wasnt|quit|quits|no) breathing",
            r"(?:didn't|did not|didnt|couldn't|could not|can't|cannot|wouldn't) breathe",
            r"stopped breathing", r"no breath(?:s|ing)?",
        ),
        "unresponsive": (
            r"no (?:response|reaction)",
            r"(?:not|wasn't|was not|isn't|stopped) (?:responding|responsive|reacting)",
            r"(?:didn't|did not|didnt|wouldn't|would not|couldn't|could not|won't) "
            r"(?:respond|react|wake|wake up|come round|come to)",
            r"(?:couldn't|could not|can't|cannot|unable to) (?:wake|rouse) (?:him|her|them|the baby|baby)",
            r"(?:not|wasn't|was not) (?:waking|waking up|wakeable|rousable)",
        ),
    }),
    dangers=MappingProxyType({
        "breathing_difficulty": (
            r"(?:trouble|difficulty|struggl\w*|struggled|hard|labou?red|gasp\w*) (?:to |with |in )?breath\w*",
            r"gasp(?:ed|ing)? for (?:air|breath)", r"gasp(?:ed|ing)",
            r"pauses? in (?:her |his |their )?breathing", r"breathing (?:pauses?|stopped|difficult\w*)",
            r"apnoea|apnea", r"choking|choked", r"held (?:his|her|their|the|its) breath",
        ),
        "color_change": (
            r"(?:turned|turning|went|going|looked|looking|was|were|became|got|goes|turns) "
            r"(?:a bit |very |really |slightly |all )?(?:blue|bluish|grey|gray|purple|white|dusky)",
            r"(?:blue|bluish|grey|gray|purple|dusky) (?:lips|face|skin|around the mouth|mouth)",
            r"(?:lips|face|skin|mouth) (?:were |was |went |turned |looked )?"
            r"(?:blue|bluish|grey|gray|purple|dusky|white)",
            r"(?:very |really )?pale", r"mottled", r"blotchy", r"cyano\w*",
        ),
        "unresponsive": (
            r"floppy", r"limp", r"unresponsive", r"unconscious",
            r"passed out", r"fainted", r"lifeless", r"(?:lost|losing) consciousness",
            r"blacked out",
        ),
        "stiffening": (
            r"stiff\w*", r"rigid\w*", r"tensed up", r"went tense", r"arched (?:his|her|their) back",
        ),
        "eyes_rolling_or_fixed": (
            r"eyes? (?:\w+ ){0,2}(?:rolled|rolling|rolls|roll|fixed|deviated|turned|stuck|glazed)",
            r"eyes? (?:\w+ ){0,2}(?:went|pulled|drifted|moved|looked|turned|flicked) (?:up|upwards"
            r"|to (?:one|the) side|sideways|to the (?:left|right)|left|right)",
            r"rolled (?:his|her|their|the) eyes", r"roll(?:ed|ing) back",
            r"zoned out", r"spaced out",
            r"star(?:e|ed|es|ing)", r"blank (?:look|stare)", r"glassy[- ]eyed",
        ),
        "fever": (
            r"fever\w*", r"temperature", r"temp", r"febrile", r"felt (?:very )?hot",
            r"(?:was |felt |is )?hot to (?:the )?touch", r"burning up",
            r"(?:3[89]|4[0-2])(?:[.,]\d)? ?(?:°|degrees?|c\b)",
        ),
        MINUTES: (
            rf"{_EN_COUNT}(?: or {_EN_COUNT})? ?(?:-|to )?(?:{_EN_COUNT} )?(?:min|mins|minute|minutes)",
            rf"(?:half an |{_EN_COUNT}(?: or {_EN_COUNT})? ?(?:-|to )?(?:{_EN_COUNT} )?)"
            r"(?:hour|hours|hr|hrs)",
            r"for hours",
        ),
    }),
    negations=frozenset({
        "no", "not", "never", "without", "nor", "none", "neither", "nothing",
        # Apostrophes typed away on a phone: "didnt", "wasnt" ("went" must not count).
        "didnt", "wasnt", "werent", "isnt", "doesnt", "dont", "hasnt", "havent", "hadnt",
        "wouldnt", "couldnt", "wont", "arent",
    }),
    negation_suffixes=("n't",),
    clause_breaks=frozenset({"but", "and", "then", "though", "although", "however", "yet",
                             "except", "until", "when", "after", "before", "so"}),
    minute_numbers=_EN_NUMBERS,
    hour_words=frozenset({"hour", "hours", "hr", "hrs"}),
    uncertain=frozenset({"sure", "know", "certain", "remember", "tell", "notice"}),
    window=5,
    bridges=frozenset({
        "a", "an", "any", "the", "some", "signs", "sign", "of", "or", "at", "all",
        "he", "she", "it", "they", "him", "her", "his", "them", "their", "baby",
        "have", "has", "had", "having", "was", "were", "is", "are", "be", "been", "being",
        "get", "gets", "got", "go", "goes", "went", "going", "gone", "turn", "turns", "turned",
        "seem", "seems", "seemed", "look", "looks", "looked", "appear", "appeared", "become",
        "became", "very", "too", "really", "show", "showed", "feel", "felt",
    }),
)

# Spanish. Patterns are written without accents: the text is read with its accents
# folded ("dejó" as "dejo", "niño" as "nino"), so a note typed with or without them
# reads the same; the words shown back to the parent keep their accents.
_ES_NUMBERS: Mapping[str, int] = MappingProxyType({
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "quince": 15, "veinte": 20,
    "unos": 2, "unos pocos": 2, "un par de": 2, "varios": 3, "algunos": 2,
})
_ES_COUNT = (
    r"(?:\d+(?:[.,]\d+)?|un par de|unos pocos|unos|una|un|uno|dos|tres|cuatro|cinco|seis|siete"
    r"|ocho|nueve|diez|quince|veinte|varios|algunos)"
)
_ES_BECAME = (
    r"(?:se (?:le )?puso|se (?:le )?pusieron|se ponia|se pone|se quedo|se volvio|estaba|esta"
    r"|estuvo|se veia|se vio|quedo)"
)
_ES_SOME = r"(?:un poco |muy |algo |todo |toda |medio )?"
# A Spanish adjective with its diminutive, as parents often write it: "morado", "moradita",
# "flojitos" (the pattern is written after the stem: "morad" + _ES_DIM).
_ES_DIM = r"(?:[oa]|it[oa])s?"

SPANISH = LanguageWords(
    always=MappingProxyType({
        "breathing_difficulty": (
            r"no (?:respira|respiraba|respiro|respiraria|podia respirar|pudo respirar|puede respirar)",
            r"sin respirar", r"se quedo sin (?:aire|respiracion)", r"no le entraba (?:el )?aire",
        ),
        "unresponsive": (
            r"no (?:me |nos |le )?(?:responde|respondia|respondio|reacciona|reaccionaba|reacciono)",
            r"no (?:se )?(?:despierta|despertaba|desperto|despertaria)",
            r"no (?:lo|la|le) (?:podia|pude|pudimos|podiamos|puedo) despertar",
            r"sin (?:respuesta|reaccion|reaccionar|responder)", r"sin fuerzas?",
        ),
    }),
    dangers=MappingProxyType({
        "breathing_difficulty": (
            r"(?:dejo|paro|dejaba|paraba|deja|para) de respirar",
            r"(?:le )?costaba respirar", r"dificultad (?:para|al) respirar",
            r"respiraba (?:mal|raro|con dificultad|con esfuerzo)",
            r"pausas? (?:en|de) (?:la|su) respiracion", r"apnea\w*",
            r"se ahog\w*|ahogando\w*|atragant\w*", r"jade\w*",
        ),
        "color_change": (
            rf"{_ES_BECAME} {_ES_SOME}(?:morad{_ES_DIM}|azul(?:it[oa])?|azulad{_ES_DIM}|gris(?:ecit[oa])?"
            rf"|grisace[oa]|palid{_ES_DIM}|paliduch[oa]|blanc{_ES_DIM}|blanquit[oa])",
            r"(?:labios|cara|piel|boca) (?:\w+ ){0,3}"
            rf"(?:morad{_ES_DIM}|azul(?:es|it[oa]s?)?|azulad{_ES_DIM}|gris(?:es)?|palid{_ES_DIM})",
            rf"morad{_ES_DIM}", rf"amoratad{_ES_DIM}", rf"azulad{_ES_DIM}", r"cianos\w*",
            rf"palid{_ES_DIM}|palidez|paliduch[oa]s?",
            r"con manchas", r"manchad[oa]",
        ),
        "unresponsive": (
            rf"floj{_ES_DIM}", rf"flacid{_ES_DIM}", r"como (?:un )?trapo", r"inconsciente",
            r"desmay\w*", r"perdio el (?:conocimiento|sentido)", r"sin conocimiento",
        ),
        "stiffening": (
            r"rigid\w*", r"rigidez", rf"ties{_ES_DIM}", rf"se puso (?:muy )?dur{_ES_DIM}", r"endurec\w*",
            r"se tens\w*", r"agarrotad\w*", r"arque\w* (?:la|su) espalda",
        ),
        "eyes_rolling_or_fixed": (
            r"ojos? (?:\w+ ){0,2}(?:en blanco|virad\w*|fij\w*|desviad\w*|volte\w*|perdid\w*|vidrios\w*)",
            r"(?:puso|pone|ponia) los ojos en blanco", r"en blanco",
            r"mirada (?:fija|perdida)", r"mirando (?:fijo|fijamente|a la nada)",
            r"se quedo mirando", r"se le (?:fueron|iban) los ojos",
        ),
        "fever": (
            r"fiebre\w*", r"calentura", r"temperatura", r"febril",
            r"(?:estaba|esta|se sentia|lo note|la note|muy) caliente", r"ardiendo",
            r"(?:3[89]|4[0-2])(?:[.,]\d)? ?(?:°|grados?|c\b)",
        ),
        MINUTES: (
            rf"{_ES_COUNT}(?: o {_ES_COUNT})? ?(?:-|a )?(?:{_ES_COUNT} )?(?:min|mins|minuto|minutos)",
            rf"(?:media |{_ES_COUNT}(?: o {_ES_COUNT})? ?(?:-|a )?(?:{_ES_COUNT} )?)(?:hora|horas)",
            r"(?:durante|por) horas",
        ),
    }),
    negations=frozenset({"no", "sin", "nunca", "ni", "tampoco", "jamas", "nada", "ningun",
                         "ninguna", "ninguno"}),
    negation_suffixes=(),
    clause_breaks=frozenset({"pero", "y", "e", "luego", "despues", "aunque", "sino", "cuando",
                             "mientras", "entonces", "hasta", "antes", "asi", "porque"}),
    minute_numbers=_ES_NUMBERS,
    hour_words=frozenset({"hora", "horas"}),
    # "no sé si...", "no estoy segura de si...": doubt raises, as in English.
    uncertain=frozenset({"si", "seguro", "segura", "seguros", "recuerdo", "acuerdo", "claro",
                         "sabria", "sabemos", "fijamos", "fije"}),
    window=6,
    bridges=frozenset({
        "un", "una", "unos", "unas", "el", "la", "los", "las", "lo", "le", "les", "se", "me",
        "nos", "su", "sus", "de", "del", "a", "o", "signos", "senales", "nada", "muy", "tan",
        "tenia", "tiene", "tuvo", "ha", "habia", "hay", "estaba", "esta", "estuvo", "era", "es",
        "fue", "puso", "pone", "ponia", "ponerse", "quedo", "volvio", "veia", "vio", "parecia",
        "parece", "sentia", "bebe", "nino", "nina",
    }),
)

LANGUAGES: Mapping[str, LanguageWords] = MappingProxyType({"en": ENGLISH, "es": SPANISH})


@dataclass(frozen=True)
class NoteMatch:
    """One thing the notes name: a sign code (or ``MINUTES``) and the words read."""

    key: str
    words: tuple[str, ...]
    language: str
    # The longest duration stated, in minutes (only for ``MINUTES``; 1 when unreadable).
    minutes: int = 0


@dataclass(frozen=True)
class NotesReading:
    matches: tuple[NoteMatch, ...] = ()

    def keys(self) -> frozenset[str]:
        return frozenset(match.key for match in self.matches)

    def get(self, key: str) -> NoteMatch | None:
        return next((match for match in self.matches if match.key == key), None)

    def words(self) -> tuple[str, ...]:
        return tuple(word for match in self.matches for word in match.words)


_PUNCTUATION_BREAK = "\n"


def normalise(text: object) -> str:
    """Lower case, plain apostrophes, clause punctuation kept as line breaks, single spaces."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    # Sentence and clause punctuation ends the reach of a negation; keep it as a break.
    text = re.sub(r"[.!?;:,()\[\]\"“”]+(?!\d)", _PUNCTUATION_BREAK, text)
    text = re.sub(r"[^\w°'\n.,-]+", " ", text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def fold_accents(text: str) -> str:
    """Each letter without its accent ("ó" -> "o", "ñ" -> "n"), one character for one, so
    a match in the folded text has the same span in the original."""
    return "".join(unicodedata.normalize("NFD", char)[0] if len(char) == 1 else char for char in text)


def _is_negation(token: str, words: LanguageWords) -> bool:
    return token in words.negations or token.endswith(words.negation_suffixes)


def _negated(before: str, words: LanguageWords, bridges: frozenset[str],
             danger_word: re.Pattern[str]) -> bool:
    """A negation just before the match, across nothing but ``bridges`` (of every language
    read: notes mix them) and danger words, within ``window`` words of the same clause;
    doubt among them raises instead."""
    clause = before.rsplit(_PUNCTUATION_BREAK, 1)[-1].split()
    tail: list[str] = []
    for token in reversed(clause):
        if token in words.clause_breaks or len(tail) == words.window:
            break
        tail.append(token)
        if _is_negation(token, words):
            break
        if token not in bridges and not danger_word.fullmatch(token):
            return False  # another word stands between: the negation is about that one
    if any(token in words.uncertain for token in tail):
        return False
    return bool(tail) and _is_negation(tail[-1], words)


def _stated_minutes(phrase: str, words: LanguageWords) -> int:
    numbers = [float(n.replace(",", ".")) for n in re.findall(r"\d+(?:[.,]\d+)?", phrase)]
    for word, value in words.minute_numbers.items():
        if re.search(rf"\b{re.escape(word)}\b", phrase):
            numbers.append(value)
    stated = max(numbers, default=1)
    # "half an hour" or "media hora" reads as a whole hour: longer, so the safer side.
    if any(re.search(rf"\b{re.escape(word)}\b", phrase) for word in words.hour_words):
        stated *= 60
    return max(1, int(stated))


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w']){pattern}(?![\w'])")


_COMPILED: dict[tuple[str, str, str], list[re.Pattern[str]]] = {}
_DANGER_WORDS: dict[tuple[str, int], re.Pattern[str]] = {}


def _danger_word(language: str, words: LanguageWords) -> re.Pattern[str]:
    """One word that is a danger by itself ("fever", "stiff"): a negation reaches past it."""
    if (language, id(words)) not in _DANGER_WORDS:
        single = [p for found in words.dangers.values() for p in found if " " not in p]
        _DANGER_WORDS[language, id(words)] = re.compile("|".join(f"(?:{p})" for p in single))
    return _DANGER_WORDS[language, id(words)]


def _patterns(language: str, kind: str, key: str, found: tuple[str, ...]) -> list[re.Pattern[str]]:
    cache_key = (language, kind, key)
    if cache_key not in _COMPILED:
        _COMPILED[cache_key] = [_compile(pattern) for pattern in found]
    return _COMPILED[cache_key]


def read_notes(text: object, languages: Mapping[str, LanguageWords] = LANGUAGES) -> NotesReading:
    """Every danger the notes name, in every language given; never raises."""
    clean = normalise(text)
    if not clean.strip():
        return NotesReading()
    folded = fold_accents(clean)
    found: dict[str, NoteMatch] = {}
    bridges = frozenset().union(*(words.bridges for words in languages.values()))
    for code, words in languages.items():
        danger_word = _danger_word(code, words)
        for key in NOTE_KEYS:
            hits: list[str] = []
            taken: list[tuple[int, int]] = []
            for pattern in _patterns(code, "always", key, words.always.get(key, ())):
                for hit in pattern.finditer(folded):
                    hits.append(clean[hit.start(): hit.end()])
                    taken.append(hit.span())
            for pattern in _patterns(code, "dangers", key, words.dangers.get(key, ())):
                for hit in pattern.finditer(folded):
                    overlaps = any(hit.start() < b and a < hit.end() for a, b in taken)
                    if overlaps:
                        continue
                    if _negated(folded[: hit.start()], words, bridges, danger_word):
                        taken.append(hit.span())  # the words inside it are negated with it
                        continue
                    hits.append(clean[hit.start(): hit.end()])
                    taken.append(hit.span())
            if not hits:
                continue
            unique = tuple(dict.fromkeys(hits))
            previous = found.get(key)
            minutes = (
                max(_stated_minutes(fold_accents(hit), words) for hit in unique) if key == MINUTES else 0
            )
            if previous is not None:
                unique = tuple(dict.fromkeys(previous.words + unique))
                minutes = max(minutes, previous.minutes)
            found[key] = NoteMatch(key=key, words=unique, language=code, minutes=minutes)
    return NotesReading(tuple(found[key] for key in NOTE_KEYS if key in found))


__all__ = ["LANGUAGES", "MINUTES", "NOTE_KEYS", "LanguageWords", "NoteMatch", "NotesReading", "read_notes"]
