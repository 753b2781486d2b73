"""Evaluate Qwen2.5-VL checkpoints the way ViGaL (arXiv 2506.08011 §4) and Game-RL (arXiv 2505.13886 §5) do:
games, Snake play, benchmarks, side by side.

Four modes, one per concern, all on the same model loading, batched decoding and rule-based grading:

    games    held-out game questions (snake, rotation, gameqa) from the test seed stream, which training never
             sees; accuracy overall, per game, per level, per GameQA task (question_id), in-domain vs
             out-of-domain. `python evaluate.py --model X` (no mode) is this mode.
    play     the model plays full Snake games (two snakes, apples) against a scripted opponent or another
             model; wins, losses, draws, apples eaten and unreadable answers over N games, a few saved as GIFs.
    bench    MathVista testmini, MathVerse testmini, MathVision test, MMMU val, MMMU-Pro (standard, 10 options)
             through `datasets.load_dataset`: from the hub, or a local folder / parquet / jsonl in the same schema.
    compare  a base model and a trained checkpoint on the same games (and benchmarks, and head-to-head Snake
             games), one table with deltas next to the papers' reported numbers.

A model is asked under a protocol: a training config's games, prompt, answer format, image bounds, max new tokens
and decoding (greedy for ViGaL and the tiny demo, temperature 0.2 for Game-RL: Config.eval_temperature). It is the
checkpoint's own train_config.json; a model without one (a base model, a hub name) gets the vigal preset's, or,
beside a trained model (compare, play --opponent), that model's; --protocol names another (a preset or a
checkpoint). So base and trained are always asked alike. The protocol is printed and saved in every report;
--temperature and --max-new-tokens override it. Every mode writes JSON (every sample or game) and Markdown.

train.py calls this file too, for a run's own evaluation: held-out accuracy before and after training
(held_out_accuracy) and the end-of-run report (write_run_report: report.md, curve.png, rollouts/). The arrows
run one way: evaluate.py never imports train.py; a checkpoint's saved config is read into config.Config, and
models load through model.py.

Where this deviates from the papers, and why:
    1. Grading is by rule only (rewards.score_math): ViGaL falls back to GPT-4o when its rules fail and judges
       MathVerse with GPT-4o; Game-RL judges everything with an LLM. No judge is reachable here, and rules
       are reproducible; expect our numbers to be somewhat lower than judged ones on free-form answers.
    2. The evaluation system prompt is our own wording of ViGaL's (reason first, final answer in \\boxed{}
       inside <answer></answer>).
    3. Snake play: ViGaL does not publish its match rules; ours are in snake.play_matches (a snake that dies
       alone loses; simultaneous deaths and the turn limit go to the snake with more apples). An unreadable
       answer keeps the snake going straight, and is counted.
    4. CharXiv and MMBench (in Game-RL's seven) are not included: CharXiv's reasoning answers are graded by
       GPT-4o in its own protocol, and MMBench's circular evaluation needs its own harness.

Commands:
    python evaluate.py --model runs/tiny/checkpoint-000300                           # games (the default mode)
    python evaluate.py games --model runs/gamerl/checkpoint-002500 --n 1000           # GameQA, per task and split
    python evaluate.py play --model runs/tiny/checkpoint-000300 --opponent greedy --games 10
    python evaluate.py play --model runs/vigal/checkpoint-000600 --opponent Qwen/Qwen2.5-VL-7B-Instruct --games 10
    python evaluate.py bench --model Qwen/Qwen2.5-VL-7B-Instruct --benchmarks mathvista,mathverse,mathvision,mmmu
    python evaluate.py bench --model X --benchmarks mathvista --source mathvista=/data/MathVista   # a local copy
    python evaluate.py compare --base Qwen/Qwen2.5-VL-7B-Instruct --trained runs/vigal/checkpoint-000600 \\
        --benchmarks mathvista,mmmu --play-games 10
    python evaluate.py MODE --help                                                    # every option of a mode
"""
import argparse
import ast
import dataclasses
import glob
import io
import json
import math
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

import torch
from PIL import Image, ImageDraw, ImageFont
from tqdm import tqdm

import grpo
import rewards
import snake
from config import PRESETS, Config, ConfigError, validate
from data import make_sampler
from model import ModelError, check_model_path, load_model, load_processor, read_json
from records import DatasetError, load_data, load_images, output_folder_problem, with_images

LEVEL_KEYS = ("difficulty", "plot_level", "qa_level", "qa_type")  # the level fields reported separately


class EvalError(ValueError):
    """A bad model, benchmark, source or option: reported as one line, without a traceback."""


# ---------------------------------------------------------------------------------------------------------
# Reports


def summarize(rows):
    """Accuracy, format rate and mean reward overall, per game, per game and level, per GameQA task."""
    groups = defaultdict(list)
    for r in rows:
        groups["all"].append(r)
        groups[r["game"]].append(r)
        if r.get("split_group"):  # GameQA: generalisation is in-domain vs out-of-domain games (Game-RL §3)
            groups[f"gameqa {r['split_group']}"].append(r)
        for key in LEVEL_KEYS:
            if key in r["level"]:
                groups[f"{r['game']} {key}={r['level'][key]}"].append(r)
        if r.get("question_id") is not None:  # a GameQA task: one question template of one game
            groups[f"{r['game']} task={r['question_id']}"].append(r)
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


def write_report(out_dir, stem, report, markdown):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, f"{stem}.json"), "w") as f:
        json.dump(report, f, indent=1, default=str)
    with open(os.path.join(out_dir, f"{stem}.md"), "w") as f:
        f.write(markdown)
    print(markdown)
    print(f"wrote {os.path.join(out_dir, stem + '.json')} and {stem}.md")


# ---------------------------------------------------------------------------------------------------------
# The protocol and the model. A protocol is a training config read for what decides how a model is asked: the
# games and their settings, the system prompt and answer format (and answer words), the image bounds, the max
# new tokens and the decoding. Every model a comparison puts side by side is asked under one protocol, so that
# the comparison measures the models, not the rules (fewer tokens, another prompt or smaller images for one).


def checkpoint_config(model_dir):
    """The training config saved beside a checkpoint (train_config.json); None for a model not trained here (a
    hub name, a folder without one)."""
    path = os.path.join(model_dir, "train_config.json")
    if not os.path.isfile(path):
        return None
    try:
        saved = read_json(path)
    except ModelError as e:
        raise EvalError(str(e)) from None
    fields = {f.name for f in dataclasses.fields(Config)}
    return Config(**{k: v for k, v in saved.items() if k in fields})


def named_protocol(name):
    """--protocol: a preset name (vigal, gamerl) or a checkpoint folder, whose train_config.json is the protocol."""
    if name in PRESETS:
        return Config(**PRESETS[name], preset=name), f"the {name} preset's"
    cfg = checkpoint_config(name) if os.path.isdir(name) else None
    if cfg is None:
        raise EvalError(f"--protocol {name!r} is neither a preset ({', '.join(PRESETS)}) nor a checkpoint folder "
                        f"with a train_config.json")
    return cfg, f"{name}'s"


def protocol_for(model_path, protocol=None, fallback=None):
    """(Config, where it comes from) for the model at model_path: --protocol if given, else the model's own
    train_config.json, else `fallback` ((Config, source): the protocol of the model it is compared with), else the
    vigal preset's, as ViGaL evaluates its base model (a hub name has no train_config.json). Never silent: the
    caller prints describe_protocol."""
    if protocol:
        return named_protocol(protocol)
    own = checkpoint_config(model_path) if os.path.isdir(model_path) else None
    if own is not None:
        return own, f"{model_path}'s train_config.json"
    if fallback is not None:
        return fallback
    return Config(**PRESETS["vigal"], preset="vigal"), ("the vigal preset's (no train_config.json; --protocol "
                                                        "CHECKPOINT asks it as that checkpoint was asked)")


