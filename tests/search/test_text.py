"""The query language and the highlighter, without a database."""
from __future__ import annotations


from hypothesis import given, settings, strategies as st

from search import text
from search.backends.postgres_backend import tsquery
from search.backends.whoosh_backend import ALL_FIELDS, compile_query


def test_parse_shapes():
    T = text.Term
    assert text.parse_query("камерами") == T("камер")
    assert text.parse_query("камера метро") == text.And((T("камер"), T("метр")))
    assert text.parse_query("камера OR метро") == text.Or((T("камер"), T("метр")))
    assert text.parse_query("камера ИЛИ метро") == text.Or((T("камер"), T("метр")))
    assert text.parse_query("камера -метро") == text.And((T("камер"), text.Not(T("метр"))))
    assert text.parse_query("NOT метро") == text.Not(T("метр"))
    assert text.parse_query('"распознавания лиц"') == text.Phrase(("распознаван", "лиц"))
    assert text.parse_query("кам*") == text.Prefix("кам")
    assert text.parse_query("(a OR b) c") == text.And((text.Or((T("a"), T("b"))), T("c")))
    for empty in ("", "   ", "*", "AND", "OR NOT", '""', "()", "-", "к*"):
        assert text.parse_query(empty) is None or empty == "к*"
    assert text.parse_query("к*") == T("к")  # one letter is not a prefix: read as the word


def test_tsquery_is_quoted():
    node = text.parse_query("камера OR \"лиц распознавание\" -метро кам*")
    # AND binds tighter than OR (as in boolean algebra): a OR b c == a OR (b AND c)
    assert tsquery(node) == "('камер' | (('лиц' <-> 'распознаван') & !'метр' & ('кам':*)))"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_input_parses_and_compiles(q):
    node = text.parse_query(q)
    if node is not None:
        compile_query(node, ALL_FIELDS)
        tsquery(node)
        text.positive_terms(node)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["камера", "a", "script", "кам*", '"b c"']))
def test_highlight_escapes_everything_but_its_marks(source, q):
    snippet, _ = text.highlight(source, text.positive_terms(text.parse_query(q)))
    bare = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare
    assert snippet.count("<mark>") == snippet.count("</mark>")


def test_highlight_marks_word_forms():
    snippet, hit = text.highlight("Камерами <b>снимали</b> всех у камеры", text.positive_terms(text.parse_query("камера")))
    assert hit
    assert snippet == "<mark>Камерами</mark> &lt;b&gt;снимали&lt;/b&gt; всех у <mark>камеры</mark>"
