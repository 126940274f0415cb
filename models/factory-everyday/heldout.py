"""Writes heldout.txt: text the default model was not trained on, from the validation part of its
corpus (`factory train` holds out every tenth block of 1024 tokens: blocks 5, 15, 25, ...).

    python3 models/factory-everyday/prepare_corpus.py /tmp/corpus-raw /tmp/everyday.txt \
        --skip-book melville-moby_dick          # the corpus, as in README.md
    pip install tokenizers
    python3 models/factory-everyday/heldout.py /tmp/everyday.txt models/factory-everyday/heldout.txt

The first BLOCKS held-out blocks are decoded back to text with the model's own tokenizer, a blank
line between two blocks (a block starts and ends where the split cut it, often mid-sentence). Standard library and the
`tokenizers` package only; the output is the same byte for byte on every run.
"""

import hashlib
import sys
from pathlib import Path

from tokenizers import Tokenizer

BLOCK = 1024
BLOCKS = 80


def main(corpus: Path, out: Path) -> None:
    tok = Tokenizer.from_file(str(Path(__file__).with_name("tokenizer.json")))
    ids = tok.encode(corpus.read_text(encoding="utf-8"), add_special_tokens=False).ids
    blocks = [ids[i : i + BLOCK] for i in range(0, len(ids), BLOCK)]
    held = [b for i, b in enumerate(blocks) if i % 10 == 5][:BLOCKS]
    text = "\n\n".join(tok.decode(b).strip() for b in held) + "\n"
    out.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    print(f"{len(ids):,} tokens in the corpus; wrote {out} ({len(text.encode()):,} bytes, "
          f"{len(held)} held-out blocks), sha256 {digest}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