def bench_max_new_tokens(cfg, args):
    """--max-new-tokens, else ViGaL's 4096 for the papers' presets, else the run's own completion length."""
    return args.max_new_tokens or (4096 if cfg.preset in PRESETS else cfg.max_completion_length)


def protocol_record(cfg, source, args):
    """The protocol as a report records it: every setting that decides how the model was asked."""
    return {"source": source, "games": cfg.games, "answer_format": cfg.answer_format, "answer_words": cfg.answer_words,
            "system_prompt": cfg.system_prompt, "min_pixels": cfg.min_pixels, "max_pixels": cfg.max_pixels,
            "max_new_tokens": args.max_new_tokens or cfg.max_completion_length,
            "bench_max_new_tokens": bench_max_new_tokens(cfg, args), "temperature": decoding(cfg, args)}


def describe_protocol(model_path, cfg, source, args):
    """One line: which protocol a model is evaluated under, and what it sets."""
    r = protocol_record(cfg, source, args)
    words = f", words {r['answer_words']}" if r["answer_words"] else ""
    prompt = r["system_prompt"]
    system = repr(prompt[:40] + ("..." if len(prompt) > 40 else "")) if prompt else "none"
    return (f"protocol for {model_path}: {source}: games {r['games']} (Snake answers: {r['answer_format']}{words}), "
            f"max {r['max_new_tokens']} new tokens (benchmarks {r['bench_max_new_tokens']}), temperature "
            f"{r['temperature']}, images {r['min_pixels']}-{r['max_pixels']} px, system prompt {system}")


def load(model_path, cfg):
    """(processor, model) for a checkpoint folder or hub name, set up for protocol `cfg`: its image bounds, and
    decoding restricted to its answer words if it has any (the tiny demo's). On a GPU in bfloat16, else float32."""
    try:
        check_model_path(model_path)  # a folder that is not a whole model is named here, before anything loads
    except ModelError as e:
        raise EvalError(str(e)) from None
    try:
        processor = load_processor(model_path, cfg.min_pixels, cfg.max_pixels)
        cuda = torch.cuda.is_available()
        model = load_model(model_path, torch.bfloat16 if cuda else torch.float32).eval()
    except (OSError, TypeError) as e:  # offline hub, a foreign train_config
        raise EvalError(f"could not load model {model_path!r}: {str(e).splitlines()[0]}") from None
    if cfg.answer_words:  # constrained decoding: the model answers as the protocol's run was trained to
        try:
            grpo.restrict_vocabulary(model, grpo.answer_token_ids(processor.tokenizer, cfg.answer_words))
        except ValueError as e:
            raise EvalError(f"answer words {cfg.answer_words!r} of {model_path!r}: {e}") from None
    return processor, model.to("cuda") if cuda else model


def load_under_protocol(model_path, protocol, args, fallback=None):
    """(cfg, source, processor, model): protocol_for, said out loud, then load."""
    cfg, source = protocol_for(model_path, protocol, fallback)
    print(describe_protocol(model_path, cfg, source, args))
    return (cfg, source, *load(model_path, cfg))


def decoding(cfg, args):
    """Temperature: --temperature, else the preset's (ViGaL greedy, Game-RL 0.2: Config.eval_temperature)."""
    return cfg.eval_temperature if args.temperature is None else args.temperature


def progress_bar(desc):
    return lambda it: tqdm(it, desc=desc, unit="batch")


# ---------------------------------------------------------------------------------------------------------
# Decoding and grading: one completion per sample, graded by the training rewards (every mode, and train.py)


@torch.no_grad()
def evaluate_samples(model, processor, samples, batch_size, max_completion_length, system_prompt=None, blind=False,
                     temperature=0.0, progress=None):
    """Decode one completion per sample (greedy by default) and grade it; one row per sample."""
    rows = []
    batches = range(0, len(samples), batch_size)
    for start in (progress(batches) if progress else batches):
        chunk = [with_images(s) for s in samples[start:start + batch_size]]
        out = grpo.rollout(model, processor, chunk, 1, max_completion_length, temperature=temperature,
                           system_prompt=system_prompt, blind=blind)
        for sample, text in zip(chunk, out["texts"]):
            s = rewards.score(text, sample)
            rows.append({"id": sample["id"], "game": sample["game"], "level": sample.get("level", {}),
                         "split_group": sample.get("split_group"), "question_id": sample.get("question_id"),
                         "completion": text, **s})
    return rows


# ---------------------------------------------------------------------------------------------------------
# Mode 1: games -- held-out game questions, graded by the training rewards


def game_samples(cfg, args):
    """The test split of the checkpoint's games (or --games), or the records at --data (records.load_data)."""
    if args.data:
        return load_data(args.data)
    cfg = validate(dataclasses.replace(cfg, games=args.games or cfg.games, gameqa_games=args.gameqa_games,
                                       seed=cfg.seed if args.seed is None else args.seed))
    sample_at = make_sampler(cfg, split="test")
    return [sample_at(i) for i in range(args.n)]


def evaluate_games(model, processor, cfg, samples, args, desc="games"):
    """One greedy (or preset-temperature) completion per sample, graded; rows carry the GameQA task id."""
    return evaluate_samples(model, processor, samples, args.batch_size, args.max_new_tokens or cfg.max_completion_length,
                            cfg.system_prompt or None, args.blind, decoding(cfg, args), progress=progress_bar(desc))


def run_games(args):
    cfg, source = protocol_for(args.model, args.protocol)
    samples = game_samples(cfg, args)  # data errors surface before the model loads
    print(describe_protocol(args.model, cfg, source, args))
    processor, model = load(args.model, cfg)
    t0 = time.time()
    rows = evaluate_games(model, processor, cfg, samples, args)
    summary = summarize(rows)
    table = markdown_table(summary, f"{args.model} ({'blind' if args.blind else 'with images'}, "
                                    f"temperature {decoding(cfg, args)})")
    # the blind control gets its own files: it must not overwrite the with-images report of the same checkpoint
    write_report(report_folder(args), "eval-blind" if args.blind else "eval",
                 {"model": args.model, "blind": args.blind, "temperature": decoding(cfg, args),
                  "protocol": protocol_record(cfg, source, args), "seconds": time.time() - t0,
                  "summary": summary, "samples": rows}, table)
    return summary


# ---------------------------------------------------------------------------------------------------------
# Mode 2: play -- full Snake games, the model against a scripted opponent or another model

SCRIPTED = {"greedy": 0.0, "eps": 0.2, "random": 1.0}  # opponent -> chance of a random safe move (snake.agent_move)


