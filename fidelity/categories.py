"""What part of a news page a sentence is: headline, caption, credit, byline, boilerplate or body.

Decided from the text and its position by rules that hold across outlets (scraped pages carry
the same furniture everywhere: slug lines, "Advertisement" blocks, photo captions with credits,
author bios at the end), not from any particular article's strings.
"""

from __future__ import annotations

import re

from .types import Document

# Whole-line scrape artifacts and page furniture, English and Indonesian (compared lower-cased,
# punctuation stripped; each entry stripped of the line break and indent around it).
_BOILERPLATE_LINES = frozenset(w.strip() for w in
    """advertisement|advertisements|skip advertisement|advertisement continue reading the main story
    |continue reading the main story|continue reading|supported by|sponsored|sponsored content
    |ad|ads|iklan|memuat|loading|loading|image|images|photo|photos|video|gambar|foto|read more
    |baca juga|baca selengkapnya|selengkapnya|lihat juga|simak juga|tonton juga|share|share this
    |share this article|bagikan|bagikan artikel ini|subscribe|sign up|log in|login|masuk|daftar
    |related|related articles|berita terkait|artikel terkait|scroll to continue with content
    |scroll untuk melanjutkan|lanjutkan membaca|listen to this article|dengarkan artikel ini
    |print|email|copy link|follow us|ikuti kami|comments|komentar|close|tutup|menu|home|beranda
    |most popular|terpopuler|trending|advertisement scroll to continue|gift this article|hadiahkan
    |see more|more|next|previous|back to top|kembali ke atas|watch|tonton|leave a reply
    |leave a comment|tinggalkan balasan|tinggalkan komentar|source|sumber""".split("|"))
_BOILERPLATE_RE = [
    re.compile(r"^(this|the) (article|story) (was )?(originally|first) (appeared|published|ran)\b", re.I),
    re.compile(r"^artikel ini (awalnya |pertama kali |telah |sudah )?(muncul|terbit|tayang|dimuat|diterbitkan)\b", re.I),
    re.compile(r"^(baca juga|read also|read more|lihat juga|simak juga|tonton juga)\s*[:：]", re.I),
    # "Scroll to continue with content", "Scroll untuk melanjutkan membaca", "Gulir ke bawah ..."
    re.compile(r"^(scroll|gulir)( down| ke bawah)? (to|untuk) (continue|melanjutkan|lanjut)\b.{0,40}$", re.I),
    re.compile(r"^(continue reading|lanjutkan membaca|lanjut membaca)\b.{0,40}$", re.I),
    # Calls to follow the outlet elsewhere: "Simak berita lainnya di Google News", "Ikuti kami
    # di WhatsApp Channel", "Download aplikasi ...", "Follow us on Google News".
    re.compile(r"^(simak|ikuti|dapatkan|follow|download|unduh|gabung|join|subscribe)\b.{0,80}\b"
               r"(google news|whatsapp|telegram|instagram|twitter|facebook|tiktok|youtube|aplikasi|"
               r"app|channel|saluran|newsletter)\b(?:(?![.!?]\s).){0,50}$", re.I),
    re.compile(r"^(copyright|hak cipta)\b|©|all rights reserved", re.I),
    re.compile(r"^https?://\S+$|^www\.\S+$", re.I),
    re.compile(r"^(original )?(source|sumber)\s*:\s*(https?://|www\.)?\S+$", re.I),  # "Source: www.cbsnews.com"
    re.compile(r"^\d+\s*(min|mins|minute|minutes|menit)\.?\s*(read|baca|membaca)$", re.I),  # "2 mins read"
    re.compile(r"^(view all posts by|lihat semua (tulisan|artikel|pos) (oleh|dari))\b", re.I),
    re.compile(r"^[\W_]+$"),  # a separator line: "___", "***", "* * *"
]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9.'’_]*(?:-[a-z0-9.'’_]+){2,}$")

_CREDIT_RE = [
    re.compile(r"^(credit|credits|kredit|photo|photograph|foto|image|gambar|sumber foto)\s*(by\b|[:…]|\.{2,}|\s-\s)", re.I),
    re.compile(r"^(credit|kredit)[…:.]", re.I),
    re.compile(r"\b(via getty images|getty images|shutterstock|associated press|reuters|afp|epa-efe|antara foto)\s*$", re.I),
    re.compile(r"^[A-Z][\w.'’ -]{1,60}/(the |The )?[A-Z][\w.'’ &-]{1,60}$"),  # "Doug Mills/The New York Times"
]
_BYLINE_RE = [
    re.compile(r"\bcovers?\b.{0,200}\bfor (the |The )?[A-Z]"),
    re.compile(r"^more about [A-Z]|\bmore about [A-Z][\w.'’-]+( [A-Z][\w.'’-]+){0,3}\s*$", re.I),
    re.compile(r"\bcontributed (reporting|research)\b", re.I),
    re.compile(r"^(by|oleh|penulis|reporter|editor|pewarta|redaktur|editing by|reporting by|writing by|laporan)\s*:?\s+[A-Z]", re.I),
    re.compile(r"^\(?(reporting|additional reporting|editing|writing) by\b", re.I),
    re.compile(r"\b(is|was) (a|an|the) [^.]{0,80}\b(reporter|correspondent|editor|bureau chief|columnist|writer|journalist|photographer)\b", re.I),
    re.compile(r"\b(is|was) based in [A-Z]", re.I),
    re.compile(r"\b(wartawan|koresponden|kontributor|jurnalis) [A-Z]", re.I),
    re.compile(r"\breported from [A-Z]", re.I),
]


