"""Train a Qwen2.5-VL policy with GRPO on game data, verified by rule: ViGaL and Game-RL in one flat script.

The loop (SPEC §5). A rollout serves steps_per_rollout x num_iterations optimizer steps (1 x 1 by default):
    1. rollout     each process samples its rows of the rollout: steps_per_rollout mini-batches of
                   prompts_per_step x G completions, split evenly over the processes               (grpo.rollout)
    2. score       every completion is graded by rule                                             (rewards.score)
    3. advantages  rewards gathered from all processes; accuracy filter, advantages from each
                   prompt's group, optional whitening over every token of the rollout            (grpo.*_advantages)
    4. log-probs   reference log-probs (beta > 0) and, when a rollout trains more than one step,
                   the sampling policy's ("old") log-probs, once, before any update               (grpo.batch_logps)
    5. update      per optimizer step, one mini-batch: micro-batches, loss over one global
                   denominator, clip, step                                                        (update_step)

Papers: ViGaL, "Play to Generalize" (arXiv 2506.08011): RLOO on Snake + Rotation, MM-EUREKA/OpenRLHF;
Game-RL (arXiv 2505.13886): GRPO on GameQA-5K with a KL to the initial model.

Where this deviates from the papers, and why:
    1. No vLLM, no Ray: generation is a short sampler on the training model (grpo.rollout: each prompt's image
       encoded and the prompt prefilled once for its G completions, the features reused by the log-prob
       passes), so the whole algorithm fits in two readable files and runs anywhere, at the cost of rollout
       speed on big GPUs (no paged attention, no continuous batching).
    2. Game-RL graded with a 72B LLM judge; we grade every answer by rule (rewards.py, SPEC §4).
    3. The default `tiny` preset is a 0.3M-parameter Qwen2.5-VL with random weights built in code, and a
       small Snake board, so the whole loop runs on a laptop CPU in minutes. It shows the machinery, not
       the papers' numbers; `--preset vigal` with the real model is the paper's run. To learn the board from
       the reward in minutes, it answers with one of the four move words (constrained decoding, --answer-words)
       and adds an entropy bonus (--entropy-coef); neither is in the papers, both are off in their presets.
    4. Snake states come from scripted agents' games, not a PPO agent's (snake.py explains).
    5. The online accuracy filter (filter_low/filter_high) masks the dropped groups out of the loss and of
       every statistic instead of removing them and sampling more: the same gradient with fewer moving parts,
       but the step trains on fewer completions, and the masked rows still cost their forward pass.
    6. Sharding is FSDP2 through Accelerate (the papers used DeepSpeed via OpenRLHF / ms-swift); the reference
       model (beta > 0) is not sharded: one copy per GPU (~15 GB in bf16 for 7B).

Commands:
    accelerate launch train.py                                   # tiny default, CPU, a few minutes
    python train.py --help                                       # every option, with its default
    accelerate launch train.py --resume runs/tiny                # continue from the last complete checkpoint
    ACCELERATE_USE_CPU=1 accelerate launch --multi_gpu --num_processes 2 train.py   # a real 2-process CPU run (DDP)
  1 GPU (a single process is not sharded, --fsdp then prints a warning; a 7B full fine-tune, ~60 GB of bf16
  weights, gradients and AdamW state before activations, is at the limit of an 80 GB GPU, a 3B one is not):
    accelerate launch train.py --preset vigal --no-fsdp --model Qwen/Qwen2.5-VL-3B-Instruct
  8 GPUs, one node (the vigal and gamerl presets turn on --fsdp and --gradient-checkpointing):
    accelerate launch --num_processes 8 train.py --preset vigal  # 120 prompts x 6 = 720 completions, 90 a GPU
    accelerate launch --num_processes 4 train.py --preset gamerl # Game-RL: 2 prompts x 12, 6 completions a GPU
  2 nodes x 8 GPUs (run on each node, --machine_rank 0 on the node whose address is given, 1 on the other):
    accelerate launch --num_machines 2 --num_processes 16 --machine_rank 0 --main_process_ip 10.0.0.1 \
        --main_process_port 29500 train.py --preset vigal
"""
import argparse
import collections
import dataclasses
import functools
import importlib.util
import inspect
import json
import math
import os
import random
import re
import shutil
import statistics
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass

import torch
from accelerate import Accelerator
from accelerate.utils import DistributedType, set_seed
from tqdm import tqdm
from transformers import (AutoTokenizer, Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLProcessor,
                          Qwen2VLImageProcessorPil)

import gameqa
import grpo
import rewards
import rotation
import snake
from gameqa import DatasetError, load_images, read_dataset

# ---------------------------------------------------------------------------------------------------------
# Config: one dataclass, every field documented; presets are plain dicts of overrides


