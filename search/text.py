"""Language handling shared by every backend: one analyzer, one query language, one highlighter.

Words are cut at anything that is not a letter or a digit, lower-cased, ``ё`` is folded to ``е``, and each word
is reduced by the Snowball stemmer of its script (Cyrillic words by the Russian one, all others by the English
one), so ``камерами`` and ``камера`` both become ``камер`` and ``cameras`` and ``camera`` become ``camera``.
Both backends index and query the output of this module, so they answer the same words the same way.

The query language (read leniently: no input is an error, odd input just matches less):

- words (all must match): ``камера метро``
- phrases: ``"распознавание лиц"``
- prefixes: ``кам*`` (at least two letters before the star)
- ``OR`` / ``ИЛИ``, ``AND`` / ``И``, ``NOT`` / ``НЕ`` / a leading ``-``; parentheses group.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.lang import stemmer_for_language

WORD_RE = re.compile(r"[^\W_]+")
MAX_WORD = 64
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_RU = stemmer_for_language("ru")
_EN = stemmer_for_language("en")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index form of one lower-cased word."""
    word = word.replace("ё", "е")
    if _CYRILLIC.search(word):
        return _RU(word)
    return _EN(word)


def fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def analyze(text: str) -> list[str]:
    """The index terms of ``text``, in order."""
    return [stem(w) for w in WORD_RE.findall(fold(text or "")) if len(w) <= MAX_WORD]


def analyzed_text(text: str, limit: int | None = None) -> str:
    """``text`` as a space-separated string of index terms (what the PostgreSQL backend stores)."""
    out = " ".join(analyze(text))
    if limit is not None and len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0]
    return out


class StemRuEnFilter(Filter):
    """Whoosh filter: ``ё``→``е`` and the Snowball stemmer of the word's script."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                if len(t.text) > MAX_WORD:
                    continue
                t.text = stem(t.text)
            yield t


def whoosh_analyzer():
    """The whoosh analyzer equivalent of :func:`analyze` (keeps positions and character offsets)."""
    return RegexTokenizer(WORD_RE.pattern) | LowercaseFilter() | StemRuEnFilter()


# --- The query language ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    text: str  # an index term (already stemmed)


@dataclass(frozen=True)
class Phrase:
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    text: str  # folded, not stemmed


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


_TOKEN_RE = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_AND = {"AND", "И", "&&"}
_OR = {"OR", "ИЛИ", "||"}
_NOT = {"NOT", "НЕ"}
MAX_QUERY_CHARS = 1000
MAX_NODES = 64


def _word_node(raw: str):
    if raw.endswith("*"):
        base = fold(raw.rstrip("*"))
        if WORD_RE.fullmatch(base) and len(base) >= 2:
            return Prefix(base[:MAX_WORD])
        raw = raw.rstrip("*")
    terms = analyze(raw)
    if not terms:
        return None
    if len(terms) == 1:
        return Term(terms[0])
    return Phrase(tuple(terms[:16]))


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.pos = 0
        self.nodes = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def parse_or(self, depth=0):
        items = [self.parse_and(depth)]
        while self.peek() in _OR:
            self.take()
            items.append(self.parse_and(depth))
        return _combine(Or, items)

    def parse_and(self, depth):
        items = []
        while True:
            tok = self.peek()
            if tok is None or tok in _OR or (tok == ")" and depth > 0):
                break
            if tok == ")":  # a stray closing parenthesis at the top level: ignore it
                self.take()
                continue
            if tok in _AND:
                self.take()
                continue
            items.append(self.parse_unary(depth))
        return _combine(And, items)

    def parse_unary(self, depth):
        negate = False
        while True:
            tok = self.peek()
            if tok in _NOT:
                self.take()
                negate = not negate
            elif tok is not None and tok.startswith("-") and len(tok) > 1 and tok not in ("-(",):
                self.tokens[self.pos] = tok[1:]
                negate = not negate
            else:
                break
        node = self.parse_atom(depth)
        if node is not None and negate:
            return Not(node)
        return node

    def parse_atom(self, depth):
        tok = self.take()
        if tok is None:
            return None
        if tok == "(":
            if depth >= 8:
                return None
            node = self.parse_or(depth + 1)
            if self.peek() == ")":
                self.take()
            return node
        if tok in _AND or tok in _OR or tok in _NOT or tok == ")":
            return None
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return None
        if tok.startswith('"'):
            terms = analyze(tok.strip('"'))
            if not terms:
                return None
            return Term(terms[0]) if len(terms) == 1 else Phrase(tuple(terms[:32]))
        return _word_node(tok)


def _combine(kind, items):
    items = [i for i in items if i is not None]
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    return kind(tuple(items))


def parse_query(text: str):
    """The query tree of ``text``, or None when it holds nothing to search for. Never raises."""
    text = (text or "")[:MAX_QUERY_CHARS]
    tokens = _TOKEN_RE.findall(text)
    parser = _Parser(tokens)
    node = None
    items = []
    while parser.peek() is not None:
        before = parser.pos
        items.append(parser.parse_or())
        if parser.pos == before:  # nothing consumed (cannot happen, but never loop)
            parser.take()
    node = _combine(And, items)
    return node


def with_hashed_terms(node, hasher):
    """The query tree with each word and phrase also matching its keyed-hash form (``hasher`` maps an index term to
    its blind-index token): what searches the blind-indexed identity text. Prefixes have no hashed form."""
    if isinstance(node, Term):
        return Or((node, Term(hasher(node.text))))
    if isinstance(node, Phrase):
        return Or((node, Phrase(tuple(hasher(t) for t in node.terms))))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(with_hashed_terms(i, hasher) for i in node.items))
    if isinstance(node, Not):
        return Not(with_hashed_terms(node.item, hasher))
    return node


def only_negative(node) -> bool:
    """True when the query has no positive part (``NOT x``): it then means "everything except x"."""
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(only_negative(i) for i in node.items)
    if isinstance(node, Or):
        return any(only_negative(i) for i in node.items)
    return False


@dataclass
class TermSet:
    """The positive terms and prefixes of a query: what the highlighter marks."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    def matches(self, word: str) -> bool:
        folded = fold(word)
        if stem(folded) in self.terms:
            return True
        return any(folded.startswith(p) or stem(folded).startswith(p) for p in self.prefixes)


