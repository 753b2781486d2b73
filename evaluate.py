"""Evaluate a Qwen2.5-VL checkpoint (a folder or a model name) on held-out game samples.

Greedy decoding (ViGaL's protocol, SPEC §7) on the test split, whose seed stream never meets training's,
graded by rewards.py; accuracy overall, per game and per level, printed and written as JSON and Markdown.
The games and their settings default to the checkpoint's own training config (train_config.json), or to
the papers' settings for a hub model.

    python evaluate.py --model runs/tiny/checkpoint-000300                  # the default run's checkpoint
    python evaluate.py --model runs/tiny/checkpoint-000300 --blind          # the same, every image blanked
    python evaluate.py --model Qwen/Qwen2.5-VL-7B-Instruct --games snake,rotation --n 500
    python evaluate.py --model runs/vigal/checkpoint-000300 --data data/snake_test   # a dataset folder
    python evaluate.py --model runs/gamerl/checkpoint-002500 --n 1000     # GameQA: in-domain vs out-of-domain
"""
import argparse
import dataclasses
import json
import os
import sys
import time
from collections import defaultdict

from tqdm import tqdm

import train
from gameqa import DatasetError, read_dataset

LEVEL_KEYS = ("difficulty", "plot_level", "qa_level", "qa_type")  # the level fields reported separately

# ---------------------------------------------------------------------------------------------------------
# Reports


def summarize(rows):
    """Accuracy, format rate and mean reward overall, per game, and per game and difficulty level."""
    groups = defaultdict(list)
    for r in rows:
        groups["all"].append(r)
        groups[r["game"]].append(r)
        if r.get("split_group"):  # GameQA: generalisation is in-domain vs out-of-domain games (SPEC §4)
            groups[f"gameqa {r['split_group']}"].append(r)
        for key in LEVEL_KEYS:
            if key in r["level"]:
                groups[f"{r['game']} {key}={r['level'][key]}"].append(r)
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0
    return {name: {"n": len(rs), "accuracy": mean([r["accuracy"] for r in rs]),
                   "format": mean([1.0 if r["format"] > 0 else 0.0 for r in rs]),
                   "reward": mean([r["reward"] for r in rs])}
            for name, rs in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0]))}


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
    p.add_argument("--data", default=None, help="dataset folder (metadata.jsonl + images/) instead of generated test samples")
    p.add_argument("--games", default=None, help="comma-separated games to generate test samples for; default: the checkpoint's")
    p.add_argument("--gameqa-games", default="all", help="GameQA games to test: all (default), in-domain, out-of-domain, or names")
    p.add_argument("--n", type=int, default=64, help="generated test samples (ignored with --data)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated test stream (disjoint from training's by split)")
    p.add_argument("--batch-size", type=int, default=8, help="prompts decoded together")
    p.add_argument("--max-completion-length", type=int, default=None, help="max new tokens; default: the checkpoint's training value")
    p.add_argument("--blind", action="store_true", help="replace every image by a blank one (the no-vision control)")
    p.add_argument("--out", default=None, help="folder for eval.json and eval.md; default: the model folder, else ./eval")
    args = p.parse_args(argv)
    try:
        train.check_model_path(args.model)
        cfg = checkpoint_config(args.model)
        cfg = train.validate(dataclasses.replace(cfg, games=args.games or cfg.games, gameqa_games=args.gameqa_games))
        if args.data:
            samples = read_dataset(args.data)
        else:
            sample_at = train.make_sampler(cfg, split="test")
            samples = [sample_at(i) for i in range(args.n)]
        processor = train.load_processor(args.model, cfg.min_pixels, cfg.max_pixels)
        model = train.load_model(args.model).eval()
    except (FileNotFoundError, DatasetError, train.ConfigError, OSError) as e:
        sys.exit(f"evaluate.py: error: {e}")
    t0 = time.time()
    rows = train.evaluate_samples(model, processor, samples, args.batch_size,
                                  args.max_completion_length or cfg.max_completion_length, cfg.system_prompt or None,
                                  args.blind, cfg.eval_temperature, progress=lambda it: tqdm(it, desc="evaluating", unit="batch"))
    summary = summarize(rows)
    out_dir = args.out or (args.model if os.path.isdir(args.model) else "eval")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "eval.json"), "w") as f:
        json.dump({"model": args.model, "blind": args.blind, "seconds": time.time() - t0, "summary": summary,
                   "samples": rows}, f, indent=1)
    table = markdown_table(summary, f"{args.model} ({'blind' if args.blind else 'with images'})")
    with open(os.path.join(out_dir, "eval.md"), "w") as f:
        f.write(table)
    print(table)
    print(f"wrote {os.path.join(out_dir, 'eval.json')} and eval.md")
    return summary


def checkpoint_config(model_dir):
    """The training config saved beside a checkpoint (train_config.json); the papers' defaults otherwise."""
    path = os.path.join(model_dir, "train_config.json")
    if not os.path.isfile(path):
        return train.Config()
    fields = {f.name for f in dataclasses.fields(train.Config)}
    return train.Config(**{k: v for k, v in json.load(open(path)).items() if k in fields})


if __name__ == "__main__":
    main()
