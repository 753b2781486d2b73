"""Evaluate a Qwen2.5-VL checkpoint (a folder or a model name) on held-out game samples.

Greedy decoding (ViGaL's protocol, SPEC §7) on a test split whose seed stream never meets training's, then
accuracy overall and per difficulty level, printed and written as JSON and a Markdown table.

    python evaluate.py --model runs/tiny/checkpoint-final                 # the default run's checkpoint
    python evaluate.py --model Qwen/Qwen2.5-VL-7B-Instruct --n 500 --board-size 10 --num-apples 5 --image-size 448
    python evaluate.py --model runs/tiny/checkpoint-final --data DIR      # a dataset folder (snake.py --split test)

This file also owns loading a model and its processor by name or path, which train.py reuses.
"""
import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict

import torch
from transformers import (AutoTokenizer, Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLProcessor,
                          Qwen2VLImageProcessorPil)

import grpo
import rewards
import snake
from gameqa import DatasetError, read_dataset

# ---------------------------------------------------------------------------------------------------------
# Loading a model and its processor by name or path


class ImageOnlyProcessor(Qwen2_5_VLProcessor):
    """Qwen2.5-VL's processor without its video processor, which needs torchvision (SPEC §8).

    Images and text are processed exactly as by the stock processor; videos are not supported.
    """

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor, tokenizer, None, chat_template=chat_template, **kwargs)


def load_processor(name_or_path, min_pixels=None, max_pixels=None):
    """Tokenizer + PIL image processor + chat template from a folder or hub name, as one processor.

    Built from its parts rather than AutoProcessor so that no torchvision-backed class is ever chosen.
    min/max_pixels bound each image's area (Qwen2.5-VL resizes to multiples of 28 inside those bounds).
    """
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    image_processor = Qwen2VLImageProcessorPil.from_pretrained(name_or_path)
    if min_pixels or max_pixels:
        image_processor.size = {"shortest_edge": min_pixels or image_processor.size["shortest_edge"],
                                "longest_edge": max_pixels or image_processor.size["longest_edge"]}
    template = tokenizer.chat_template
    if template is None and os.path.isdir(name_or_path):
        path = os.path.join(name_or_path, "chat_template.jinja")
        template = open(path).read() if os.path.isfile(path) else None
    return ImageOnlyProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=template)


def load_model(name_or_path, dtype=torch.float32, attn_implementation=None):
    """The policy, from a folder or the hub, through the ordinary from_pretrained path.

    Weights load from safetensors only; trust_remote_code stays off (Qwen2.5-VL is built into transformers).
    """
    kwargs = {"attn_implementation": attn_implementation} if attn_implementation else {}
    return Qwen2_5_VLForConditionalGeneration.from_pretrained(name_or_path, dtype=dtype, use_safetensors=True, **kwargs)


def check_model_path(name_or_path):
    """Fail early with one clear message when the model is neither a folder nor a hub name ("org/name")."""
    if os.path.isdir(name_or_path):
        return
    if re.fullmatch(r"[\w.-]+/[\w.-]+", name_or_path) and not name_or_path.startswith("."):
        return  # a hub name: from_pretrained fetches it (or finds it in the local cache)
    raise FileNotFoundError(f"model not found: {name_or_path!r} is neither a folder nor a hub name like "
                            f"'Qwen/Qwen2.5-VL-7B-Instruct'")


# ---------------------------------------------------------------------------------------------------------
# Evaluation


@torch.no_grad()
def evaluate_samples(model, processor, samples, batch_size=8, max_completion_length=256, temperature=0.0,
                     system_prompt=None, blind=False, progress=None):
    """Decode one completion per sample and grade it. Returns (summary dict, per-sample rows)."""
    rows = []
    batches = range(0, len(samples), batch_size)
    for start in (progress(batches) if progress else batches):
        chunk = samples[start:start + batch_size]
        out = grpo.rollout(model, processor, chunk, 1, max_completion_length, temperature=temperature,
                           system_prompt=system_prompt, blind=blind)
        for sample, text in zip(chunk, out["texts"]):
            s = rewards.score(text, sample)
            rows.append({"id": sample["id"], "game": sample["game"], "level": sample.get("level", {}),
                         "completion": text, **s})
    return summarize(rows), rows