@dataclass
class Config:
    # --- run
    preset: str = "tiny"  # which preset's overrides to apply first: tiny, vigal, gamerl
    out_dir: str = "runs/tiny"  # run folder: metrics.jsonl, config.json, checkpoint-*/
    seed: int = 0  # seeds data, sampling and initialisation
    max_steps: int = 40  # optimizer steps to run
    save_every: int = 20  # save a checkpoint every N steps (and always at the end)
    resume: str = ""  # run folder or checkpoint folder to continue from (model, optimizer, scheduler, RNG, step)
    report_to: str = ""  # also log to "tensorboard" or "wandb" through Accelerate's trackers (if installed)
    # --- model
    model: str = "tiny"  # hub name or folder; "tiny" builds a small random Qwen2.5-VL in out_dir/tiny-model first
    dtype: str = "float32"  # weight dtype to load: float32 or bfloat16
    gradient_checkpointing: bool = False  # recompute activations in backward to save memory (real model sizes)
    fsdp: bool = False  # shard weights, gradients and optimizer state over the processes (FSDP2 via Accelerate; GPUs)
    freeze_vision: bool = True  # freeze the vision tower (both papers do)
    min_pixels: int = 4 * 28 * 28  # smallest image area fed to the model (Qwen2.5-VL resizes to multiples of 28)
    max_pixels: int = 640 * 28 * 28  # largest image area (ViGaL: 640*28*28)
    # --- data
    games: str = "snake"  # comma-separated games to generate on the fly: snake, rotation, gameqa (ignored with data)
    gameqa_games: str = "in-domain"  # GameQA games to train on: in-domain, out-of-domain, all, or names (sokoban,maze)
    game_weights: str = ""  # comma-separated mixing weights for games, e.g. "1,1"; empty = equal
    data: str = ""  # dataset folder (metadata.jsonl + images/) to train on instead of on-the-fly samples
    board_size: int = 10  # Snake board width and height
    num_apples: int = 5  # Snake apples on the board
    max_snake_length: int = 5  # Snake difficulty: the controlled snake's length is drawn from 1..this
    image_size: int = 448  # rendered image side in pixels
    rotation_level: str = "mixed"  # Rotation objects: easy, medium, hard (adds counter-clockwise 90) or mixed
    answer_format: str = "vigal"  # Snake answer: "vigal" (think/best/worst tags, the paper) or "move" (one word, tiny demo)
    answer_words: str = ""  # constrained decoding: the completion is one of these comma-separated one-token words (tiny demo: the four moves); empty = free text
    system_prompt: str = ""  # optional system turn before every prompt
    blind: bool = False  # replace every image with a blank one (the no-vision control)
    eval_samples: int = 0  # held-out test samples graded before and after training; 0 = skip
    eval_temperature: float = 0.0  # decoding temperature for evaluation: 0 = greedy (ViGaL); Game-RL used 0.2
    # --- GRPO (names as in TRL's GRPOConfig; SPEC §5)
    prompts_per_step: int = 4  # prompts per optimizer step, over all processes
    steps_per_rollout: int = 1  # optimizer steps (mini-batches) per rollout; a rollout samples this many x prompts_per_step prompts
    num_iterations: int = 1  # passes over each rollout (PPO epochs); >1 reuses it with stored old log-probs
    num_generations: int = 4  # G: completions sampled per prompt
    micro_batch_size: int = 8  # completions per forward/backward on each process (gradient accumulation)
    max_completion_length: int = 48  # max new tokens per completion
    temperature: float = 1.0  # sampling temperature (log-probs use logits / temperature)
    top_p: float = 1.0  # nucleus sampling
    top_k: int = 0  # top-k sampling, 0 = off
    advantage_estimator: str = "grpo"  # grpo (group mean/std) or rloo (leave-one-out, ViGaL)
    scale_rewards: str = "group"  # grpo: divide by the std of the group, the batch, or none (Dr. GRPO)
    whiten_advantages: bool = False  # whiten advantages over all valid tokens of the rollout batch (ViGaL)
    loss_type: str = "dapo"  # grpo, bnpo, dr_grpo or dapo: how per-token losses are averaged
    epsilon: float = 0.2  # lower clip range of the ratio
    epsilon_high: float = 0.2  # upper clip range of the ratio
    delta: float = 0.0  # cap on the ratio for negative advantages (dual clip; ViGaL: 3); 0 = off
    beta: float = 0.0  # KL coefficient; 0 loads no reference model
    entropy_coef: float = 0.0  # entropy bonus per token (not in either paper; keeps a tiny policy exploring); 0 = off
    kl_estimator: str = "k3"  # k1 or k3
    mask_truncated_completions: bool = False  # drop completions that hit the length limit without EOS
    filter_low: float = 0.0  # drop groups whose mean accuracy is below this (MM-EUREKA: 0.1); 0 = keep all
    filter_high: float = 1.0  # drop groups whose mean accuracy is above this (MM-EUREKA: 0.9); 1 = keep all
    # --- optimizer
    learning_rate: float = 1e-3  # peak learning rate
    lr_scheduler: str = "constant"  # constant (after warm-up) or cosine (down to min_lr_ratio)
    warmup_ratio: float = 0.0  # fraction of max_steps spent warming up linearly
    min_lr_ratio: float = 0.1  # cosine floor, as a fraction of the peak
    weight_decay: float = 0.0  # AdamW weight decay
    max_grad_norm: float = 1.0  # gradient clipping (global L2 norm)


PRESETS = {
    # The demo (issue 7's numbers in the README): a tiny random Qwen2.5-VL on a 4x4 Snake board learns, from the
    # reward alone, to read the best move off the image. The answer is one of the four move words (constrained
    # decoding), so step 0 is a guess; a small entropy bonus keeps the policy exploring; the tower is frozen.
    "tiny": dict(model="tiny", out_dir="runs/tiny", board_size=4, num_apples=1, max_snake_length=1, image_size=112,
                 max_pixels=112 * 112, answer_format="move", answer_words="UP,DOWN,LEFT,RIGHT", prompts_per_step=32,
                 num_generations=8, micro_batch_size=256, max_completion_length=1, scale_rewards="none",
                 entropy_coef=0.1, learning_rate=3e-4, max_steps=600, save_every=100, eval_samples=256),
    # ViGaL's Snake + Rotation run (SPEC §6): RLOO + token whitening, no KL, dual clip 3, cosine to 0.1x, one
    # update per rollout of 120 prompts, 6x A100-80G. A 7B full fine-tune needs sharding: FSDP2, checkpointing.
    "vigal": dict(model="Qwen/Qwen2.5-VL-7B-Instruct", out_dir="runs/vigal", games="snake,rotation", dtype="bfloat16",
                  gradient_checkpointing=True, fsdp=True, freeze_vision=True,
                  board_size=10, num_apples=5, max_snake_length=5, image_size=448, max_pixels=640 * 28 * 28,
                  prompts_per_step=120, steps_per_rollout=1, num_iterations=1, num_generations=6, micro_batch_size=2,
                  max_completion_length=3000, temperature=1.0, advantage_estimator="rloo", whiten_advantages=True,
                  loss_type="dapo", epsilon=0.2, epsilon_high=0.2, delta=3.0, beta=0.0, learning_rate=1e-6,
                  lr_scheduler="cosine", warmup_ratio=0.03, min_lr_ratio=0.1,
                  max_steps=1800, save_every=25),  # 3 passes over 36K Snake + 36K Rotation at 120 prompts a step
    # Game-RL's GRPO on GameQA (SPEC §6): in-domain games only, KL 0.04 to the initial model, 4 GPUs.
    "gamerl": dict(model="Qwen/Qwen2.5-VL-7B-Instruct", out_dir="runs/gamerl", games="gameqa", gameqa_games="in-domain",
                   dtype="bfloat16", gradient_checkpointing=True, fsdp=True, freeze_vision=True, max_pixels=1280 * 28 * 28,
                   system_prompt=gameqa.GAME_RL_SYSTEM_PROMPT, prompts_per_step=2, steps_per_rollout=1, num_iterations=1,
                   num_generations=12, micro_batch_size=2, max_completion_length=2048, temperature=1.0, top_p=0.85,
                   top_k=50, advantage_estimator="grpo", scale_rewards="group", loss_type="grpo", epsilon=0.2,
                   epsilon_high=0.2, beta=0.04, kl_estimator="k3", learning_rate=5e-7, lr_scheduler="constant",
                   warmup_ratio=0.05, max_steps=2500, save_every=250, eval_temperature=0.2),  # 5K samples, 1 epoch
}