def model_policy(model, processor, cfg, snake_cfg, args, transcript):
    """A batched policy for snake.play_matches: render each board, ask the model, read its move.

    The prompt is the training prompt (snake.make_prompt with the checkpoint's answer_format), so the model
    sees exactly the kind of question it was trained on; `transcript` keeps every raw answer.
    """
    answer_format = cfg.answer_format

    def policy(requests):
        samples = []
        for game, i in requests:
            state = snake.state_record(game, i, snake_cfg)
            samples.append({"id": "play", "images": [snake.render(state, snake_cfg.image_size)],
                            "prompt": snake.make_prompt(state, answer_format)})
        texts = []
        for start in range(0, len(samples), args.batch_size):
            out = grpo.rollout(model, processor, samples[start:start + args.batch_size], 1,
                               args.max_new_tokens or cfg.max_completion_length, temperature=decoding(cfg, args),
                               system_prompt=cfg.system_prompt or None)
            texts += out["texts"]
        moves = [rewards.snake_move(t, answer_format) for t in texts]  # the reward's own reader
        transcript.extend({"completion": t, "move": m} for t, m in zip(texts, moves))
        return moves
    return policy


def play_summary(results, names):
    """Wins/losses/draws of policy 0 (the model) against policy 1, apples and invalid answers of both."""
    n = len(results)
    wins = sum(r["winner"] == 0 for r in results)
    losses = sum(r["winner"] == 1 for r in results)
    turns = sum(r["turns"] for r in results)
    return {"games": n, "wins": wins, "losses": losses, "draws": n - wins - losses,
            "mean_turns": turns / max(n, 1),
            **{side: {"name": names[p], "apples": sum(r["apples"][p] for r in results),
                           "apples_per_game": sum(r["apples"][p] for r in results) / max(n, 1),
                           "invalid": sum(r["invalid"][p] for r in results), "moves": turns}
               for p, side in enumerate(("model", "opponent"))}}


def play_markdown(s, title):
    m, o = s["model"], s["opponent"]
    rate = lambda side: f"{side['invalid']} / {side['moves']} ({100 * side['invalid'] / max(side['moves'], 1):.1f}%)"
    return "\n".join([
        f"### {title}", "",
        f"| | {m['name']} | {o['name']} |", "|---|---|---|",
        f"| wins | {s['wins']} / {s['games']} | {s['losses']} / {s['games']} |",
        f"| draws | {s['draws']} | {s['draws']} |",
        f"| apples eaten (per game) | {m['apples']} ({m['apples_per_game']:.2f}) | {o['apples']} ({o['apples_per_game']:.2f}) |",
        f"| invalid answers | {rate(m)} | {rate(o)} |",
        f"| mean game length (turns) | {s['mean_turns']:.1f} | |"]) + "\n"


def save_gif(result, snake_cfg, names, path, frame_ms=350):
    """An animated GIF of one game: the board each turn, and a caption with the turn and apples."""
    frames = []
    colours = snake.SNAKE_COLOUR_NAMES
    for t, frame in enumerate(result["frames"]):
        state = {"width": snake_cfg.width, "height": snake_cfg.height, **frame}
        board = snake.render(state, snake_cfg.image_size)
        image = Image.new("RGB", (board.width, board.height + 36), "white")
        image.paste(board, (0, 0))
        apples = [len(body) - 1 for body in frame["snakes"]]
        caption = (f"turn {t}   " + "   ".join(f"{colours[s]} ({names[result['seats'].index(s)]}): {apples[s]}"
                                               for s in range(2)))
        if t == len(result["frames"]) - 1:  # the last frame says how it ended
            caption += "   draw" if result["winner"] is None else f"   {names[result['winner']]} wins"
        ImageDraw.Draw(image).text((6, board.height + 10), caption, fill=(0, 0, 0))
        frames.append(image)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=frame_ms, loop=0)


def run_play(args, one_protocol=False):
    """The model under its protocol (protocol_for); a model opponent as it was trained (its own train_config.json)
    or, without one (a base model) or with one_protocol (compare), under the model's protocol."""
    cfg, source, processor, model = load_under_protocol(args.model, args.protocol, args)
    snake_cfg = snake.SnakeConfig(width=args.board_size or cfg.board_size, height=args.board_size or cfg.board_size,
                                  num_apples=args.num_apples or cfg.num_apples,
                                  image_size=args.image_size or cfg.image_size, answer_format=cfg.answer_format)
    try:
        snake.check_config(dataclasses.replace(snake_cfg, max_length=1))
    except ValueError as e:
        raise EvalError(f"play: {e}") from None
    transcripts = {"model": [], "opponent": []}
    policies = [model_policy(model, processor, cfg, snake_cfg, args, transcripts["model"])]
    if args.opponent in SCRIPTED:
        policies.append(snake.scripted_policy(snake_cfg, args.seed or 0, SCRIPTED[args.opponent]))
    else:  # a model: asked as it was trained (its train_config.json), else (a base model) as the model is asked
        if one_protocol:
            other_cfg = cfg
            print(describe_protocol(args.opponent, cfg, source, args))
            other_processor, other_model = load(args.opponent, cfg)
        else:
            other_cfg, _, other_processor, other_model = load_under_protocol(args.opponent, None, args, (cfg, source))
        policies.append(model_policy(other_model, other_processor, other_cfg, snake_cfg, args, transcripts["opponent"]))
    names = [args.model, args.opponent]
    t0 = time.time()
    results = snake.play_matches(policies, args.games, args.seed or 0, snake_cfg, args.max_turns)
    summary = play_summary(results, names)
    out_dir = report_folder(args)
    os.makedirs(out_dir, exist_ok=True)
    short = [os.path.basename(os.path.normpath(n)) or n for n in names]
    for g, result in enumerate(results[:args.gifs]):
        save_gif(result, snake_cfg, short, os.path.join(out_dir, f"game-{g:03d}.gif"))
    games = [{k: v for k, v in r.items() if k != "frames"} for r in results]
    title = (f"Snake play: {args.model} vs {args.opponent} ({snake_cfg.width}x{snake_cfg.height}, "
             f"{snake_cfg.num_apples} apples, up to {args.max_turns} turns)")
    write_report(out_dir, "play", {"model": args.model, "opponent": args.opponent, "seconds": time.time() - t0,
                                   "board": dataclasses.asdict(snake_cfg), "max_turns": args.max_turns,
                                   "protocol": protocol_record(cfg, source, args),
                                   "summary": summary, "games": games,
                                   "transcripts": {k: v[:200] for k, v in transcripts.items()}},
                 play_markdown(summary, title) + f"\nGIFs of the first {min(args.gifs, len(results))} games in {out_dir}\n")
    return summary


# ---------------------------------------------------------------------------------------------------------
# Mode 3: bench -- math and multi-discipline benchmarks, each normalised into a sample record (see the README)

# Our wording of ViGaL's evaluation system prompt (ViGaL §4): reason first, final answer boxed inside <answer>.
BENCH_SYSTEM_PROMPT = ("Solve the problem by reasoning step by step before you answer. Put your reasoning between "
                       "<think> and </think>, then give the final answer between <answer> and </answer>, written "
                       "inside \\boxed{}. For a multiple-choice question, put only the letter of the correct option "
                       "in the box.")
LETTERS = "ABCDEFGHIJ"
MMMU_SUBJECTS = (  # MMMU/MMMU on the hub has one config per subject; validation = 30 per subject, 900 in all
    "Accounting Agriculture Architecture_and_Engineering Art Art_Theory Basic_Medical_Science Biology Chemistry "
    "Clinical_Medicine Computer_Science Design Diagnostics_and_Laboratory_Medicine Economics Electronics "
    "Energy_and_Power Finance Geography History Literature Manage Marketing Materials Math Mechanical_Engineering "
    "Music Pharmacy Physics Psychology Public_Health Sociology").split()


class BenchmarkError(EvalError):
    """An unknown benchmark, an unreachable or malformed source, or a row that cannot be graded."""


