#!/usr/bin/env python3
"""Optional cross-check against Hugging Face transformers (not run by `cargo test`: it needs torch).

1. A randomly initialised GPT2LMHeadModel saved by transformers' own `save_pretrained` opens in
   `factory trace`, and the logits and attention agree with transformers'.
2. The shipped default model opens in transformers, with the same logits as `factory trace`.

    pip install torch transformers safetensors
    cargo build --release && python3 tests/hf_compat.py
"""
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

ROOT = Path(__file__).resolve().parent.parent
FACTORY = ROOT / "target" / "release" / "factory"
DEFAULT = ROOT / "models" / "factory-small"
PROMPT = "The king said to the queen that"


def factory_trace(model_dir: Path) -> dict:
    out = subprocess.run(
        [str(FACTORY), "trace", "--model", str(model_dir), "--prompt", PROMPT, "--json"],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def hf_run(model: GPT2LMHeadModel, ids: list[int]):
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_attentions=True)
    return out.logits[0, -1].double(), [a[0].double() for a in out.attentions]


def compare(tag: str, trace: dict, model: GPT2LMHeadModel) -> None:
    ids = [t["id"] for t in trace["tokens"]]
    logits, atts = hf_run(model, ids)
    ours = torch.tensor(trace["next_token"]["logits"], dtype=torch.float64)
    dl = (ours - logits).abs().max().item()
    da = max(
        (torch.tensor(layer["attention"], dtype=torch.float64) - atts[i]).abs().max().item()
        for i, layer in enumerate(trace["layers"])
    )
    print(f"{tag}: {len(ids)} tokens, max |logit diff| {dl:.2e}, max |attention diff| {da:.2e}")
    if dl > 1e-3 or da > 1e-4:
        sys.exit(f"{tag}: disagreement")


def main() -> None:
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp) / "hf-random"
        cfg = GPT2Config(n_layer=3, n_head=4, n_embd=64, n_positions=64, vocab_size=4096)
        cfg._attn_implementation = "eager"  # so that attention weights are returned
        model = GPT2LMHeadModel(cfg).eval()
        model.save_pretrained(tmp)  # transformers' own layout (safetensors, tied head)
        shutil.copy(DEFAULT / "tokenizer.json", tmp / "tokenizer.json")
        compare("transformers-written model in the factory", factory_trace(tmp), model)
    ours = GPT2LMHeadModel.from_pretrained(DEFAULT, attn_implementation="eager").eval()
    PreTrainedTokenizerFast(tokenizer_file=str(DEFAULT / "tokenizer.json"))
    compare("factory-small in transformers", factory_trace(DEFAULT), ours)
    print("ok")


if __name__ == "__main__":
    main()