class ConfigError(ValueError):
    """A bad flag, preset, path or combination: reported as one line, without a traceback."""


def field_docs():
    """The one-line comment after each Config field, used as its --help text."""
    return dict(re.findall(r"^\s+(\w+): [^=]+= .*?  # (.*)$", inspect.getsource(Config), flags=re.M))


def parse_config(argv=None):
    """Defaults < preset < resumed run's config < flags given on the command line."""
    docs, p = field_docs(), argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, argument_default=argparse.SUPPRESS)
    p.epilog = "Defaults shown are what a plain run gets: the tiny preset's. --preset vigal / gamerl override them."
    for f in dataclasses.fields(Config):
        flag, default = "--" + f.name.replace("_", "-"), PRESETS[Config.preset].get(f.name, f.default)
        if f.type is bool or f.type == "bool":
            p.add_argument(flag, action=argparse.BooleanOptionalAction, help=f"{docs[f.name]} (default {default})")
        else:
            p.add_argument(flag, type=type(f.default), help=f"{docs[f.name]} (default {default!r})")
    given = vars(p.parse_args(argv))
    preset = given.get("preset", Config.preset)
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    values = {**PRESETS[preset]}
    if given.get("resume"):
        values.update(json.load(open(os.path.join(find_checkpoint(given["resume"]), "train_config.json"))))
    values.update(given)
    return validate(Config(**{**values, "preset": preset}))


def validate(cfg):
    """Derived values and checks, in one place, with messages that say what to change."""
    choices = dict(advantage_estimator=("grpo", "rloo"), scale_rewards=("group", "batch", "none"),
                   loss_type=("grpo", "bnpo", "dr_grpo", "dapo"), kl_estimator=("k1", "k3"),
                   lr_scheduler=("constant", "cosine"), dtype=("float32", "bfloat16"), report_to=("", "tensorboard", "wandb"))
    for name, allowed in choices.items():
        if getattr(cfg, name) not in allowed:
            raise ConfigError(f"--{name.replace('_', '-')} must be one of {', '.join(a or repr(a) for a in allowed)}, got {getattr(cfg, name)!r}")
    if cfg.report_to and importlib.util.find_spec(cfg.report_to) is None:
        raise ConfigError(f"--report-to {cfg.report_to} needs the {cfg.report_to} package: pip install {cfg.report_to}")
    if cfg.num_generations < 2:
        raise ConfigError("--num-generations must be at least 2: advantages compare completions within a group")
    for name in ("steps_per_rollout", "num_iterations", "prompts_per_step", "micro_batch_size", "save_every"):
        if getattr(cfg, name) < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(cfg, name)}")
    if cfg.answer_words and cfg.max_completion_length != 1:
        raise ConfigError(f"--answer-words makes each completion one word, a single token: it needs "
                          f"--max-completion-length 1, got {cfg.max_completion_length}")
    if not 0 <= cfg.filter_low <= cfg.filter_high <= 1:
        raise ConfigError(f"need 0 <= --filter-low <= --filter-high <= 1, got {cfg.filter_low} and {cfg.filter_high}")
    for game in cfg.games.split(","):
        if game not in GAMES:
            raise ConfigError(f"unknown game {game!r} in --games; available: {', '.join(GAMES)}")
    if cfg.game_weights:
        try:
            weights = [float(w) for w in cfg.game_weights.split(",")]
        except ValueError:
            raise ConfigError(f"--game-weights must be comma-separated numbers, got {cfg.game_weights!r}") from None
        if len(weights) != len(cfg.games.split(",")) or min(weights) < 0 or sum(weights) <= 0:
            raise ConfigError(f"--game-weights {cfg.game_weights!r} needs one non-negative weight per game in "
                              f"--games {cfg.games!r}, not all zero")
    for game in cfg.games.split(","):  # the game's own checks (board too small for the snake, unknown level, ...)
        try:
            GAMES[game].sample_at(0, cfg.seed, "train", **game_settings(cfg, game))
        except ValueError as e:
            raise ConfigError(f"--games {game}: {e}") from None
    return cfg


# ---------------------------------------------------------------------------------------------------------
# The tiny Qwen2.5-VL: the real architecture at toy sizes, random weights, a tokenizer trained here (SPEC §8)