@dataclass(frozen=True)
class Benchmark:
    title: str  # the name papers use
    hub: str  # dataset repository on the Hugging Face hub
    split: str  # the split the papers report
    columns: tuple  # columns a source must have (the schema check)
    convert: Callable  # (row, root folder of a local source) -> sample record
    configs: tuple = (None,)  # hub configs concatenated (MMMU: one per subject)


def _image(value, root, where):
    """A PIL image from what a datasets row holds: a decoded image, {"bytes", "path"}, or a path string."""
    if value is None or isinstance(value, Image.Image):
        return value
    if isinstance(value, dict):
        if value.get("bytes"):
            return Image.open(io.BytesIO(value["bytes"]))
        value = value.get("path")
        if not value:
            return None
    if isinstance(value, str):
        path = value if os.path.isabs(value) or root is None else os.path.join(root, value)
        if not os.path.isfile(path):
            raise BenchmarkError(f"{where}: image {value!r} not found (paths are relative to the source's folder)")
        return Image.open(path)
    raise BenchmarkError(f"{where}: cannot read an image from a {type(value).__name__}")


def _lettered(options):
    return "\n".join(f"({LETTERS[i]}) {o}" for i, o in enumerate(options))


def _letter_of(gold, options, where, gold_is_text=False):
    """A multiple-choice gold as a letter. MMMU and MathVision store the letter; MathVista stores the option's
    text (gold_is_text), which is looked up first there, so an option that is itself "A" is not misread."""
    gold = str(gold).strip()
    exact = [i for i, o in enumerate(options) if str(o).strip() == gold]
    is_letter = re.fullmatch(r"[A-J]", gold) and ord(gold) - ord("A") < max(len(options), 1)
    if gold_is_text and len(exact) == 1:
        return LETTERS[exact[0]]
    if is_letter:
        return gold
    if len(exact) == 1:
        return LETTERS[exact[0]]
    raise BenchmarkError(f"{where}: answer {gold!r} is neither an option letter nor exactly one option's text")


def _mathvista(row, root):
    where = f"MathVista pid {row['pid']}"
    image = _image(row.get("decoded_image"), root, where) or _image(row.get("image"), root, where)
    choices = list(row.get("choices") or [])
    multi = row["question_type"] == "multi_choice" and choices
    prompt = row.get("query") or (row["question"] + (f"\nChoices:\n{_lettered(choices)}" if multi else ""))
    record = {"id": f"mathvista-{row['pid']}", "answer": _letter_of(row["answer"], choices, where, gold_is_text=True) if multi else row["answer"],
              "prompt": prompt, "images": [image] if image else [],
              "answer_type": row["answer_type"], "precision": row.get("precision"), "unit": row.get("unit") or "",
              "level": {"category": (row.get("metadata") or {}).get("task") or row["question_type"]}}
    return {**record, "options": choices} if multi else record


def _parse_inline_choices(question):
    """MathVerse writes its choices in the question: "Choices:\\nA:3\\nB:4 ..." -> ["3", "4", ...] (or [])."""
    _, found, tail = question.partition("Choices:")
    if not found:
        return []
    parts = re.split(r"(?:^|\n|\s)([A-J])\s*[:.)]\s*", tail)
    labels, texts = parts[1::2], [t.strip() for t in parts[2::2]]
    return texts if labels and labels == list(LETTERS[:len(labels)]) else []


def _mathverse(row, root):
    where = f"MathVerse sample_index {row['sample_index']}"
    image = _image(row.get("image"), root, where)
    record = {"id": f"mathverse-{row['sample_index']}", "prompt": row["question"], "answer": str(row["answer"]).strip(),
              "images": [image] if image else [], "level": {"category": row.get("problem_version") or ""}}
    if row["question_type"] == "multi-choice" and re.fullmatch(r"[A-J]", record["answer"]):
        record["options"] = _parse_inline_choices(row["question"])  # empty: the letter alone decides
    return record


def _mathvision(row, root):
    where = f"MathVision id {row['id']}"
    image = _image(row.get("decoded_image"), root, where) or _image(row.get("image"), root, where)
    options = [str(o) for o in (row.get("options") or [])]
    record = {"id": f"mathvision-{row['id']}", "images": [image] if image else [],
              "prompt": row["question"] + (f"\nOptions:\n{_lettered(options)}" if options else ""),
              "answer": _letter_of(row["answer"], options, where) if options else str(row["answer"]).strip(),
              "level": {"category": f"{row.get('subject', '')} (level {row.get('level', '?')})"}}
    return {**record, "options": options} if options else record


def _mmmu_options(value, where):
    if isinstance(value, (list, tuple)):
        return [str(o) for o in value]
    try:  # MMMU stores options as the text of a Python list: "['12 kg', '15 kg']"; data, not model output
        options = ast.literal_eval(value or "[]")
    except (ValueError, SyntaxError):
        raise BenchmarkError(f"{where}: options {value!r} are not a list") from None
    return [str(o) for o in options]


def _mmmu(row, root, name="mmmu"):
    where = f"{name} id {row['id']}"
    images = [im for im in (_image(row.get(f"image_{k}"), root, where) for k in range(1, 8)) if im is not None]
    options = _mmmu_options(row.get("options"), where)
    multi = row.get("question_type", "multiple-choice") == "multiple-choice" and options
    prompt = row["question"]
    if len(images) > 1:  # the question refers to <image 1>, <image 2>...: say which picture is which
        prompt = f"The images are <image 1> to <image {len(images)}>, in order.\n{prompt}"
    if multi:
        prompt += f"\nOptions:\n{_lettered(options)}"
    subject = row.get("subject") or "_".join(str(row["id"]).split("_")[1:-1])  # "validation_Art_Theory_12"
    record = {"id": f"{name}-{row['id']}", "images": images, "prompt": prompt,
              "answer": _letter_of(row["answer"], options, where) if multi else row["answer"],
              "level": {"category": subject}}
    return {**record, "options": options} if multi else record


BENCHMARKS = {
    "mathvista": Benchmark("MathVista", "AI4Math/MathVista", "testmini",
                           ("pid", "question", "choices", "answer", "question_type", "answer_type", "precision"),
                           _mathvista),
    "mathverse": Benchmark("MathVerse", "AI4Math/MathVerse", "testmini",
                           ("sample_index", "problem_version", "question", "image", "answer", "question_type"),
                           _mathverse, configs=("testmini",)),
    "mathvision": Benchmark("MathVision", "MathLLMs/MathVision", "test",
                            ("id", "question", "options", "answer", "subject", "level"), _mathvision),
    "mmmu": Benchmark("MMMU val", "MMMU/MMMU", "validation",
                      ("id", "question", "options", "answer", "question_type", "image_1"), _mmmu, configs=MMMU_SUBJECTS),
    "mmmu_pro": Benchmark("MMMU-Pro", "MMMU/MMMU_Pro", "test", ("id", "question", "options", "answer", "image_1"),
                          lambda row, root: _mmmu(row, root, "mmmu_pro"), configs=("standard (10 options)",)),
}


def _local_files(source, split):
    """The data files of a local source: one file, or a folder's parquet files (else jsonl/json), preferring
    files named after the split ("data/testmini-00000-of-00001.parquet", "testmini.jsonl") as the hub does."""
    if os.path.isfile(source):
        return [source]
    if not os.path.isdir(source):
        raise BenchmarkError(f"benchmark source not found: {source!r} (a folder, .parquet or .jsonl file)")
    for pattern in ("*.parquet", "*.jsonl", "*.json"):
        files = sorted(glob.glob(os.path.join(source, "**", pattern), recursive=True))
        if files:
            named = [f for f in files if re.match(rf"{re.escape(split)}\b", os.path.basename(f))]
            return named or files
    raise BenchmarkError(f"benchmark source {source!r} holds no .parquet, .jsonl or .json file")