def summarize(rows):
    """Accuracy, format rate and mean reward overall, per game, and per game and difficulty level."""
    groups = defaultdict(list)
    for r in rows:
        groups["all"].append(r)
        groups[r["game"]].append(r)
        for key, value in sorted(r["level"].items()):
            groups[f"{r['game']} {key}={value}"].append(r)
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0
    return {name: {"n": len(rs), "accuracy": mean([r["accuracy"] for r in rs]),
                   "format": mean([1.0 if r["format"] > 0 else 0.0 for r in rs]),
                   "reward": mean([r["reward"] for r in rs])} for name, rs in groups.items()}


def markdown_table(summary, title):
    lines = [f"### {title}", "", "| split | n | accuracy | format | reward |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {s['n']} | {100 * s['accuracy']:.1f}% | {100 * s['format']:.1f}% | {s['reward']:.3f} |"
              for name, s in summary.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------
# CLI


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="checkpoint folder or hub model name")
    p.add_argument("--data", default=None, help="dataset folder (metadata.jsonl + images/); default: generate Snake test samples")
    p.add_argument("--n", type=int, default=64, help="number of generated test samples (ignored with --data)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated test stream (disjoint from training's)")
    p.add_argument("--board-size", type=int, default=None, help="Snake board size; default: the checkpoint's training config, else 10")
    p.add_argument("--num-apples", type=int, default=None, help="Snake apples; default: from the checkpoint, else 5")
    p.add_argument("--image-size", type=int, default=None, help="image side in pixels; default: from the checkpoint, else 448")
    p.add_argument("--batch-size", type=int, default=8, help="prompts decoded together")
    p.add_argument("--max-completion-length", type=int, default=None, help="max new tokens; default: from the checkpoint, else 4096")
    p.add_argument("--blind", action="store_true", help="replace every image by a blank one (the no-vision control)")
    p.add_argument("--out", default=None, help="folder for eval.json and eval.md; default: the model folder, else ./eval")
    args = p.parse_args(argv)

    from tqdm import tqdm
    try:
        check_model_path(args.model)
        trained = _training_config(args.model)
        game_cfg = snake.SnakeConfig(
            width=args.board_size or trained.get("board_size", 10), height=args.board_size or trained.get("board_size", 10),
            num_apples=args.num_apples or trained.get("num_apples", 5), image_size=args.image_size or trained.get("image_size", 448),
            max_length=trained.get("max_snake_length", 5), answer_format=trained.get("answer_format", "vigal"))
        samples = read_dataset(args.data) if args.data else snake.generate(args.n, args.seed, "test", game_cfg)
    except (FileNotFoundError, DatasetError, ValueError) as e:
        sys.exit(f"evaluate.py: {e}")
    processor = load_processor(args.model, trained.get("min_pixels"), trained.get("max_pixels"))
    model = load_model(args.model).eval()
    t0 = time.time()
    summary, rows = evaluate_samples(
        model, processor, samples, args.batch_size, args.max_completion_length or trained.get("max_completion_length", 4096),
        system_prompt=trained.get("system_prompt") or None, blind=args.blind,
        progress=lambda it: tqdm(it, desc="evaluating", unit="batch"))
    out_dir = args.out or (args.model if os.path.isdir(args.model) else "eval")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "eval.json"), "w") as f:
        json.dump({"model": args.model, "seconds": time.time() - t0, "summary": summary, "samples": rows}, f, indent=1)
    table = markdown_table(summary, f"{args.model} ({'blind' if args.blind else 'with images'})")
    with open(os.path.join(out_dir, "eval.md"), "w") as f:
        f.write(table)
    print(table)
    print(f"wrote {os.path.join(out_dir, 'eval.json')} and eval.md")
    return summary


def _training_config(model_dir):
    """The resolved training config saved beside a checkpoint (train.py writes train_config.json), or {}."""
    path = os.path.join(model_dir, "train_config.json")
    return json.load(open(path)) if os.path.isfile(path) else {}


if __name__ == "__main__":
    main()