QWEN_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                       "<|image_pad|>", "<|video_pad|>"]
# Qwen's chat format: <|im_start|>role\n ... <|im_end|>\n, each image as <|vision_start|><|image_pad|><|vision_end|>
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def build_tiny_model(path, corpus, seed=0, vocab_size=1024, hidden_size=64, num_layers=2, vision_depth=2, rope_theta=10.0,
                     initializer_range=0.2):
    """Build a tiny random Qwen2.5-VL and save it to `path` in Hugging Face form.

    The tokenizer is a byte-level BPE trained on `corpus` (the games' prompts and answer formats) with
    Qwen's special tokens, so prompts are a few hundred tokens, not thousands of bytes.

    Two settings differ from Qwen's because, measured, the tiny model cannot learn to read the board without
    them (a supervised probe on the tiny preset's boards, 400 steps x 32, held-out best-move accuracy from 0.35:
    0.55 with both and the vision tower trained, 0.42 with it frozen, 0.35 blind; 0.38 with rope_theta 10000;
    0.34 with initializer_range 0.1 or 0.02). initializer_range 0.2, not 0.02: at 0.02 attention is uniform
    over the ~90 prompt tokens and the board's few changed tokens are drowned. rope_theta 10, not 10000: at
    10000 M-RoPE's width frequencies are <= 0.003 rad per cell, so a 4x4 grid of image tokens has no column.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Qwen2_5_VLConfig, Qwen2Tokenizer
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=QWEN_SPECIAL_TOKENS, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    trained = json.loads(bpe.to_str())["model"]
    tokenizer = Qwen2Tokenizer(vocab=trained["vocab"], merges=[tuple(m) for m in trained["merges"]],
                               unk_token=None, bos_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": QWEN_SPECIAL_TOKENS[1:]})
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in QWEN_SPECIAL_TOKENS}
    special = dict(bos_token_id=None, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    config = Qwen2_5_VLConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=num_layers, num_attention_heads=hidden_size // 16,
                         num_key_value_heads=hidden_size // 32, max_position_embeddings=4096,
                         # head_dim 16: M-RoPE splits its 8 frequency pairs into (time, height, width) = 2+3+3
                         rope_parameters={"rope_type": "default", "rope_theta": rope_theta, "mrope_section": [2, 3, 3]},
                         tie_word_embeddings=True, initializer_range=initializer_range, **special),
        vision_config=dict(depth=vision_depth, hidden_size=hidden_size, intermediate_size=2 * hidden_size, num_heads=4,
                           out_hidden_size=hidden_size, initializer_range=initializer_range, patch_size=14,
                           spatial_merge_size=2, temporal_patch_size=2, window_size=112, fullatt_block_indexes=[1]),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=True, initializer_range=initializer_range, **special)
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config)
    model.generation_config.eos_token_id = [ids["<|im_end|>"], ids["<|endoftext|>"]]
    image_processor = Qwen2VLImageProcessorPil(patch_size=14, merge_size=2, temporal_patch_size=2)
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    ImageOnlyProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=CHAT_TEMPLATE).save_pretrained(tmp)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------
# Model and processor, by hub name or folder (the same from_pretrained path for the 7B and the tiny model)


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


def answer_token_ids(processor, words):
    """grpo.answer_token_ids for --answer-words, with a bad word reported as a ConfigError."""
    try:
        return grpo.answer_token_ids(processor.tokenizer, words)
    except ValueError as e:
        raise ConfigError(f"--answer-words {words!r}: {e}") from None


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
# Data: sample i of the run is the same sample whatever the number of processes

GAMES = {"snake": snake, "rotation": rotation, "gameqa": gameqa}  # each has sample_at(index, seed, split, ...)


def game_settings(cfg, game):
    """The keyword arguments of the game module's sample_at, from the run's config."""
    if game == "snake":
        return {"cfg": snake.SnakeConfig(width=cfg.board_size, height=cfg.board_size, num_apples=cfg.num_apples,
                                         image_size=cfg.image_size, max_length=cfg.max_snake_length,
                                         answer_format=cfg.answer_format)}
    if game == "rotation":
        return {"cfg": rotation.RotationConfig(image_size=cfg.image_size, level=cfg.rotation_level)}
    names = cfg.gameqa_games.split(",")
    return {"games": gameqa.game_names(names[0]) if names[0] in ("all", "in-domain", "out-of-domain") else names}


def make_sampler(cfg, split="train"):
    """index -> sample record, a pure function of the index, which makes resuming and changing the number of
    processes exact. On the fly: sample i draws its game by `game_weights` (seeded by i) and is sample i
    of that game's seeded `split` stream. From a folder (training only): a fresh seeded shuffle each epoch."""
    if cfg.data and split == "train":
        dataset = read_dataset(cfg.data)

        @functools.lru_cache(maxsize=2)
        def epoch_order(epoch):
            order = list(range(len(dataset)))
            random.Random(f"{cfg.seed}:{epoch}").shuffle(order)
            return order

        def from_folder(i):
            epoch, j = divmod(i, len(dataset))
            return dataset[epoch_order(epoch)[j]]
        return from_folder
    games = cfg.games.split(",")
    weights = [float(w) for w in cfg.game_weights.split(",")] if cfg.game_weights else [1.0] * len(games)
    settings = {g: game_settings(cfg, g) for g in games}

    def on_the_fly(i):
        game = random.Random(f"mix:{split}:{cfg.seed}:{i}").choices(games, weights)[0] if len(games) > 1 else games[0]
        return GAMES[game].sample_at(i, cfg.seed, split, **settings[game])
    return on_the_fly


# ---------------------------------------------------------------------------------------------------------
# Held-out evaluation: greedy decoding, graded by the same rewards (evaluate.py adds reports and benchmarks)


@torch.no_grad()
def evaluate_samples(model, processor, samples, batch_size, max_completion_length, system_prompt=None, blind=False,
                     temperature=0.0, progress=None):
    """Decode one completion per sample (greedy by default) and grade it; one row per sample."""
    rows = []
    batches = range(0, len(samples), batch_size)
    for start in (progress(batches) if progress else batches):
        chunk = samples[start:start + batch_size]
        out = grpo.rollout(model, processor, chunk, 1, max_completion_length, temperature=temperature,
                           system_prompt=system_prompt, blind=blind)
        for sample, text in zip(chunk, out["texts"]):
            s = rewards.score(text, sample)
            rows.append({"id": sample["id"], "game": sample["game"], "level": sample.get("level", {}),
                         "split_group": sample.get("split_group"), "question_id": sample.get("question_id"),
                         "completion": text, **s})
    return rows