def load_benchmark(name, source=None, limit=None, cache_dir=None):
    """Sample records of one benchmark, from the hub (source None) or a local copy in the hub's schema."""
    if name not in BENCHMARKS:
        raise BenchmarkError(f"unknown benchmark {name!r}; supported: {', '.join(BENCHMARKS)}")
    bench = BENCHMARKS[name]
    try:
        import datasets
    except ImportError:
        raise BenchmarkError("benchmarks need the datasets package: pip install -r requirements.txt") from None
    datasets.disable_progress_bars()
    where = source or f"{bench.hub} ({bench.split})"
    try:
        if source is None:
            parts = [datasets.load_dataset(bench.hub, config, split=bench.split, cache_dir=cache_dir)
                     for config in bench.configs]
            root = None
        else:
            files = _local_files(source, bench.split)
            kind = "parquet" if files[0].endswith(".parquet") else "json"
            parts = [datasets.load_dataset(kind, data_files=files, split="train", cache_dir=cache_dir)]
            root = os.path.dirname(files[0])
    except BenchmarkError:
        raise
    except Exception as e:  # offline, no such repo, unreadable file: the library's errors are many and deep
        hint = "" if source else f"; without the hub, pass --source {name}=PATH to a local copy"
        raise BenchmarkError(f"could not load {name} from {where}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}{hint}") from None
    missing = [c for c in bench.columns if c not in parts[0].column_names]
    if missing:
        raise BenchmarkError(f"{where} is not in the {bench.title} schema: missing column(s) {', '.join(missing)} "
                             f"(found: {', '.join(parts[0].column_names)})")
    records = []
    for part in parts:
        for row in part:
            if limit is not None and len(records) >= limit:
                return records
            try:
                record = bench.convert(row, root)
            except (KeyError, TypeError, ValueError) as e:
                if isinstance(e, BenchmarkError):
                    raise
                raise BenchmarkError(f"{where}: row {len(records)} cannot be read ({type(e).__name__}: {e})") from None
            records.append({**record, "game": name, "reward": "math"})
    if not records:
        raise BenchmarkError(f"{where} holds no rows")
    return records


def bench_summary(rows):
    """Accuracy per benchmark, each followed by its categories (MathVista task, MathVerse version, MathVision
    subject and level, MMMU subject); with several benchmarks, first their unweighted average (as papers report)."""
    groups = defaultdict(list)
    for r in rows:
        groups[r["game"]].append(r)
        groups[f"{r['game']} / {r['level'].get('category', '')}"].append(r)
    accuracy = lambda rs: sum(r["accuracy"] for r in rs) / len(rs)
    names = sorted({r["game"] for r in rows})
    summary = {}
    if len(names) > 1:
        summary["average"] = {"n": len(rows), "accuracy": sum(accuracy(groups[n]) for n in names) / len(names)}
    for name, rs in sorted(groups.items(), key=lambda kv: (kv[0].split(" / ")[0], " / " in kv[0], kv[0])):
        summary[name] = {"n": len(rs), "accuracy": accuracy(rs)}
    return summary


def bench_markdown(summary, title):
    lines = [f"### {title}", "", "| benchmark | n | accuracy |", "|---|---|---|"]
    lines += [f"| {name} | {s['n']} | {100 * s['accuracy']:.1f}% |" for name, s in summary.items()]
    return "\n".join(lines) + "\n"


def parse_sources(pairs):
    sources = {}
    for pair in pairs or []:
        name, sep, path = pair.partition("=")
        if not sep or not path:
            raise BenchmarkError(f"--source wants NAME=PATH (e.g. mathvista=/data/MathVista), got {pair!r}")
        if name not in BENCHMARKS:
            raise BenchmarkError(f"unknown benchmark {name!r} in --source; supported: {', '.join(BENCHMARKS)}")
        sources[name] = path
    return sources


def bench_names(text):
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown or not names:
        raise BenchmarkError(f"unknown benchmark {', '.join(map(repr, unknown)) or repr(text)}; supported: {', '.join(BENCHMARKS)}")
    return names


def evaluate_benchmarks(model, processor, cfg, records_by_name, args):
    max_new = bench_max_new_tokens(cfg, args)
    rows = []
    for name, records in records_by_name.items():
        out = evaluate_samples(model, processor, records, args.batch_size, max_new, BENCH_SYSTEM_PROMPT, False,
                               decoding(cfg, args), progress=progress_bar(name))
        rows += [{**row, "answer": rec["answer"]} for row, rec in zip(out, records)]
    return rows


def load_benchmarks(args):
    names, sources = bench_names(args.benchmarks), parse_sources(args.source)
    return {n: load_benchmark(n, sources.get(n), args.limit, args.cache_dir) for n in names}


def run_bench(args):
    records = load_benchmarks(args)  # data errors surface before minutes of model loading
    cfg, source, processor, model = load_under_protocol(args.model, args.protocol, args)
    t0 = time.time()
    rows = evaluate_benchmarks(model, processor, cfg, records, args)
    summary = bench_summary(rows)
    out_dir = report_folder(args)
    write_report(out_dir, "bench", {"model": args.model, "temperature": decoding(cfg, args),
                                    "protocol": protocol_record(cfg, source, args), "seconds": time.time() - t0,
                                    "system_prompt": BENCH_SYSTEM_PROMPT, "summary": summary, "samples": rows},
                 bench_markdown(summary, f"{args.model} (temperature {decoding(cfg, args)}, graded by rule)"))
    return summary


# ---------------------------------------------------------------------------------------------------------
# Mode 4: compare -- base vs trained, with deltas, next to the papers' numbers (accuracy in %)

VIGAL_REPORTED = {  # ViGaL (arXiv 2506.08011 §4), its main results table: Qwen2.5-VL-7B before and after game RL
    "Qwen2.5-VL-7B": {"mathvista": 68.0, "mathverse": 49.0, "mathvision": 26.0, "mmmu": 54.3, "mmmu_pro": 37.0},
    "ViGaL Snake": {"mathvista": 70.7, "mathverse": 51.1, "mathvision": 26.5, "mmmu": 55.8, "mmmu_pro": 36.6},
    "ViGaL Rotation": {"mathvista": 71.2, "mathverse": 50.4, "mathvision": 26.3, "mmmu": 54.1, "mmmu_pro": 37.7},
    "ViGaL Snake+Rotation": {"mathvista": 71.9, "mathverse": 52.4, "mathvision": 27.5, "mmmu": 58.0, "mmmu_pro": 37.4},
}
VIGAL_GAMES = {"rotation": (47.4, 71.9)}  # ViGaL's Rotation accuracy, base -> trained
GAME_RL_REPORTED = {"gameqa out-of-domain": (27.09, 29.87)}  # held-out GameQA games, Qwen2.5-VL-7B, LLM-judged
PAPER_NOTES = {
    "vigal": "ViGaL (greedy, rule + GPT-4o fallback): Snake play, ViGaL won 9 of 10 games against the base model.",
    "gamerl": "Game-RL (T = 0.2, LLM judge): 7-benchmark average 50.00 -> 52.65 for Qwen2.5-VL-7B "
              "(MathVista, MathVerse, MMBench, MMMU, CharXiv, MathVision, MMMU-Pro).",
}