def _norm(text: str) -> str:
    return re.sub(r"[^\w\s]", "", text.lower()).strip()


def is_boilerplate(text: str) -> bool:
    """A scrape artifact or page furniture line ("Advertisement", "Memuat", a URL slug, ...)."""
    t = text.strip()
    if not t:
        return True
    n = re.sub(r"\s+", " ", _norm(t))
    if n in _BOILERPLATE_LINES:
        return True
    if " " not in t and _SLUG.match(t.lower()):
        return True
    return any(p.search(t) for p in _BOILERPLATE_RE)


def is_credit(text: str) -> bool:
    t = text.strip()
    return len(t.split()) <= 16 and any(p.search(t) for p in _CREDIT_RE)


def is_byline(text: str) -> bool:
    return any(p.search(text) for p in _BYLINE_RE)


def _words(text: str) -> int:
    return len(text.split())


#: How a sentence ends when it is not a title: a full stop, a question, a quotation.
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)\]]\s*$")


def title_lines(doc: Document) -> list[bool]:
    """Per sentence: whether it is a title line, a headline or subhead anywhere on the page
    (a paragraph of its own, at most 20 words, no sentence-final punctuation, not furniture)."""
    size: dict[int, int] = {}
    for s in doc.sentences:
        size[s.paragraph] = size.get(s.paragraph, 0) + 1
    return [size[s.paragraph] == 1 and _words(s.text) <= 20 and not _SENTENCE_END.search(s.text)
            and not is_boilerplate(s.text) for s in doc.sentences]


def categorize(doc: Document) -> list[str]:
    """One category per sentence of ``doc``, from its text and its place on the page."""
    sents = doc.sentences
    cats = ["body"] * len(sents)
    if not sents:
        return cats
    paras: dict[int, list[int]] = {}
    for s in sents:
        paras.setdefault(s.paragraph, []).append(s.index)
    order = sorted(paras)

    for s in sents:
        if is_boilerplate(s.text):
            cats[s.index] = "boilerplate"
        elif is_credit(s.text):
            cats[s.index] = "credit"

    def para_kind(p: int) -> str:
        idx = paras[p]
        kinds = {cats[i] for i in idx}
        if kinds == {"boilerplate"}:
            return "boilerplate"
        if "credit" in kinds:
            return "caption"
        return "other"

    kinds = {p: para_kind(p) for p in order}
    # Captions: the rest of a paragraph that carries a credit, and a short alt-text line
    # directly above it ("Demonstrators holding signs...").
    for pos, p in enumerate(order):
        if kinds[p] != "caption":
            continue
        for i in paras[p]:
            if cats[i] == "body":
                cats[i] = "caption"
        if pos > 0:
            q = order[pos - 1]
            if kinds[q] == "other" and len(paras[q]) == 1 and _words(sents[paras[q][0]].text) <= 20:
                cats[paras[q][0]] = "caption"
                kinds[q] = "caption"
        # An "Image"/"Photo" line right above a caption is boilerplate already.

    # Bylines: author notes, usually the last paragraphs (or a "By ..." line at the top).
    for p in order:
        idx = paras[p]
        if any(is_byline(sents[i].text) for i in idx) and sum(_words(sents[i].text) for i in idx) <= 90:
            for i in idx:
                if cats[i] in ("body",):
                    cats[i] = "byline"
            kinds[p] = "byline"

    # Headline (and the dek under it): the first content paragraph when it is short, and the
    # next single-sentence paragraph when a caption or page furniture follows it.
    content = [p for p in order if kinds[p] == "other"]
    if content:
        first = content[0]
        fi = paras[first]
        first_pos = order.index(first)
        before = order[:first_pos]
        if (len(fi) == 1 and _words(sents[fi[0]].text) <= 20
                and all(kinds[q] == "boilerplate" for q in before)):
            cats[fi[0]] = "headline"
            if len(content) > 1:
                second = content[1]
                si = paras[second]
                spos = order.index(second)
                between = order[first_pos + 1:spos]
                after = order[spos + 1:spos + 2]
                if (len(si) == 1 and _words(sents[si[0]].text) <= 45
                        and all(kinds[q] == "boilerplate" for q in between)
                        and after and kinds[after[0]] in ("caption", "boilerplate")):
                    cats[si[0]] = "headline"
    return cats