# ---------------------------------------------------------------------------------------------------------
# Checkpoints: Hugging Face folders, written atomically


def find_checkpoint(path):
    """A checkpoint folder itself, or the newest complete checkpoint-* inside a run folder."""
    if os.path.isfile(os.path.join(path, "train_state.json")):
        return path
    if not os.path.isdir(path):
        raise ConfigError(f"--resume: {path!r} does not exist")
    done = sorted(d for d in os.listdir(path) if re.fullmatch(r"checkpoint-\d+", d)
                  and os.path.isfile(os.path.join(path, d, "train_state.json")))
    if not done:
        raise ConfigError(f"--resume: no complete checkpoint-* folder in {path!r}")
    return os.path.join(path, done[-1])


def save_checkpoint(accelerator, model, processor, cfg, step, rollout=None):
    """out_dir/checkpoint-{step:06d}: model + processor (loadable by from_pretrained), train_config.json,
    accelerator state (optimizer, scheduler, every process's RNG) and, when the step ends in the middle of a
    rollout's steps, each process's stored rollout (rollout-{rank}.pt), so a resumed run trains on exactly
    the same completions. Written to a .tmp folder and renamed only when complete (train_state.json last):
    a folder named checkpoint-N is always whole, and a run killed mid-save leaves only *.tmp/*.old folders,
    which find_checkpoint ignores."""
    final = os.path.join(cfg.out_dir, f"checkpoint-{step:06d}")
    tmp, old = final + ".tmp", final + ".old"
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
    accelerator.wait_for_everyone()
    accelerator.save_state(os.path.join(tmp, "state"))
    if rollout is not None:
        torch.save(rollout, os.path.join(tmp, f"rollout-{accelerator.process_index}.pt"))
    state_dict = accelerator.get_state_dict(model)  # a collective under FSDP: every process gathers its shards
    if accelerator.is_main_process:
        accelerator.unwrap_model(model).save_pretrained(tmp, state_dict=state_dict, safe_serialization=True)
        processor.save_pretrained(tmp)
        json.dump(dataclasses.asdict(cfg), open(os.path.join(tmp, "train_config.json"), "w"), indent=1)
        json.dump({"step": step, "num_processes": accelerator.num_processes},
                  open(os.path.join(tmp, "train_state.json"), "w"))
        if os.path.isdir(final):  # saving a step again (resumed from an older checkpoint): never delete in place
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()
    return final


# ---------------------------------------------------------------------------------------------------------
# Learning-rate schedule


def lr_lambda(cfg):
    """Multiplier of the peak lr at a step: linear warm-up, then constant or cosine down to min_lr_ratio."""
    warmup = int(cfg.warmup_ratio * cfg.max_steps)

    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        if cfg.lr_scheduler == "constant":
            return 1.0
        progress = (step - warmup) / max(1, cfg.max_steps - warmup)
        return cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return f


# ---------------------------------------------------------------------------------------------------------
# Distributed set-up: data-parallel (DDP) by default, FSDP2 with --fsdp


def make_accelerator(cfg):
    """The Accelerator, with an FSDP2 plugin built here (no accelerate config file needed) when cfg.fsdp.

    FSDP2 (torch fully_shard) shards every parameter over the processes; each decoder layer is its own unit,
    all-gathered just before its forward/backward and freed after (ZeRO-3); the rest (embeddings, the frozen
    vision tower, the head) is the root unit. FSDP2 lets frozen and trainable parameters share a unit. With --dtype bfloat16 the weights,
    gradients and AdamW state stay float32 (sharded, so a 7B model's ~112 GB is split W ways) and only the
    compute runs in bfloat16: pure-bf16 weights would round most 1e-6 updates away.
    """
    plugin = None
    if cfg.fsdp:
        from accelerate.utils import FullyShardedDataParallelPlugin
        from torch.distributed.fsdp import MixedPrecisionPolicy
        plugin = FullyShardedDataParallelPlugin(
            fsdp_version=2, reshard_after_forward=True, auto_wrap_policy="transformer_based_wrap",
            # decoder layers only: generate() runs the vision tower outside the root module's forward, so its
            # blocks must not be FSDP units of their own (FSDP2 wants the root's forward to come first)
            transformer_cls_names_to_wrap=["Qwen2_5_VLDecoderLayer"],
            mixed_precision_policy=MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
            if cfg.dtype == "bfloat16" else None,
            state_dict_type="SHARDED_STATE_DICT", activation_checkpointing=False)  # checkpointing: HF's own, below
    accelerator = Accelerator(log_with=cfg.report_to or None, project_dir=cfg.out_dir, fsdp_plugin=plugin)
    if cfg.fsdp and accelerator.distributed_type != DistributedType.FSDP and accelerator.is_main_process:
        print(f"warning: --fsdp asked for, but Accelerate runs {accelerator.distributed_type}: parameters are NOT "
              f"sharded (Accelerate 1.15 shards with FSDP only on GPU-type devices, never on CPU)")
    return accelerator


# ---------------------------------------------------------------------------------------------------------
# Which completions of a rollout each process holds


def rollout_rows(rank, num_processes, steps_per_rollout, step_rows):
    """The rows of the rollout that process `rank` samples and trains on, in its local order. (S * step_rows / W,)

    A rollout is steps_per_rollout mini-batches of step_rows completions (prompts_per_step x G, groups
    contiguous); row g of the rollout is completion g % G of the rollout's prompt g // G. Every mini-batch
    is split evenly: process r holds its rows [r * step_rows / W, (r + 1) * step_rows / W), so a group may
    span processes (Game-RL: 24 completions on 4 GPUs) and the data of a step does not depend on W.
    """
    local_rows = step_rows // num_processes
    return torch.tensor([k * step_rows + rank * local_rows + j for k in range(steps_per_rollout) for j in range(local_rows)])