def positive_terms(node, negated: bool = False, out: TermSet | None = None) -> TermSet:
    out = out if out is not None else TermSet()
    if node is None:
        return out
    if isinstance(node, Not):
        positive_terms(node.item, not negated, out)
    elif isinstance(node, (And, Or)):
        for item in node.items:
            positive_terms(item, negated, out)
    elif not negated:
        if isinstance(node, Term):
            out.terms.add(node.text)
        elif isinstance(node, Phrase):
            out.terms.update(node.terms)
        elif isinstance(node, Prefix):
            out.prefixes.add(node.text)
    return out


# --- Highlighting --------------------------------------------------------------------------------------------
MAX_HIGHLIGHT_CHARS = 1_000_000  # a snippet is looked for in the first million characters of a text


def highlight(text: str, terms: TermSet, width: int = 240) -> tuple[str, bool]:
    """An HTML-safe snippet of ``text`` around the best cluster of matching words, matches in ``<mark>``.

    Everything from ``text`` is escaped; the only markup in the result is the ``<mark>`` tags added here.
    Returns (html, whether anything matched)."""
    text = (text or "")[:MAX_HIGHLIGHT_CHARS]
    hits = [m for m in WORD_RE.finditer(text) if len(m.group()) <= MAX_WORD and terms.matches(m.group())]
    if not hits:
        chunk = text[:width]
        snippet = html.escape(chunk.strip())
        return (snippet + ("…" if len(text) > width else "")), False
    # The window (of `width` characters) that holds the most matches, starting a little before the first.
    best_start, best_count = hits[0].start(), 0
    j = 0
    for i, m in enumerate(hits):
        while j < len(hits) and hits[j].end() - m.start() <= width:
            j += 1
        if j - i > best_count:
            best_start, best_count = m.start(), j - i
    start = max(0, best_start - width // 4)
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + width)
    out = []
    pos = start
    for m in hits:
        if m.start() < start or m.end() > end:
            continue
        out.append(html.escape(text[pos:m.start()]))
        out.append("<mark>" + html.escape(m.group()) + "</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    snippet = "".join(out).strip()
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else ""), True