def paper_reference(cfg):
    """{metric: (paper base, paper trained)} for the trained checkpoint's recipe, and a note line."""
    if cfg.preset == "gamerl" or "gameqa" in cfg.games.split(","):
        return dict(GAME_RL_REPORTED), PAPER_NOTES["gamerl"]
    row = {"snake": "ViGaL Snake", "rotation": "ViGaL Rotation"}.get(cfg.games, "ViGaL Snake+Rotation")
    reference = {k: (VIGAL_REPORTED["Qwen2.5-VL-7B"][k], v) for k, v in VIGAL_REPORTED[row].items()}
    reference.update(VIGAL_GAMES)
    return reference, f"{PAPER_NOTES['vigal']} Paper column: {row}."


def compare_table(base, trained, reference, note, title):
    """Markdown: metric | base | trained | delta | paper base | paper trained (all in %)."""
    fmt = lambda x: "" if x is None else f"{x:.1f}"
    lines = [f"### {title}", "", "| metric | n | base | trained | delta | paper base | paper trained |",
             "|---|---|---|---|---|---|---|"]
    for metric in trained:
        b, t = base.get(metric), trained[metric]
        paper = reference.get(metric, (None, None))
        delta = None if b is None else t["value"] - b["value"]
        lines.append(f"| {metric} | {t['n']} | {fmt(b and b['value'])} | {fmt(t['value'])} | "
                     f"{'' if delta is None else f'{delta:+.1f}'} | {fmt(paper[0])} | {fmt(paper[1])} |")
    return "\n".join(lines) + f"\n\n{note}\n"


def headline(game_summary, bench_sum):
    """The comparable numbers of one model: overall and per game / GameQA split, and each benchmark, in %."""
    out = {}
    for name, s in game_summary.items():
        if name == "all" or " " not in name or name.startswith("gameqa "):
            out["games" if name == "all" else name] = {"n": s["n"], "value": 100 * s["accuracy"]}
    for name, s in bench_sum.items():
        if "/" not in name:
            out[name] = {"n": s["n"], "value": 100 * s["accuracy"]}
    return out


def run_compare(args):
    """Both models under one protocol: --protocol, else the trained checkpoint's (its games, prompt, image bounds,
    max new tokens and decoding), whatever the base model's own folder holds."""
    records = load_benchmarks(args) if args.benchmarks else {}
    cfg, source = protocol_for(args.trained, args.protocol)
    samples = game_samples(cfg, args) if args.n > 0 or args.data else []  # the same questions for both
    report, results = {"base": args.base, "trained": args.trained, "protocol": protocol_record(cfg, source, args)}, {}
    for role, path in (("base", args.base), ("trained", args.trained)):
        print(describe_protocol(path, cfg, source, args))
        processor, model = load(path, cfg)
        game_rows = evaluate_games(model, processor, cfg, samples, args, desc=f"{role} games") if samples else []
        bench_rows = evaluate_benchmarks(model, processor, cfg, records, args) if records else []
        results[role] = headline(summarize(game_rows) if game_rows else {}, bench_summary(bench_rows) if bench_rows else {})
        report[role + "_samples"] = {"games": game_rows, "bench": bench_rows}
        del model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()  # the second model loads into the memory the first one held
    reference, note = paper_reference(cfg)
    if args.play_games:  # head to head, both under the protocol above
        play_args = argparse.Namespace(**{**vars(args), "model": args.trained, "opponent": args.base, "games": args.play_games,
                                          "out": os.path.join(report_folder(args), "play")})
        s = run_play(play_args, one_protocol=True)
        results["trained"]["snake play: wins of trained vs base"] = {"n": s["games"], "value": 100 * s["wins"] / s["games"]}
        reference["snake play: wins of trained vs base"] = (None, 90.0)  # ViGaL: 9 of 10
        report["play"] = s
    report["summary"] = results
    table = compare_table(results["base"], results["trained"], reference, note,
                          f"{args.base} -> {args.trained} (accuracy %, same samples, rule-graded)")
    write_report(report_folder(args), "compare", report, table)
    return results


# ---------------------------------------------------------------------------------------------------------
# A training run's own evaluation (train.py calls these): held-out accuracy before and after, the run report


def held_out_accuracy(accelerator, policy, processor, samples, cfg, step, path):
    """Greedy accuracy on the held-out samples (main process), appended to held_out.json and printed with
    the step-0 figure beside it once there is one."""
    with grpo.full_params_for_generation(policy):  # FSDP: every process gathers, the main one generates
        rows = evaluate_samples(policy, processor, samples, 32, cfg.max_completion_length, cfg.system_prompt or None,
                                cfg.blind, cfg.eval_temperature) if accelerator.is_main_process else None
    if accelerator.is_main_process:
        history = json.load(open(path)) if os.path.isfile(path) and step > 0 else []
        history = [h for h in history if h["step"] < step] + [{
            "step": step, "n": len(rows), "accuracy": sum(r["accuracy"] for r in rows) / len(rows),
            "format": sum(r["format"] > 0 for r in rows) / len(rows), "examples": rows[:4]}]
        json.dump(history, open(path, "w"), indent=1)
        line = "  ->  ".join(f"step {h['step']}: {100 * h['accuracy']:.1f}%" for h in (history[0], history[-1])[:len(history)])
        tqdm.write(f"held-out accuracy ({len(rows)} test samples, greedy{', blind' if cfg.blind else ''}): {line}")
    accelerator.wait_for_everyone()


def chance_baselines(samples):
    """Accuracy of policies that do not look at the board, on these samples; only for one-word Snake answers.

    best constant move: the single move that is a gold best move most often (picked on these very samples,
    so it is an upper bound for any constant answer); random legal move: a uniform pick among the non-fatal
    moves, i.e. the mean of |best| / |legal| (it needs the board to know which moves are legal)."""
    if not samples or any(s["reward"] != "snake_move" for s in samples):
        return {}
    constant = {m: sum(m in s["answer"]["best"] for s in samples) / len(samples) for m in snake.MOVES}
    best_move = max(snake.MOVES, key=constant.get)
    legal = [4 - len(s["answer"]["worst"]) for s in samples]
    return {"best constant move": (constant[best_move], best_move),
            "uniform random legal move": (sum(len(s["answer"]["best"]) / n for s, n in zip(samples, legal)) / len(samples), "")}