def in_rollout_order(gathered, num_processes, steps_per_rollout):
    """accelerator.gather's result (process-major: all of process 0's rows, then process 1's, ...) put back in
    rollout order, so that groups are contiguous again: row i of the result is rollout row i. (R, ...)"""
    per_process = gathered.view(num_processes, steps_per_rollout, -1, *gathered.shape[1:])   # (W, S, local, ...)
    return per_process.transpose(0, 1).reshape(gathered.shape)


# ---------------------------------------------------------------------------------------------------------
# One optimizer step on a fixed batch: the update phase of the loop, on its own so tests can call it


def update_step(accelerator, model, optimizer, scheduler, batch, cfg):
    """Micro-batched backward over this process's rows of one optimizer step, one denominator, clip, step.

    batch: this process's share of the step (any number of rows; all processes must have the same count), as
    grpo.rollout returns it plus
      mask        (B, C)  the completion tokens that train (filtered groups / masked truncations all 0)
      advantages  (B,)    from the whole rollout, gathered over all processes
      old_logps   (B, C)  optional: log-probs of the sampling policy; absent = the current policy (ratio 1)
      ref_logps   (B, C)  optional: reference log-probs, needed when cfg.beta > 0
    Every process divides its summed loss by loss_denominator(...) for the whole step, once: not again per
    micro-batch (no_sync accumulates the micro-batches' gradients as a sum), and DDP/FSDP averages the W
    processes' gradients, which is where the denominator's 1/W comes back. So W processes with B/W rows each
    produce the gradient of one process with all B rows (tests/test_update_step_distributed.py checks it),
    except for bnpo, whose denominator is the local token count by definition (SPEC §5).
    Returns the step's metrics, reduced over all processes.
    """
    mask = batch["mask"]
    B, mb = mask.size(0), cfg.micro_batch_size
    lengths = mask.sum(dim=1)
    counts = accelerator.reduce(torch.stack([(lengths > 0).sum(), lengths.sum()]).float(), reduction="sum")
    denominator = grpo.loss_denominator(cfg.loss_type, mask, int(counts[0]), int(counts[1]),
                                        accelerator.num_processes, cfg.max_completion_length)
    stats = torch.zeros(6, device=mask.device, dtype=torch.float64)  # loss, kl, clipped, ratio, tokens, entropy (sums)
    model.train()
    for i in range(0, B, mb):
        micro = grpo.select_rows(batch, i, i + mb)
        micro_mask = micro["mask"]
        with nullcontext() if i + mb >= B else accelerator.no_sync(model):   # all-reduce once, after the last
            logps, entropy = grpo.completion_logps(model, micro, cfg.temperature, with_entropy=True,
                                                   entropy_grad=cfg.entropy_coef > 0)                # (b, C)
            old_logps = micro["old_logps"] if "old_logps" in micro else logps.detach()
            per_token, clipped = grpo.clipped_policy_loss(logps, old_logps, micro["advantages"], cfg.epsilon,
                                                          cfg.epsilon_high, cfg.delta or None)
            if cfg.entropy_coef > 0:
                per_token = per_token - cfg.entropy_coef * entropy
            if cfg.beta > 0:
                kl = grpo.kl_penalty(logps, micro["ref_logps"], cfg.kl_estimator)
                per_token = per_token + cfg.beta * kl
                stats[1] += (kl.detach() * micro_mask).sum()
            loss = grpo.aggregate_loss(per_token, micro_mask, cfg.loss_type, denominator)
            accelerator.backward(loss)
        stats[0] += loss.item()
        stats[2] += (clipped & micro_mask.bool()).sum()
        stats[3] += (torch.exp(logps.detach() - old_logps) * micro_mask).sum()
        stats[4] += micro_mask.sum()
        stats[5] += (entropy.detach() * micro_mask).sum()
    params = [p for p in model.parameters() if p.requires_grad]  # after prepare: FSDP replaces the parameters
    grad_norm = accelerator.clip_grad_norm_(params, cfg.max_grad_norm)
    grad_norm = grad_norm.full_tensor() if hasattr(grad_norm, "full_tensor") else grad_norm   # FSDP: a DTensor
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    stats = accelerator.reduce(stats, reduction="sum")
    tokens = stats[4].clamp(min=1)
    # each process's loss carries the factor W that gradient averaging removes: the run's loss is the mean
    return {"loss": stats[0].item() / accelerator.num_processes, "kl": (stats[1] / tokens).item(),
            "clip_ratio": (stats[2] / tokens).item(), "ratio": (stats[3] / tokens).item(),
            "entropy": (stats[5] / tokens).item(),
            "grad_norm": float(grad_norm), "lr": scheduler.get_last_lr()[0]}


# ---------------------------------------------------------------------------------------------------------
# Training


