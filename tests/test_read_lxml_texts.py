"""The lxml reader's text of a string item (<si>, <is>): its fast path for one plain <t>
gives what the rule over every child gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sheets_sync.backends.excel.read import NS_MAIN, NS_MAIN_STRICT
from sheets_sync.backends.excel.read_lxml import runs_text, si_text

texts = st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=4)
                 | st.sampled_from(["_x000D_", "_x005F_", "_x"]), max_size=4).map("".join)
children = st.lists(st.tuples(st.sampled_from(["t", "r", "rPh", "phoneticPr", "comment"]), texts), max_size=3)


@settings(max_examples=300, deadline=None)
@given(ns=st.sampled_from([NS_MAIN, NS_MAIN_STRICT]), kids=children)
def test_si_text_is_the_rule_over_its_children(ns, kids):
    si = etree.Element(f"{{{ns}}}is")
    for name, text in kids:
        if name == "comment":
            si.append(etree.Comment(text.replace("-", "") or "c"))
            continue
        el = etree.SubElement(si, f"{{{ns}}}{name}")
        if name == "r":
            el = etree.SubElement(el, f"{{{ns}}}t")
        el.text = text or None
    assert si_text(si) == runs_text(si)