def draw_curve(metrics, path, held_out=(), width=640, height=360):
    """reward and accuracy per step (thin: raw; thick: moving average) and held-out accuracy (dots), as a PNG
    drawn with Pillow, so that the run needs no plotting library."""
    image = Image.new("RGB", (width, height), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.load_default(size=12)
    left, top, right, bottom = 48, 28, width - 16, height - 36
    last = max([m["step"] for m in metrics] + [h["step"] for h in held_out] + [1])
    top_y = max([1.0] + [m["reward"] for m in metrics])
    x = lambda step: left + (right - left) * step / last
    y = lambda v: bottom - (bottom - top) * v / top_y
    for i in range(5):  # grid and y ticks at 0, 0.25, ..., 1
        v = i / 4
        draw.line([(left, y(v)), (right, y(v))], fill=(225, 225, 225))
        draw.text((left - 6, y(v)), f"{v:.2f}", fill="black", font=font, anchor="rm")
    for i in range(6):
        step = round(last * i / 5)
        draw.text((x(step), bottom + 6), str(step), fill="black", font=font, anchor="mt")
    draw.rectangle([left, top, right, bottom], outline="black")
    draw.text(((left + right) / 2, height - 4), "optimizer step", fill="black", font=font, anchor="md")
    window = max(1, len(metrics) // 20)
    for key, colour, pale in (("reward", (30, 80, 220), (180, 195, 240)), ("accuracy", (220, 30, 30), (240, 185, 185))):
        values = [m[key] for m in metrics]
        points = [(x(m["step"]), y(v)) for m, v in zip(metrics, values)]
        smooth = [(x(m["step"]), y(sum(values[max(0, i - window + 1):i + 1]) / len(values[max(0, i - window + 1):i + 1])))
                  for i, m in enumerate(metrics)]
        if len(points) > 1:
            draw.line(points, fill=pale, width=1)
            draw.line(smooth, fill=colour, width=3)
    for h in held_out:
        cx, cy = x(h["step"]), y(h["accuracy"])
        draw.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], fill=(30, 150, 60))
        draw.text((cx + (8 if h["step"] < last / 2 else -8), cy - 8), f"{100 * h['accuracy']:.0f}%", fill=(30, 150, 60),
                  font=font, anchor="lb" if h["step"] < last / 2 else "rb")
    legend = [("training reward", (30, 80, 220)), ("training accuracy", (220, 30, 30)), ("held-out accuracy", (30, 150, 60))]
    lx = left
    for label, colour in legend:
        draw.rectangle([lx, 8, lx + 14, 20], fill=colour)
        draw.text((lx + 18, 14), label, fill="black", font=font, anchor="lm")
        lx += 30 + draw.textlength(label, font=font)
    image.save(path)


def write_run_report(accelerator, policy, processor, eval_set, cfg, num_rollouts=8):
    """After training, in the run folder: report.md (held-out accuracy before/after, beside the accuracy of
    answers that do not look at the board), curve.png (reward and accuracy over training) and rollouts/
    (a few held-out boards with the trained model's greedy answer and its reward, indexed in rollouts/index.md)."""
    if accelerator.is_main_process:
        metrics = [json.loads(line) for line in open(os.path.join(cfg.out_dir, "metrics.jsonl")) if line.strip()]
        held_path = os.path.join(cfg.out_dir, "held_out.json")
        held_out = json.load(open(held_path)) if eval_set and os.path.isfile(held_path) else []
        draw_curve(metrics, os.path.join(cfg.out_dir, "curve.png"), held_out)
        lines = [f"# Run report: {cfg.out_dir}", "", f"{len(metrics)} optimizer steps, {cfg.prompts_per_step} prompts x "
                 f"{cfg.num_generations} completions each{'; BLIND control: every image replaced by a blank one' if cfg.blind else ''}.",
                 "", "![reward and accuracy](curve.png)", ""]
        if held_out:
            n = held_out[-1]["n"]
            lines += [f"Held-out accuracy ({n} test-split samples, greedy):", "", "| policy | accuracy |", "|---|---|"]
            lines += [f"| model at step {h['step']} | {100 * h['accuracy']:.1f}% |" for h in (held_out[0], held_out[-1])[:len(held_out)]]
            lines += [f"| {name}{f' ({move})' if move else ''} | {100 * acc:.1f}% |"
                      for name, (acc, move) in chance_baselines(eval_set[:n]).items()]
            lines += ["", "[a few held-out rollouts](rollouts/index.md)"]
            rows = evaluate_samples(policy, processor, eval_set[:num_rollouts], num_rollouts, cfg.max_completion_length,
                                    cfg.system_prompt or None, cfg.blind, cfg.eval_temperature)
            folder = os.path.join(cfg.out_dir, "rollouts")
            os.makedirs(folder, exist_ok=True)
            index = [f"# Held-out rollouts after {held_out[-1]['step']} steps (greedy)", ""] + (
                ["Blind control: the model saw a blank image instead of this board.", ""] if cfg.blind else []) + [
                "| board | prompt | completion | gold | reward |", "|---|---|---|---|---|"]
            cell = lambda text: str(text).replace("|", "\\|").replace("\n", " ")   # one markdown table cell
            for sample, row in zip(eval_set, rows):
                name = f"{sample['id']}.png"
                load_images(sample)[0].save(os.path.join(folder, name))
                gold = sample["answer"].get("best", sample["answer"]) if isinstance(sample["answer"], dict) else sample["answer"]
                index.append(f"| ![{sample['id']}]({name}) | {cell(sample['prompt'][:160])}... | `{cell(row['completion'])}` | "
                             f"{cell(gold)} | {row['reward']:.1f} |")
            open(os.path.join(folder, "index.md"), "w").write("\n".join(index) + "\n")
        open(os.path.join(cfg.out_dir, "report.md"), "w").write("\n".join(lines) + "\n")
        table = [line for line in lines if line.startswith("|") or line.startswith("Held")]
        if table:  # none without held-out samples: no blank line then
            tqdm.write("\n".join(table))
        tqdm.write(f"report: {os.path.join(cfg.out_dir, 'report.md')} (curve.png, rollouts/index.md)")
    accelerator.wait_for_everyone()


def timing_summary(metrics, warmup=2):
    """One line on where a run's time went: the median seconds a step and each phase's mean share of a step,
    after `warmup` steps (first calls are slow), with completion tokens a step and generated per second."""
    rows = metrics[warmup:] if len(metrics) > warmup else metrics
    mean = lambda key: sum(m.get(key, 0.0) for m in rows) / len(rows)   # a rollout's phases only on its first step
    phases = ", ".join(f"{name} {mean('seconds/' + name):.3f}" for name in ("generate", "score", "logps", "update"))
    speed = [m["seconds/tokens_per_second"] for m in rows if "seconds/tokens_per_second" in m]  # none: resumed mid-rollout
    return (f"timing over steps {rows[0]['step']}-{rows[-1]['step']}: median {statistics.median(m['seconds/step'] for m in rows):.3f} "
            f"s/step; per step (mean) {phases}; {mean('completion_tokens'):.0f} completion tokens/step"
            + (f", {statistics.median(speed):.0f} tokens/s generating" if speed else ""))


# ---------------------------------------------------------------------------------------------------------
# CLI


def add_decoding(p, protocol_default="the model's train_config.json; a model without one (a base model) gets the vigal "
                                      "preset's"):
    p.add_argument("--protocol", default=None, metavar="PRESET_OR_CHECKPOINT",
                   help="how the model is asked: a preset (vigal, gamerl) or a checkpoint folder, whose "
                        "train_config.json sets the games, prompt, answer format, image bounds, max new tokens and "
                        "decoding; default: "
                        f"{protocol_default}. The protocol used is printed and saved in the report")
    p.add_argument("--batch-size", type=int, default=8, help="prompts decoded together (default 8)")
    p.add_argument("--max-new-tokens", type=int, default=None,
                   help="max new tokens; default: the checkpoint's max_completion_length (bench: 4096, ViGaL's)")
    p.add_argument("--temperature", type=float, default=None,
                   help="decoding temperature; default: the checkpoint preset's eval_temperature (0 = greedy; Game-RL 0.2)")


def add_games(p, default_n=64):
    p.add_argument("--data", default=None, help="data instead of generated test samples: a dataset folder, ViGaL's jsonl "
                   "or folder, games_data_test.json (GameQA-140K) or GameQA_RL_5k.json")
    p.add_argument("--games", default=None, help="comma-separated games to generate test samples for; default: the checkpoint's")
    p.add_argument("--gameqa-games", default="all", help="GameQA games to test: all (default), in-domain, out-of-domain, or names")
    p.add_argument("--n", type=int, default=default_n, help=f"generated test samples (default {default_n}; ignored with --data)")
    p.add_argument("--blind", action="store_true", help="replace every image by a blank one (the no-vision control)")