def train(cfg):
    accelerator = make_accelerator(cfg)
    W, rank = accelerator.num_processes, accelerator.process_index
    G, S = cfg.num_generations, cfg.steps_per_rollout
    step_rows = cfg.prompts_per_step * G                          # completions per optimizer step, all processes
    if step_rows % W:
        raise ConfigError(f"--prompts-per-step x --num-generations ({step_rows} completions a step) must be "
                          f"divisible by the number of processes ({W})")
    local_rows = step_rows // W                                    # this process's completions per step
    steps_per_rollout = S * cfg.num_iterations                     # optimizer steps per rollout
    set_seed(cfg.seed + rank)                                      # different sampling noise on each process
    sample_at = make_sampler(cfg)

    # ---- model, processor, optimizer
    start_step, checkpoint = 0, None
    if cfg.resume:
        checkpoint = find_checkpoint(cfg.resume)
        start_step = json.load(open(os.path.join(checkpoint, "train_state.json")))["step"]
        model_path = checkpoint
    elif cfg.model == "tiny":
        model_path = os.path.join(cfg.out_dir, "tiny-model")
        if accelerator.is_main_process and not os.path.isdir(model_path):
            corpus = [sample_at(i)["prompt"] for i in range(64)] + [  # the games' prompts and answer formats
                "<think> </think><answer> 90 </answer><answer> 180 </answer>",
                "<think> </think><best_answer> UP </best_answer><worst_answer> DOWN, LEFT, RIGHT, None </worst_answer>",
                "UP", "DOWN", "LEFT", "RIGHT"] * 64
            build_tiny_model(model_path, corpus, seed=cfg.seed)
        accelerator.wait_for_everyone()
    else:
        try:
            check_model_path(cfg.model)
        except FileNotFoundError as e:
            raise ConfigError(str(e)) from None
        model_path = cfg.model
    dtype = torch.bfloat16 if cfg.dtype == "bfloat16" else torch.float32
    try:
        processor = load_processor(model_path, cfg.min_pixels, cfg.max_pixels)
        # under FSDP the master weights stay float32; the plugin's mixed-precision policy computes in bf16
        model = load_model(model_path, torch.float32 if accelerator.distributed_type == DistributedType.FSDP else dtype)
    except OSError as e:  # not on disk and not downloadable (offline, or no such hub repo)
        raise ConfigError(f"could not load model {model_path!r}: {str(e).splitlines()[0]}") from None
    if cfg.freeze_vision:
        model.model.visual.requires_grad_(False)
    if cfg.gradient_checkpointing:  # non-reentrant: the variant that composes with FSDP and frozen inputs
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
    ref_model = None
    if cfg.beta > 0:  # Game-RL: KL to the initial model; with beta = 0 no copy is kept (ViGaL)
        ref_model = load_model(cfg.model if cfg.model != "tiny" else os.path.join(cfg.out_dir, "tiny-model"), dtype)
        ref_model.requires_grad_(False).eval().to(accelerator.device)  # not sharded: one bf16 copy per process
    if cfg.answer_words:  # constrained decoding: policy and reference only ever answer with one of these words
        answer_ids = answer_token_ids(processor, cfg.answer_words)
        for m in (model, ref_model):
            if m is not None:
                grpo.restrict_vocabulary(m, answer_ids)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.learning_rate,
                                  weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda(cfg))
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    rollout = None                                                 # the current rollout: this process's rows
    if checkpoint:
        accelerator.load_state(os.path.join(checkpoint, "state"))
        if start_step % steps_per_rollout:                         # stopped inside a rollout: train on the same one
            path = os.path.join(checkpoint, f"rollout-{rank}.pt")
            if not os.path.isfile(path):
                raise ConfigError(f"--resume: {checkpoint} was saved inside a rollout by a different number of "
                                  f"processes ({path} is missing); resume with the same number of processes")
            rollout = torch.load(path, map_location=accelerator.device, weights_only=True)
    policy = accelerator.unwrap_model(model)                       # generation runs on the unwrapped module
    trainable = [p for p in policy.parameters() if p.requires_grad]

    # ---- run folder: resolved config, metrics
    metrics_path = os.path.join(cfg.out_dir, "metrics.jsonl")
    if accelerator.is_main_process:
        os.makedirs(cfg.out_dir, exist_ok=True)
        json.dump(dataclasses.asdict(cfg), open(os.path.join(cfg.out_dir, "config.json"), "w"), indent=1)
        truncate_metrics(metrics_path, start_step)                  # drop steps logged after the checkpoint we resume
        print(f"config: {json.dumps(dataclasses.asdict(cfg))}")
        print(f"model: {model_path} ({sum(p.numel() for p in policy.parameters()) / 1e6:.2f}M parameters, "
              f"{sum(p.numel() for p in trainable) / 1e6:.2f}M trainable), {W} process(es), device {accelerator.device}"
              f"{', FSDP2-sharded' if accelerator.distributed_type == DistributedType.FSDP else ''}")
    if cfg.report_to:
        accelerator.init_trackers("game-rl", config=dataclasses.asdict(cfg))

    # ---- held-out accuracy before training (test split: a seed stream training never sees)
    held_out_path = os.path.join(cfg.out_dir, "held_out.json")
    eval_set = [make_sampler(cfg, "test")(i) for i in range(cfg.eval_samples)]
    if eval_set and start_step == 0:
        held_out_eval(accelerator, policy, processor, eval_set, cfg, step=0, path=held_out_path)

    my_rows = rollout_rows(rank, W, S, step_rows)                  # (S * local_rows,) this process's rows
    bar = tqdm(range(start_step, cfg.max_steps), initial=start_step, total=cfg.max_steps, desc="training",
               disable=not accelerator.is_main_process)
    for step in bar:
        timings, step_start = {}, time.perf_counter()
        if step % steps_per_rollout == 0 or rollout is None:
            first_prompt = (step // steps_per_rollout) * S * cfg.prompts_per_step

            # ---- 1. rollout: this process's completions of the next S optimizer steps
            t = time.perf_counter()
            counts = collections.Counter(int(g) // G for g in my_rows)  # my completions of each prompt (in order)
            prompts = {p: sample_at(first_prompt + p) for p in counts}
            row_samples = [prompts[int(g) // G] for g in my_rows]
            policy.eval()
            with grpo.full_params_for_generation(policy):          # FSDP: gather the weights once for all tokens
                # each prompt encoded and prefilled once for all its completions; with the tower frozen, its image
                # features are kept for the log-prob passes, which then skip the tower too
                batch = grpo.rollout(policy, processor, list(prompts.values()), list(counts.values()),
                                     cfg.max_completion_length, cfg.temperature, cfg.top_p, cfg.top_k,
                                     cfg.system_prompt or None, cfg.blind, keep_image_features=cfg.freeze_vision)
            timings["generate"] = time.perf_counter() - t

            # ---- 2. score every completion by rule
            t = time.perf_counter()
            scores = [rewards.score(text, row_samples[i]) for i, text in enumerate(batch["texts"])]
            local = torch.tensor([[s["reward"], s["accuracy"], s["format"]] for s in scores], device=accelerator.device)
            local = torch.cat([local, batch["completion_mask"].sum(dim=1, keepdim=True).float(),
                               batch["truncated"].unsqueeze(1).float()], dim=1)                   # (S * local_rows, 5)
            timings["score"] = time.perf_counter() - t

            # ---- 3. advantages over the whole rollout, gathered from every process, back in rollout order
            everyone = in_rollout_order(accelerator.gather(local), W, S)                         # (R, 5)
            keep = grpo.accuracy_filter(everyone[:, 1], G, cfg.filter_low, cfg.filter_high)      # (R,)
            if cfg.mask_truncated_completions:  # DAPO §3.4: a cut-off completion says nothing about its answer
                keep = keep & (everyone[:, 4] == 0)
            if cfg.advantage_estimator == "rloo":
                advantages = grpo.rloo_advantages(everyone[:, 0], G)
            else:
                advantages = grpo.group_advantages(everyone[:, 0], G, cfg.scale_rewards)
            if cfg.whiten_advantages:  # ViGaL/OpenRLHF: statistics over every token that trains, all processes
                advantages = grpo.whiten_over_tokens(advantages, everyone[:, 3] * keep)
            batch["advantages"] = advantages[my_rows]
            batch["mask"] = batch["completion_mask"] * keep[my_rows].unsqueeze(1).long()
            batch.pop("texts")

            # ---- 4. log-probs that must not move during the updates: old (sampling policy) and reference
            t = time.perf_counter()
            if steps_per_rollout > 1:  # ratio against the policy that sampled, not the one being updated
                policy.eval()
                batch["old_logps"] = grpo.batch_logps(model, batch, cfg.micro_batch_size, cfg.temperature)
            if ref_model is not None:
                batch["ref_logps"] = grpo.batch_logps(ref_model, batch, cfg.micro_batch_size, cfg.temperature)
            timings["logps"] = time.perf_counter() - t                # 0 when neither is needed
            # completion tokens of the whole rollout, all processes, per second of (parallel) generation
            tokens_per_second = everyone[:, 3].sum().item() / timings["generate"]
            rollout = {"batch": batch, "everyone": everyone, "keep": keep}

        # ---- 5. update on mini-batch k of the rollout (pass step // S over it)
        t = time.perf_counter()
        k = step % steps_per_rollout % S
        stats = update_step(accelerator, model, optimizer, scheduler,
                            grpo.select_rows(rollout["batch"], k * local_rows, (k + 1) * local_rows), cfg)
        timings["update"] = time.perf_counter() - t                  # the policy's own log-probs, backward, step
        timings["step"] = time.perf_counter() - step_start

        # ---- log: every number is the whole step's mini-batch, over all processes
        rows, kept = rollout["everyone"][k * step_rows:(k + 1) * step_rows], rollout["keep"][k * step_rows:(k + 1) * step_rows]
        metrics = {
            "step": step + 1,
            "reward": rows[:, 0].mean().item(), "reward_std": rows[:, 0].std().item(),
            "accuracy": rows[:, 1].mean().item(), "format": (rows[:, 2] > 0).float().mean().item(),
            "completion_length": rows[:, 3].mean().item(), "truncated": rows[:, 4].mean().item(),
            "completion_tokens": rows[:, 3].sum().item(), "kept": kept.float().mean().item(), **stats,
            **{f"seconds/{name}": seconds for name, seconds in timings.items()},
            # under seconds/: every key there varies with the machine's load, and no other key does
            **({"seconds/tokens_per_second": tokens_per_second} if "generate" in timings else {}),
        }
        if accelerator.is_main_process:
            with open(metrics_path, "a") as f:
                f.write(json.dumps(metrics) + "\n")
            bar.set_postfix(reward=f"{metrics['reward']:.2f}", acc=f"{metrics['accuracy']:.2f}",
                            len=f"{metrics['completion_length']:.0f}")
        if cfg.report_to:
            accelerator.log(metrics, step=step + 1)

        if (step + 1) % cfg.save_every == 0 or step + 1 == cfg.max_steps:
            mid_rollout = (step + 1) % steps_per_rollout != 0
            last_checkpoint = save_checkpoint(accelerator, model, processor, cfg, step + 1,
                                              rollout if mid_rollout else None)

    bar.close()
    if accelerator.is_main_process and cfg.max_steps > start_step:
        run_metrics = [json.loads(line) for line in open(metrics_path) if line.strip()]
        tqdm.write(timing_summary([m for m in run_metrics if m["step"] > start_step]))
    if eval_set and cfg.max_steps > start_step:
        held_out_eval(accelerator, policy, processor, eval_set, cfg, step=cfg.max_steps, path=held_out_path)
    if cfg.max_steps > start_step:
        write_report(accelerator, policy, processor, eval_set, cfg)
    if cfg.report_to:
        accelerator.end_training()
    if accelerator.is_main_process and cfg.max_steps > start_step:
        print(f"done: {cfg.max_steps} steps. metrics: {metrics_path}\ncheckpoint: {last_checkpoint}\n"
              f"evaluate it: python evaluate.py --model {last_checkpoint}")
    return accelerator.unwrap_model(model)


def held_out_eval(accelerator, policy, processor, samples, cfg, step, path):
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


# ---------------------------------------------------------------------------------------------------------
# End-of-run report: what a person looks at after `accelerate launch train.py`


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
    from PIL import Image, ImageDraw, ImageFont
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


def write_report(accelerator, policy, processor, eval_set, cfg, num_rollouts=8):
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
        tqdm.write("\n".join(line for line in lines if line.startswith("|") or line.startswith("Held")))
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


def truncate_metrics(path, step):
    """Keep only the metric lines of steps <= `step` (a resumed run re-logs the steps after its checkpoint)."""
    if not os.path.isfile(path):
        return
    lines = [line for line in open(path) if _step_of(line) <= step]
    with open(path, "w") as f:
        f.writelines(lines)


def _step_of(line):
    """The step of a metrics line; infinity for a line cut short when a run was killed while writing it."""
    try:
        return json.loads(line)["step"]
    except (ValueError, KeyError, TypeError):
        return math.inf


def main(argv=None):
    try:
        cfg = parse_config(argv)
        return train(cfg)
    except (ConfigError, DatasetError) as e:  # the user's input was wrong: one clear line, no traceback
        sys.exit(f"train.py: error: {e}")


if __name__ == "__main__":
    main()
