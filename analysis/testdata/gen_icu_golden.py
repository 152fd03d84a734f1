#!/usr/bin/python3
"""Generate icu_golden.jsonl (and icu_differences.jsonl): the expected tokens for Latin, Greek and
Cyrillic text, computed by ICU itself.

Run with Debian's python3-icu (apt-get install -y python3-icu):

    cd analysis/testdata && /usr/bin/python3 gen_icu_golden.py

Tokenization is ICU's root word BreakIterator (UAX #29), keeping the
segments whose rule status is not "none" (letters and numbers). Each token
is folded the way Koha's and VuFind's ICU analysers fold:

  1. Normalizer2 nfkc_cf (NFKC + full case folding: Solr's ICUNormalizer2
     default, and the first step of ICU folding);
  2. Transliterator "NFD; [:Nonspacing Mark:] Remove; NFC" (the accent
     removal of ICU folding, as in Koha's icu_folding and VuFind's
     ICUFoldingFilter);
  3. Transliterator "[æœøđðłþıħŧ] Latin-ASCII" for the Latin letters that
     have no decomposition (ICU folding, UTR #30, folds them too).

Offsets are converted from ICU's UTF-16 units to UTF-8 bytes. The Go test
TestICUGolden compares Colophon's plain tokenizer (word parts off) plus
CaseFoldFilter and DiacriticFoldFilter with this file. Scripts where ICU
folding is wrong (kana, Indic, Thai) are deliberately not here: see
testdata/datadriven/folding and scripts for where Colophon differs.
"""
import json
import unicodedata

import icu

INPUTS = [
    # Latin, precomposed.
    "Müller, Gérard: Ça coûte cher à São Paulo",
    "Über die Universitäten Göttingen und Würzburg",
    "Dvořák, Antonín. Slovanské tance",
    "Łódź: Wydawnictwo Łódzkie, 1998",
    "Søren Kierkegaard: Enten – Eller",
    "Æsop's Fables; Œuvres complètes de Molière",
    "Þórbergur Þórðarson, Íslenzkur aðall",
    "Iğdır ve Kars: Türkiye'nin doğusu",
    "Nguyễn Du. Truyện Kiều",
    "Straße der Erinnerung",
    "ĦAL TARXIEN, Malta",
    "Đorđe Balašević",
    "Ångström, Anders Jonas",
    "Cervantes Saavedra, Miguel de, 1547-1616. Don Quijote de la Mancha",
    "ﬁnancial ﬂows ① Ⅻ",
    "CAFÉ NOIR 3.14 1,000 20th",
    # Latin, decomposed as MARC-8 conversions leave it.
    "Mu\u0308ller, Ge\u0301rard: C\u0327a cou\u0302te cher a\u0300 Sa\u0303o Paulo",
    "Dvor\u030ca\u0301k, Anto\u0301ni\u0301n",
    "Gontaut-Biron, E\u0301lie, vicomte de, 1818?-1890",
    "The princes of Ha\u0300-tie\u0302n (1682-1867)",
    "Fedorov, A. V. (Andrei\u0306 Venediktovich)",
    "Iskusstvo perevoda i zhiznʹ literatury",
    # Greek.
    "Ἀθῆναι· ἡ πόλις τῆς Ἀθηνᾶς",
    "ΟΔΥΣΣΕΥΣ Ὀδυσσεύς Ὅμηρος",
    "Καζαντζάκης, Νίκος. Βίος και πολιτεία του Αλέξη Ζορμπά",
    "Ελληνική Δημοκρατία ΐ ΰ",
    # Cyrillic.
    "Достоевский, Фёдор Михайлович. Преступление и наказание",
    "Толстой, Лев. Война и мир, 1869",
    "Українська мова: Їжак і ґанок",
    "Српска ћирилица: Ђорђе, Љубиша, Његош",
    "Български език, ЁЖИК й Й",
    "Беларуская мова: ўсё",
]

# Scripts where ICU folding is wrong: it removes kana voicing marks, Indic
# vowel signs and viramas, and Thai marks. icu_differences.jsonl records
# what ICU makes of them; TestICUDifferences checks that Colophon keeps
# the marks instead.
DIFFER = [
    "が", "パ", "ガイドブック", "ぱぴぷぺぽ",
    "हिन्दी", "संस्कृत", "தமிழ்", "తెలుగు",
    "ก่า", "ที่นี่",
]

FOLD = icu.Transliterator.createInstance("NFD; [:Nonspacing Mark:] Remove; NFC")
LETTERS = icu.Transliterator.createInstance("[æœøđðłþıħŧ] Latin-ASCII")
NFKC_CF = icu.Normalizer2.getNFKCCasefoldInstance()


def utf8_offset(s, utf16_units):
    """Convert a UTF-16 offset in s to a UTF-8 byte offset."""
    units = 0
    for i, ch in enumerate(s):
        if units >= utf16_units:
            return len(s[:i].encode("utf-8"))
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(s.encode("utf-8"))


def fold(term):
    t = NFKC_CF.normalize(term)
    t = FOLD.transliterate(t)
    t = LETTERS.transliterate(t)
    return t


def tokens(text):
    bi = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    bi.setText(text)
    out = []
    start = bi.first()
    for end in bi:
        if bi.getRuleStatus() != 0:  # UBRK_WORD_NONE
            s = utf8_offset(text, start)
            e = utf8_offset(text, end)
            raw = text.encode("utf-8")[s:e].decode("utf-8")
            out.append([fold(raw), s, e])
        start = end
    return out


def main():
    with open("icu_golden.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps({"generator": "gen_icu_golden.py", "icu": icu.ICU_VERSION,
                            "unicode": icu.UNICODE_VERSION}, ensure_ascii=False) + "\n")
        for text in INPUTS:
            f.write(json.dumps({"input": text, "tokens": tokens(text)}, ensure_ascii=False) + "\n")
    with open("icu_differences.jsonl", "w", encoding="utf-8") as f:
        for text in DIFFER:
            f.write(json.dumps({"input": text, "icu": fold(text)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