def add_bench(p, required):
    p.add_argument("--benchmarks", required=required, default=None,
                   help=f"comma-separated: {', '.join(BENCHMARKS)}")
    p.add_argument("--source", action="append", metavar="NAME=PATH",
                   help="a local copy of a benchmark in its hub schema: a folder (parquet or jsonl + images) or a "
                        ".parquet/.jsonl file; repeat per benchmark. Default: the hub")
    p.add_argument("--limit", type=int, default=None, help="first N rows of each benchmark (default: all)")
    p.add_argument("--cache-dir", default=None, help="datasets cache folder (default: datasets' own)")


def add_play(p):
    p.add_argument("--board-size", type=int, default=None, help="board side; default: the checkpoint's (ViGaL: 10)")
    p.add_argument("--num-apples", type=int, default=None, help="apples on the board; default: the checkpoint's (ViGaL: 5)")
    p.add_argument("--image-size", type=int, default=None, help="board image side in pixels; default: the checkpoint's")
    p.add_argument("--max-turns", type=int, default=100, help="turns before a game is decided on apples (default 100)")
    p.add_argument("--gifs", type=int, default=3, help="save the first N games as animated GIFs (default 3)")


def build_parser():
    p = argparse.ArgumentParser(prog="evaluate.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = p.add_subparsers(dest="mode", metavar="MODE")
    raw = argparse.RawDescriptionHelpFormatter

    g = modes.add_parser("games", formatter_class=raw, help="held-out game questions (the default mode)",
                         description="Accuracy on held-out game questions, per game, level, GameQA task and split.\n\n"
                                     "  python evaluate.py games --model runs/tiny/checkpoint-000300 --n 128")
    g.add_argument("--model", required=True, help="checkpoint folder or hub model name")
    add_games(g)
    add_decoding(g)
    g.add_argument("--seed", type=int, default=None,
                   help="seed of the generated test stream; default: the checkpoint's (test and train streams never meet)")
    g.add_argument("--out", default=None, help="folder for eval.json and eval.md; default: the model folder, else ./eval")

    pl = modes.add_parser("play", formatter_class=raw, help="full Snake games against a scripted opponent or a model",
                          description="The model plays full Snake games; wins, losses, draws, apples, invalid answers, GIFs.\n\n"
                                      "  python evaluate.py play --model runs/tiny/checkpoint-000300 --opponent greedy --games 10\n"
                                      "  python evaluate.py play --model runs/vigal/checkpoint-000600 --opponent Qwen/Qwen2.5-VL-7B-Instruct")
    pl.add_argument("--model", required=True, help="checkpoint folder or hub model name (plays red in even games)")
    pl.add_argument("--opponent", default="greedy",
                    help=f"scripted ({', '.join(f'{k}: random safe move with p={v}' for k, v in SCRIPTED.items())}) "
                         f"or a checkpoint folder / hub name (default greedy)")
    pl.add_argument("--games", type=int, default=10, help="games to play (default 10, as ViGaL reports)")
    pl.add_argument("--seed", type=int, default=0, help="seed of the boards and apples (and of scripted opponents)")
    add_play(pl)
    add_decoding(pl, "the model's train_config.json, else (a base model) the vigal preset's; a model opponent is "
                     "asked as it was trained, or without a train_config.json as the model is")
    pl.add_argument("--out", default=None, help="folder for play.json, play.md and GIFs; default: MODEL/play, else ./eval/play")

    b = modes.add_parser("bench", formatter_class=raw, help="MathVista, MathVerse, MathVision, MMMU, MMMU-Pro",
                         description="Benchmarks through datasets.load_dataset, graded by rule (rewards.score_math).\n\n"
                                     "  python evaluate.py bench --model Qwen/Qwen2.5-VL-7B-Instruct --benchmarks mathvista,mmmu\n"
                                     "  python evaluate.py bench --model X --benchmarks mathvista --source mathvista=/data/MathVista")
    b.add_argument("--model", required=True, help="checkpoint folder or hub model name")
    add_bench(b, required=True)
    add_decoding(b)
    b.add_argument("--out", default=None, help="folder for bench.json and bench.md; default: MODEL/bench, else ./eval/bench")

    c = modes.add_parser("compare", formatter_class=raw, help="base vs trained side by side, with the papers' numbers",
                         description="Base and trained model on the same samples; deltas next to the papers' numbers.\n\n"
                                     "  python evaluate.py compare --base Qwen/Qwen2.5-VL-7B-Instruct --trained runs/vigal/checkpoint-000600 \\\n"
                                     "      --benchmarks mathvista,mmmu --play-games 10")
    c.add_argument("--base", required=True, help="the model before training (folder or hub name)")
    c.add_argument("--trained", required=True, help="the trained checkpoint; its config sets games, prompts and decoding")
    add_games(c)
    add_bench(c, required=False)
    add_decoding(c, "the trained checkpoint's train_config.json; both models are asked under it")
    c.add_argument("--seed", type=int, default=None,
                   help="seed of the generated test stream (default: the trained checkpoint's) and of the Snake games (default 0)")
    c.add_argument("--play-games", type=int, default=0, help="also play N Snake games, trained vs base (ViGaL: 10)")
    add_play(c)
    c.add_argument("--out", default=None, help="folder for compare.json and compare.md (default ./eval/compare)")
    return p


RUNS = {"games": run_games, "play": run_play, "bench": run_bench, "compare": run_compare}


def report_folder(args):
    """Where a mode writes its report: --out, else beside the checkpoint (MODEL/, MODEL/play, MODEL/bench), else
    under ./eval/."""
    if args.mode == "compare":
        return args.out or os.path.join("eval", "compare")
    beside = args.model if os.path.isdir(args.model) else "eval"
    return args.out or (beside if args.mode == "games" else os.path.join(beside, args.mode))


def check_args(args):
    """Refuse, before any model loads, a number out of range and a report folder that cannot be written (found
    otherwise only after all the decoding is done)."""
    at_least = {"batch_size": 1, "max_new_tokens": 1, "limit": 1, "games": 1, "max_turns": 1, "board_size": 1,
                "num_apples": 1, "image_size": 16, "gifs": 0, "play_games": 0, "seed": 0,
                "n": 0 if args.mode == "compare" or getattr(args, "data", None) else 1}
    for name, low in at_least.items():
        value = getattr(args, name, None)
        if isinstance(value, int) and value < low:  # (games and compare's --games is a list of names)
            raise EvalError(f"--{name.replace('_', '-')} must be at least {low}, got {value}")
    if args.temperature is not None and not 0 <= args.temperature < math.inf:
        raise EvalError(f"--temperature must be 0 (greedy) or a positive number, got {args.temperature}")
    problem = output_folder_problem(report_folder(args))
    if problem:
        raise EvalError(f"report folder{' (--out)' if args.out else ''}: {problem}")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["games"] + argv  # `python evaluate.py --model X` keeps meaning the games mode
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.mode is None:
        parser.print_help()
        sys.exit(2)
    try:
        check_args(args)
        return RUNS[args.mode](args)
    except (EvalError, DatasetError, ConfigError) as e:  # the user's input was wrong: one clear line
        sys.exit(f"evaluate.py {args.mode}: error: {e}")


if __name__ == "__main__":
    main()
