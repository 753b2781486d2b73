"""Train a Qwen2.5-VL policy with GRPO on game data, verified by rule: ViGaL and Game-RL in one flat script.

The loop (the formulas are in grpo.py's docstring). A rollout serves steps_per_rollout x num_iterations optimizer
steps (1 x 1 by default):
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
Game-RL (arXiv 2505.13886): GRPO on GameQA-5K with a KL to the initial model. Their settings are the presets in
config.py; Config's own defaults are the default run, a tiny model on CPU. The model is loaded (or, for the
default run, built) by model.py; held-out accuracy and the end-of-run report come from evaluate.py.

Where this deviates from the papers, and why:
    1. No vLLM, no Ray: generation is a short sampler on the training model (grpo.rollout: each prompt's image
       encoded and the prompt prefilled once for its G completions, the features reused by the log-prob
       passes), so the whole algorithm fits in two readable files and runs anywhere, at the cost of rollout
       speed on big GPUs (no paged attention, no continuous batching).
    2. Game-RL graded with a 72B LLM judge; we grade every answer by rule (rewards.py; the README's "Where the
       sources disagree").
    3. The default run is a 0.3M-parameter Qwen2.5-VL with random weights built in code, and a small Snake
       board, so the whole loop runs on a laptop CPU in minutes. It shows the machinery, not the papers'
       numbers; `--preset vigal` with the real model is the paper's run. To learn the board from the reward in
       minutes, it answers with one of the four move words (constrained decoding, --answer-words) and adds an
       entropy bonus (--entropy-coef); neither is in the papers, both are off in their presets.
    4. Snake states come from scripted agents' games, not a PPO agent's (snake.py explains).
    5. The online accuracy filter (filter_low/filter_high) masks the dropped groups out of the loss and of
       every statistic instead of removing them and sampling more: the same gradient with fewer moving parts,
       but the step trains on fewer completions, and the masked rows still cost their forward pass.
    6. Sharding is FSDP2 through Accelerate (the papers used DeepSpeed via OpenRLHF / ms-swift); the reference
       model (beta > 0) is sharded the same way, for its forward passes only (shard_reference).
    7. Sampling with top_p / top_k (gamerl: 0.85, 50) draws from the truncated distribution, but every log-prob
       (ratio, KL to the reference, entropy) is taken over the whole temperature-scaled distribution, as TRL's
       GRPOTrainer does, which ms-swift, Game-RL's trainer, builds on. The gradient is then that of a policy a
       little wider than the one that sampled (the cut tokens hold at most 1 - top_p of a step's probability);
       renormalising over the kept tokens would remove that, with a cut-off that moves with the logits.

Commands:
    accelerate launch train.py                                   # the default run: tiny model, CPU, a few minutes
    python train.py --help                                       # every option, with its default
    accelerate launch train.py --resume runs/tiny                # continue from the last complete checkpoint
    accelerate launch train.py --overwrite                       # the default run again, replacing runs/tiny
    ACCELERATE_USE_CPU=1 accelerate launch --multi_gpu --num_processes 2 train.py --out-dir runs/tiny-2proc  # DDP, CPU
  1 GPU (a single process is not sharded, --fsdp then prints a warning). Training takes 16 bytes a trainable
  parameter (float32 weights, gradients and AdamW's two moments; load_policy says why float32) before
  activations: ~51 GB for the 3B model fits an 80 GB GPU, ~123 GB for the 7B one does not (use several):
    accelerate launch train.py --preset vigal --fsdp false --model Qwen/Qwen2.5-VL-3B-Instruct
  8 GPUs, one node (the vigal and gamerl presets turn on --fsdp and --gradient-checkpointing):
    accelerate launch --num_processes 8 train.py --preset vigal  # 120 prompts x 6 = 720 completions, 90 a GPU
    accelerate launch --num_processes 4 train.py --preset gamerl # Game-RL: 2 prompts x 12, 6 completions a GPU
  2 nodes x 8 GPUs (run on each node, --machine_rank 0 on the node whose address is given, 1 on the other):
    accelerate launch --num_machines 2 --num_processes 16 --machine_rank 0 --main_process_ip 10.0.0.1 \\
        --main_process_port 29500 train.py --preset vigal
"""
import argparse
import collections
import dataclasses
import errno
import json
import math
import os
import shutil
import signal
import sys
import time
from contextlib import nullcontext

import torch
from accelerate import Accelerator
from accelerate.checkpointing import load_accelerator_state, save_accelerator_state
from accelerate.utils import DistributedType, load_fsdp_optimizer, save_fsdp_optimizer, set_seed
from tqdm import tqdm
import transformers
from transformers import HfArgumentParser

import evaluate
import grpo
import rewards
import runs
from config import PRESETS, Config, ConfigError, validate
from data import make_sampler
from records import DatasetError, UndecodableImage
from model import ModelError, build_tiny_model, check_model_path, load_model, load_processor, read_json

# ---------------------------------------------------------------------------------------------------------
# Command line: one --flag per Config field


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """--help prints this file's docstring as written, then every flag with its help and default."""


class Parser(HfArgumentParser):
    def error(self, message):  # one line from the first process, not the usage of 60 flags from every process
        self.exit(2, f"train.py: error: {message} (python train.py --help lists every flag)\n"
                  if first_process() else None)


def parse_config(argv=None):
    """Config's defaults < the preset's overrides < the resumed run's config < the flags given.

    transformers' HfArgumentParser makes the flags from the dataclass (--max-steps or --max_steps; booleans as
    --fsdp, --fsdp false), each with its field's help. The preset and the resumed config become the parser's
    defaults, so a flag given always wins and `--preset vigal --help` shows what that run would get. A resumed
    run goes on in the folder --resume names (or the run folder holding the checkpoint it names), not in the
    out_dir its config recorded: a moved or copied run continues where it now is.
    """
    first_parser = Parser(Config, add_help=False)
    first_parser.set_defaults(out_dir=None)                 # None: no --out-dir given
    first, _ = first_parser.parse_known_args(argv)          # only --preset, --resume and --out-dir count here
    if first.preset and first.preset not in PRESETS:
        raise ConfigError(f"unknown preset {first.preset!r}; choose one of: {', '.join(PRESETS)}")
    defaults = dict(PRESETS.get(first.preset, {}))
    if first.resume:
        checkpoint = runs.find_checkpoint(first.resume)
        runs.check_checkpoint(checkpoint)                  # every file whole, before its config is trusted
        saved = read_json(os.path.join(checkpoint, "train_config.json"))
        defaults.update({k: v for k, v in saved.items() if k not in ("resume", "overwrite")})
        defaults["out_dir"] = runs.run_folder_of(checkpoint)
        if defaults["out_dir"] is None and first.out_dir is None:
            raise ConfigError(f"--resume {first.resume} is a checkpoint outside a run folder (not named "
                              f"checkpoint-N): say where the run goes on with --out-dir")
    fields = {f.name for f in dataclasses.fields(Config)}
    parser = Parser(Config, description=__doc__, formatter_class=HelpFormatter)
    parser.set_defaults(**{name: value for name, value in defaults.items() if name in fields})
    return validate(Config(**vars(parser.parse_args(argv))))


# ---------------------------------------------------------------------------------------------------------
# Processes: data-parallel (DDP) by default, FSDP2 with --fsdp


def make_accelerator(cfg):
    """The Accelerator, with an FSDP2 plugin built here (no accelerate config file needed) when cfg.fsdp.

    FSDP2 (torch fully_shard) shards every parameter over the processes; each decoder layer is its own unit,
    all-gathered just before its forward/backward and freed after (ZeRO-3); the rest (embeddings, the frozen
    vision tower, the head) is the root unit. FSDP2 lets frozen and trainable parameters share a unit. With
    --dtype bfloat16 the weights, gradients and AdamW state stay float32 (sharded, so a 7B model's ~112 GB is
    split W ways) and only the compute runs in bfloat16 (load_policy says why).
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
# What the run starts from: the model (built first for the default run), its reference, the optimizer


def initial_model(cfg, accelerator, sample_at):
    """The folder or hub name of the model training starts from. cfg.model "tiny": out_dir/tiny-model, built
    by the main process if missing, with a tokenizer trained on the games' prompts and answer formats."""
    if cfg.model != "tiny":
        return cfg.model  # checked by check_model_path before anything loaded
    path = os.path.join(cfg.out_dir, "tiny-model")
    if accelerator.is_main_process and not os.path.isdir(path):
        build_tiny_model(path, tiny_model_corpus(sample_at), seed=cfg.seed)
    accelerator.wait_for_everyone()
    return path


def tiny_model_corpus(sample_at):
    """What the tiny model's tokenizer is trained on: the run's first prompts and every answer format."""
    return [sample_at(i)["prompt"] for i in range(64)] + [
        "<think> </think><answer> 90 </answer><answer> 180 </answer>",
        "<think> </think><best_answer> UP </best_answer><worst_answer> DOWN, LEFT, RIGHT, None </worst_answer>",
        "UP", "DOWN", "LEFT", "RIGHT"] * 64


def load_policy(cfg, accelerator, model_path):
    """(processor, policy, reference model or None), set up as the config says: vision tower frozen, gradient
    checkpointing, float32 master weights, and decoding restricted to --answer-words in both models.

    The policy's trainable weights are float32 whatever --dtype says: they are the optimizer's master copy, and
    --dtype bfloat16 only makes the compute bf16 (compute_precision; under FSDP2 also the plugin's
    mixed-precision policy). AdamW moves a weight by about the learning rate, 1e-6 or 5e-7 in the presets, far
    below bf16's resolution (8 significant bits: steps of 0.0039 at 1.0), so bf16 weights round most updates
    away. Measured on the 3B shape cut to 2 layers, 2 vigal steps at lr 1e-6: with bf16 weights 0.88% of the
    trainable values moved and no norm weight at all; with float32 master weights 99.97% and 99.91%.
    Frozen weights are never updated and need no master copy: without FSDP the frozen vision tower is bf16.
    """
    bf16 = cfg.dtype == "bfloat16"
    fsdp = accelerator.distributed_type == DistributedType.FSDP
    try:
        processor = load_processor(model_path, cfg.min_pixels, cfg.max_pixels)
        model = load_model(model_path, torch.float32)
    except OSError as e:  # not on disk and not downloadable (offline, or no such hub repo)
        raise ConfigError(f"could not load model {model_path!r}: {str(e).splitlines()[0]}") from None
    if cfg.freeze_vision:
        model.model.visual.requires_grad_(False)
        if bf16 and not fsdp:  # under FSDP2 the tower shares the root unit with float32 parameters: one dtype a unit
            model.model.visual.to(torch.bfloat16)
    if cfg.gradient_checkpointing:  # non-reentrant: the variant that composes with FSDP and frozen inputs
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
    ref_model = None
    if cfg.beta > 0:  # Game-RL: KL to the initial model; with beta = 0 no copy is kept (ViGaL)
        # Forward-only, and built to compute exactly as the policy does, so that before the first update the two
        # agree to the bit (KL 0, not bf16 noise: 1e-4 a token measured on the 3B shape). Without FSDP: the
        # policy's float32 weights and bf16 tower, under the same autocast. Under FSDP2: bf16 weights (what the
        # policy's mixed-precision policy computes with), sharded with that policy.
        initial = cfg.model if cfg.model != "tiny" else os.path.join(cfg.out_dir, "tiny-model")
        ref_model = load_model(initial, torch.bfloat16 if bf16 and fsdp else torch.float32).requires_grad_(False).eval()
        if fsdp:
            ref_model = shard_reference(ref_model, accelerator.state.fsdp_plugin.mixed_precision_policy)
        else:
            if bf16 and cfg.freeze_vision:
                ref_model.model.visual.to(torch.bfloat16)
            ref_model.to(accelerator.device)
    if cfg.answer_words:  # constrained decoding: policy and reference only ever answer with one of these words
        try:
            answer_ids = grpo.answer_token_ids(processor.tokenizer, cfg.answer_words)
        except ValueError as e:
            raise ConfigError(f"--answer-words {cfg.answer_words!r}: {e}") from None
        for m in (model, ref_model):
            if m is not None:
                grpo.restrict_vocabulary(m, answer_ids)
    return processor, model, ref_model


def shard_reference(ref_model, mp_policy=None):
    """The reference model sharded with FSDP2 for forward passes only: each decoder layer a unit, as in the
    policy, all-gathered for its forward and freed after it, so each process holds 1/W of the weights (a 7B
    reference is 16.6 GB in bf16 unsharded). The root unit (embeddings, vision tower, output layer) stays
    gathered from a forward until release_reference, because token_logps runs the output layer after the
    forward, outside any FSDP hook. mp_policy: the policy's mixed-precision policy, if any."""
    from torch.distributed.fsdp import fully_shard
    kwargs = {"mp_policy": mp_policy} if mp_policy is not None else {}
    for layer in ref_model.model.language_model.layers:
        fully_shard(layer, **kwargs)
    return fully_shard(ref_model, **kwargs)


def release_reference(ref_model):
    """Free what an FSDP2-sharded reference model still holds gathered after a log-prob pass; a no-op otherwise."""
    from torch.distributed.fsdp import FSDPModule
    if isinstance(ref_model, FSDPModule):
        ref_model.reshard()


def compute_precision(cfg, device):
    """The context the policy's forward passes run in: bfloat16 autocast with --dtype bfloat16 (the weights
    stay float32, the optimizer's master copy; load_policy says why), nothing with float32."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.dtype == "bfloat16")


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


def resume_rollout(accelerator, model, optimizer, scheduler, checkpoint, start_step, steps_per_rollout):
    """Restore optimizer, scheduler and RNG from a checkpoint; a run stopped inside a rollout also gets this
    process's rows of that rollout back, so it trains on the same completions. None: start a new rollout."""
    load_training_state(accelerator, model, optimizer, scheduler, os.path.join(checkpoint, "state"))
    if start_step % steps_per_rollout == 0:
        return None
    path = os.path.join(checkpoint, f"rollout-{accelerator.process_index}.pt")
    if not os.path.isfile(path):
        raise ConfigError(f"--resume: {checkpoint} was saved inside a rollout by a different number of "
                          f"processes ({path} is missing); resume with the same number of processes")
    return torch.load(path, map_location=accelerator.device, weights_only=True)


# ---------------------------------------------------------------------------------------------------------
# The run folder: resolved config, metrics, checkpoints (Hugging Face folders, written whole; runs.py has the rules)


def start_run_folder(accelerator, cfg, model_path, policy):
    """out_dir's config.json (its metrics.jsonl was set by runs.prepare_run_folder); prints the config and the
    model. Returns the metrics path."""
    metrics_path = os.path.join(cfg.out_dir, "metrics.jsonl")
    if accelerator.is_main_process:
        json.dump(dataclasses.asdict(cfg), open(os.path.join(cfg.out_dir, "config.json"), "w"), indent=1)
        trainable = [p for p in policy.parameters() if p.requires_grad]
        print(f"config: {json.dumps(dataclasses.asdict(cfg))}")
        sharded = ", FSDP2-sharded" if accelerator.distributed_type == DistributedType.FSDP else ""
        print(f"model: {model_path} ({sum(p.numel() for p in policy.parameters()) / 1e6:.2f}M parameters, "
              f"{sum(p.numel() for p in trainable) / 1e6:.2f}M trainable), {accelerator.num_processes} process(es), "
              f"device {accelerator.device}{sharded}")
    if cfg.report_to:
        accelerator.init_trackers("game-rl", config=dataclasses.asdict(cfg))
    return metrics_path


def save_training_state(accelerator, model, optimizer, scheduler, folder):
    """Optimizer, scheduler and every process's RNG, into `folder`: what accelerator.save_state writes, less the
    weights, which the checkpoint's model folder already holds (save_state would write them a second time, 15 to
    30 GB more per 7B checkpoint). Under FSDP each process writes its shard of the optimizer state."""
    os.makedirs(folder, exist_ok=True)
    if accelerator.distributed_type == DistributedType.FSDP:
        save_fsdp_optimizer(accelerator.state.fsdp_plugin, accelerator, optimizer, model, folder)
    save_accelerator_state(folder, [], [] if accelerator.distributed_type == DistributedType.FSDP else [optimizer],
                           [scheduler], [], accelerator.process_index, accelerator.step)


def load_training_state(accelerator, model, optimizer, scheduler, folder):
    """The inverse of save_training_state: the weights were loaded with the model, from the checkpoint folder."""
    if accelerator.distributed_type == DistributedType.FSDP:
        load_fsdp_optimizer(accelerator.state.fsdp_plugin, accelerator, optimizer, model, folder)
    on_device = accelerator.num_processes > 1 and accelerator.multi_device   # as accelerator.load_state decides
    load_accelerator_state(folder, [], [] if accelerator.distributed_type == DistributedType.FSDP else [optimizer],
                           [scheduler], [], accelerator.process_index, map_location="on_device" if on_device else "cpu")


def save_checkpoint(accelerator, model, optimizer, scheduler, processor, cfg, step, rollout=None):
    """out_dir/checkpoint-{step:06d}: model + processor (loadable by from_pretrained), train_config.json, the
    training state (optimizer, scheduler, every process's RNG), the run's metrics up to this step (a resume
    checks them against the run's, runs.consistent) and, when the step ends in the middle of a rollout's steps,
    each process's stored rollout (rollout-{rank}.pt), so a resumed run trains on exactly the same completions.
    Written to a .tmp folder and renamed only when complete (train_state.json last): a folder named
    checkpoint-N is always whole. Then only the newest --save-total-limit checkpoints are kept."""
    final = os.path.join(cfg.out_dir, f"checkpoint-{step:06d}")
    tmp = final + ".tmp"
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
    accelerator.wait_for_everyone()
    save_training_state(accelerator, model, optimizer, scheduler, os.path.join(tmp, "state"))
    if rollout is not None:
        torch.save(rollout, os.path.join(tmp, f"rollout-{accelerator.process_index}.pt"))
    state_dict = accelerator.get_state_dict(model)  # a collective under FSDP: every process gathers its shards
    if accelerator.is_main_process:
        accelerator.unwrap_model(model).save_pretrained(tmp, state_dict=state_dict, safe_serialization=True)
        processor.save_pretrained(tmp)
        json.dump(dataclasses.asdict(cfg), open(os.path.join(tmp, "train_config.json"), "w"), indent=1)
        runs.write_atomically(os.path.join(tmp, "metrics.jsonl"),
                              runs.metric_lines(os.path.join(cfg.out_dir, "metrics.jsonl"), step))
        json.dump({"step": step, "num_processes": accelerator.num_processes},
                  open(os.path.join(tmp, "train_state.json"), "w"))
        os.replace(tmp, final)  # never there already: runs.prepare_run_folder moved later checkpoints aside
        runs.prune_checkpoints(cfg.out_dir, cfg.save_total_limit)
    accelerator.wait_for_everyone()
    return final


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
    return torch.tensor([k * step_rows + rank * local_rows + j
                         for k in range(steps_per_rollout) for j in range(local_rows)])


def in_rollout_order(gathered, num_processes, steps_per_rollout):
    """accelerator.gather's result (process-major: all of process 0's rows, then process 1's, ...) put back in
    rollout order, so that groups are contiguous again: row i of the result is rollout row i. (R, ...)"""
    per_process = gathered.view(num_processes, steps_per_rollout, -1, *gathered.shape[1:])   # (W, S, local, ...)
    return per_process.transpose(0, 1).reshape(gathered.shape)


# ---------------------------------------------------------------------------------------------------------
# The phases of a step, in the order they run


def sample_completions(policy, processor, prompts, counts, cfg):
    """Phase 1: counts[p] completions of each prompt, as grpo.rollout returns them (a dict of named tensors)."""
    policy.eval()
    with grpo.full_params_for_generation(policy), compute_precision(cfg, policy.device):  # FSDP: gather once
        # each prompt encoded and prefilled once for all its completions; with the tower frozen, its image
        # features are kept for the log-prob passes, which then skip the tower too
        return grpo.rollout(policy, processor, prompts, counts, cfg.max_completion_length, cfg.temperature,
                            cfg.top_p, cfg.top_k, cfg.system_prompt or None, cfg.blind,
                            keep_image_features=cfg.freeze_vision)


ROLLOUT_STATS = ("reward", "accuracy", "format", "completion_length", "truncated")  # one number per completion


def score_completions(batch, row_samples, device):
    """Phase 2: each completion graded by rule against its sample. {name: (N,) float} for ROLLOUT_STATS."""
    scores = [rewards.score(text, row_samples[i]) for i, text in enumerate(batch["texts"])]
    graded = {name: torch.tensor([s[name] for s in scores], dtype=torch.float32, device=device)
              for name in ("reward", "accuracy", "format")}
    return {**graded, "completion_length": batch["completion_mask"].sum(dim=1).float(),
            "truncated": batch["truncated"].float()}


def gather_rollout(accelerator, local, steps_per_rollout):
    """Every process's stats, in rollout order: {name: (R,)}, row i the rollout's row i. One all-gather for all
    of them: stacked as the columns of one (N, 5) tensor, named again on arrival."""
    stacked = torch.stack([local[name] for name in ROLLOUT_STATS], dim=1)                     # (N, 5)
    everyone = in_rollout_order(accelerator.gather(stacked), accelerator.num_processes, steps_per_rollout)  # (R, 5)
    return dict(zip(ROLLOUT_STATS, everyone.unbind(dim=1)))


def rollout_advantages(everyone, cfg):
    """Phase 3: (keep, advantages), both (R,): the completions that train (accuracy filter, truncation) and
    each completion's advantage within its prompt's group, whitened over the kept tokens if asked."""
    G = cfg.num_generations
    keep = grpo.accuracy_filter(everyone["accuracy"], G, cfg.filter_low, cfg.filter_high)
    if cfg.mask_truncated_completions:  # DAPO (arXiv 2503.14476) §3.4: a cut-off completion says nothing of its answer
        keep = keep & (everyone["truncated"] == 0)
    if cfg.advantage_estimator == "rloo":
        advantages = grpo.rloo_advantages(everyone["reward"], G)
    else:
        advantages = grpo.group_advantages(everyone["reward"], G, cfg.scale_rewards)
    if cfg.whiten_advantages:  # ViGaL/OpenRLHF: statistics over every token that trains, all processes
        advantages = grpo.whiten_over_tokens(advantages, everyone["completion_length"] * keep)
    return keep, advantages


def gradient_sync(accelerator, model, last):
    """The context of one micro-batch's backward: whether its gradients are reduced over the processes now.

    DDP: only after the last micro-batch (no_sync before it). Every process holds whole gradients anyway, so
    skipping the earlier all-reduces costs no memory. FSDP2: after every micro-batch, never no_sync. Each
    micro-batch's gradients are reduce-scattered into the 1/W shard each process keeps; under no_sync FSDP2
    would keep the whole unsharded gradient on every GPU from the first micro-batch to the last (float32:
    30 GB at 7B), the very memory sharding saves. The price is one reduce-scatter a micro-batch."""
    from torch.distributed.fsdp import FSDPModule
    if last or isinstance(model, FSDPModule):
        return nullcontext()
    return accelerator.no_sync(model)


def update_step(accelerator, model, optimizer, scheduler, batch, cfg):
    """Phase 5: micro-batched backward over this process's rows of one optimizer step, one denominator, clip, step.

    batch: this process's share of the step (any number of rows; all processes must have the same count), as
    grpo.rollout returns it plus
      mask        (B, C)  the completion tokens that train (filtered groups / masked truncations all 0)
      advantages  (B,)    from the whole rollout, gathered over all processes
      old_logps   (B, C)  optional: log-probs of the sampling policy; absent = the current policy (ratio 1)
      ref_logps   (B, C)  optional: reference log-probs, needed when cfg.beta > 0
    The micro-batches come in blocks (grpo.micro_batch_blocks: rows of similar lengths together): a block's
    prompts run once, for all of its micro-batches (grpo.SharedPrompt), and the prompt pass's backward runs with
    the block's last micro-batch's.
    Every process divides its summed loss by loss_denominator(...) for the whole step, once: not again per
    micro-batch (gradient accumulation sums the micro-batches' gradients), and DDP/FSDP averages the W
    processes' gradients, which is where the denominator's 1/W comes back. So W processes with B/W rows each
    produce the gradient of one process with all B rows (tests/test_update_step_distributed.py checks it),
    except for bnpo, whose denominator is the local token count by definition (grpo.loss_denominator).
    Returns the step's metrics, reduced over all processes.
    """
    mask = batch["mask"]
    lengths = mask.sum(dim=1)
    num_sequences, num_tokens = accelerator.reduce(torch.stack([(lengths > 0).sum(), lengths.sum()]).float(),
                                                   reduction="sum")                            # all processes
    denominator = grpo.loss_denominator(cfg.loss_type, mask, int(num_sequences), int(num_tokens),
                                        accelerator.num_processes, cfg.max_completion_length)
    sums = {name: torch.zeros((), device=mask.device, dtype=torch.float64)
            for name in ("loss", "kl", "clipped", "ratio", "tokens", "entropy")}   # over this process's tokens
    model.train()
    for _, micro, prompt, last in grpo.micro_batches(model, batch, cfg.micro_batch_size, cfg.num_generations):
        micro_mask = micro["mask"]
        with gradient_sync(accelerator, model, last):
            with compute_precision(cfg, mask.device):   # the forward in bf16 with --dtype bfloat16; backward outside
                logps, entropy = grpo.completion_logps(model, micro, cfg.temperature, with_entropy=True,
                                                       entropy_grad=cfg.entropy_coef > 0, prompt=prompt)  # (b, C)
                old_logps = micro["old_logps"] if "old_logps" in micro else logps.detach()
                per_token, clipped = grpo.clipped_policy_loss(logps, old_logps, micro["advantages"], cfg.epsilon,
                                                              cfg.epsilon_high, cfg.delta or None)
                if cfg.entropy_coef > 0:
                    per_token = per_token - cfg.entropy_coef * entropy
                if cfg.beta > 0:
                    kl = grpo.kl_penalty(logps, micro["ref_logps"], cfg.kl_estimator)
                    per_token = per_token + cfg.beta * kl
                    sums["kl"] += (kl.detach() * micro_mask).sum()
                loss = grpo.aggregate_loss(per_token, micro_mask, cfg.loss_type, denominator)
            accelerator.backward(loss)   # a block's last micro-batch: on through its prompt pass
        sums["loss"] += loss.item()
        sums["clipped"] += (clipped & micro_mask.bool()).sum()
        sums["ratio"] += (torch.exp(logps.detach() - old_logps) * micro_mask).sum()
        sums["tokens"] += micro_mask.sum()
        sums["entropy"] += (entropy.detach() * micro_mask).sum()
    params = [p for p in model.parameters() if p.requires_grad]  # after prepare: FSDP replaces the parameters
    grad_norm = accelerator.clip_grad_norm_(params, cfg.max_grad_norm)
    grad_norm = grad_norm.full_tensor() if hasattr(grad_norm, "full_tensor") else grad_norm   # FSDP: a DTensor
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    total = dict(zip(sums, accelerator.reduce(torch.stack(list(sums.values())), reduction="sum")))  # one all-reduce
    tokens = total["tokens"].clamp(min=1)
    # each process's loss carries the factor W that gradient averaging removes: the run's loss is the mean
    return {"loss": total["loss"].item() / accelerator.num_processes, "kl": (total["kl"] / tokens).item(),
            "clip_ratio": (total["clipped"] / tokens).item(), "ratio": (total["ratio"] / tokens).item(),
            "entropy": (total["entropy"] / tokens).item(),
            "grad_norm": float(grad_norm), "lr": scheduler.get_last_lr()[0]}


def step_metrics(step, rows, kept, stats, timings, tokens_per_second):
    """One metrics.jsonl line: the step's mini-batch (rows: {name: (step_rows,)}, all processes) and its update.
    Every key under seconds/ varies with the machine's load, and no other key does."""
    return {
        "step": step + 1,
        "reward": rows["reward"].mean().item(), "reward_std": rows["reward"].std().item(),
        "accuracy": rows["accuracy"].mean().item(), "format": (rows["format"] > 0).float().mean().item(),
        "completion_length": rows["completion_length"].mean().item(), "truncated": rows["truncated"].mean().item(),
        "completion_tokens": rows["completion_length"].sum().item(), "kept": kept.float().mean().item(), **stats,
        **{f"seconds/{name}": seconds for name, seconds in timings.items()},
        **({"seconds/tokens_per_second": tokens_per_second} if "generate" in timings else {}),
    }


def log_step(accelerator, cfg, metrics_path, bar, metrics):
    """The step's metrics: a line of metrics.jsonl and the progress bar (main process), and the trackers if any."""
    if accelerator.is_main_process:
        with open(metrics_path, "a") as f:
            f.write(json.dumps(metrics) + "\n")
        bar.set_postfix(reward=f"{metrics['reward']:.2f}", acc=f"{metrics['accuracy']:.2f}",
                        len=f"{metrics['completion_length']:.0f}")
    if cfg.report_to:
        accelerator.log(metrics, step=metrics["step"])


# ---------------------------------------------------------------------------------------------------------
# Training


def train(cfg):
    # ---- what needs no model is checked first: the data, the checkpoint resumed, the run folder (runs.py)
    sample_at = make_sampler(cfg)
    checkpoint = runs.find_checkpoint(cfg.resume) if cfg.resume else None
    start_step = runs.check_checkpoint(checkpoint) if checkpoint else 0
    if cfg.model != "tiny" and not checkpoint:
        check_model_path(cfg.model)  # a folder that is not a whole model, named now rather than deep in the loader
    runs.check_run_folder(cfg.out_dir, checkpoint, cfg.overwrite)
    if start_step > cfg.max_steps:
        raise ConfigError(f"--max-steps {cfg.max_steps} is below step {start_step}, where {checkpoint} was saved: "
                          f"nothing to train (raise --max-steps)")
    if start_step == cfg.max_steps:
        if first_process():
            print(f"train.py: {checkpoint} is at step {start_step} of --max-steps {cfg.max_steps}: nothing left to "
                  f"do (raise --max-steps to train on)")
        return None

    # ---- processes, run folder, model, optimizer
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
    accelerator.wait_for_everyone()                                # every process has checked the folder as it was
    if accelerator.is_main_process:
        for line in runs.prepare_run_folder(cfg.out_dir, checkpoint, start_step, cfg.overwrite, cfg.model == "tiny"):
            print(line)
    accelerator.wait_for_everyone()
    model_path = checkpoint or initial_model(cfg, accelerator, sample_at)
    processor, model, ref_model = load_policy(cfg, accelerator, model_path)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.learning_rate,
                                  weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda(cfg))
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    rollout = (resume_rollout(accelerator, model, optimizer, scheduler, checkpoint, start_step, steps_per_rollout)
               if checkpoint else None)
    policy = accelerator.unwrap_model(model)                       # generation runs on the unwrapped module
    metrics_path = start_run_folder(accelerator, cfg, model_path, policy)

    # ---- held-out accuracy before training (test split: a seed stream training never sees)
    held_out_path = os.path.join(cfg.out_dir, "held_out.json")
    eval_set = [make_sampler(cfg, "test")(i) for i in range(cfg.eval_samples)]
    if eval_set and start_step == 0:
        with compute_precision(cfg, accelerator.device):
            evaluate.held_out_accuracy(accelerator, policy, processor, eval_set, cfg, step=0, path=held_out_path)

    my_rows = rollout_rows(rank, W, S, step_rows)                  # (S * local_rows,) this process's rows
    tokens_per_second = None                                       # of the last generation: none yet after a resume
    bar = tqdm(range(start_step, cfg.max_steps), initial=start_step, total=cfg.max_steps, desc="training",
               disable=not accelerator.is_main_process)
    for step in bar:
        timings, step_start = {}, time.perf_counter()
        if step % steps_per_rollout == 0 or rollout is None:     # a new rollout: phases 1-4, once for S x I steps
            # ---- 1. rollout: this process's completions of the next S optimizer steps
            t = time.perf_counter()
            first_prompt = (step // steps_per_rollout) * S * cfg.prompts_per_step
            counts = collections.Counter(int(g) // G for g in my_rows)  # my completions of each prompt (in order)
            prompts = {p: sample_at(first_prompt + p) for p in counts}
            batch = sample_completions(policy, processor, list(prompts.values()), list(counts.values()), cfg)
            timings["generate"] = time.perf_counter() - t

            # ---- 2. score every completion by rule
            t = time.perf_counter()
            local = score_completions(batch, [prompts[int(g) // G] for g in my_rows], accelerator.device)
            timings["score"] = time.perf_counter() - t

            # ---- 3. advantages over the whole rollout, from every process's scores
            everyone = gather_rollout(accelerator, local, S)                                # {name: (R,)}
            keep, advantages = rollout_advantages(everyone, cfg)                            # (R,), (R,)
            batch["advantages"] = advantages[my_rows]
            batch["mask"] = batch["completion_mask"] * keep[my_rows].unsqueeze(1).long()
            batch.pop("texts")

            # ---- 4. log-probs that must not move during the updates: old (sampling policy) and reference
            t = time.perf_counter()
            if steps_per_rollout > 1:  # ratio against the policy that sampled, not the one being updated
                policy.eval()
                with compute_precision(cfg, accelerator.device):
                    batch["old_logps"] = grpo.batch_logps(model, batch, cfg.micro_batch_size, cfg.temperature, G)
            if ref_model is not None:
                with compute_precision(cfg, accelerator.device):  # as the policy computes its log-probs
                    batch["ref_logps"] = grpo.batch_logps(ref_model, batch, cfg.micro_batch_size, cfg.temperature, G)
                release_reference(ref_model)
            timings["logps"] = time.perf_counter() - t                # 0 when neither is needed
            # completion tokens of the whole rollout, all processes, per second of (parallel) generation
            tokens_per_second = everyone["completion_length"].sum().item() / timings["generate"]
            rollout = {"batch": batch, "everyone": everyone, "keep": keep}

        # ---- 5. update on mini-batch k of the rollout (pass step // S over it)
        t = time.perf_counter()
        k = step % steps_per_rollout % S
        stats = update_step(accelerator, model, optimizer, scheduler,
                            grpo.select_rows(rollout["batch"], k * local_rows, (k + 1) * local_rows), cfg)
        timings["update"] = time.perf_counter() - t                  # the policy's own log-probs, backward, step
        timings["step"] = time.perf_counter() - step_start

        # ---- log every number of the step's mini-batch, over all processes; save
        mini_batch = slice(k * step_rows, (k + 1) * step_rows)
        log_step(accelerator, cfg, metrics_path, bar, step_metrics(
            step, {name: v[mini_batch] for name, v in rollout["everyone"].items()}, rollout["keep"][mini_batch],
            stats, timings, tokens_per_second))
        if (step + 1) % cfg.save_every == 0 or step + 1 == cfg.max_steps:
            mid_rollout = (step + 1) % steps_per_rollout != 0
            last_checkpoint = save_checkpoint(accelerator, model, optimizer, scheduler, processor, cfg, step + 1,
                                              rollout if mid_rollout else None)
    bar.close()

    # ---- the end of the run: where the time went, held-out accuracy after training, the report
    if accelerator.is_main_process:
        run_metrics = [json.loads(line) for line in open(metrics_path) if line.strip()]
        tqdm.write(evaluate.timing_summary([m for m in run_metrics if m["step"] > start_step]))
    with compute_precision(cfg, accelerator.device):
        if eval_set:
            evaluate.held_out_accuracy(accelerator, policy, processor, eval_set, cfg, step=cfg.max_steps,
                                       path=held_out_path)
        evaluate.write_run_report(accelerator, policy, processor, eval_set, cfg)
    if cfg.report_to:
        accelerator.end_training()
    if accelerator.is_main_process:
        print(f"done: {cfg.max_steps} steps. metrics: {metrics_path}\ncheckpoint: {last_checkpoint}\n"
              f"evaluate it: python evaluate.py --model {last_checkpoint}")
    return accelerator.unwrap_model(model)


# ---------------------------------------------------------------------------------------------------------
# How a run ends when it cannot go on: one line from the first process, never a traceback


def first_process():
    """Whether this is the launch's first process (RANK is set by accelerate launch and torchrun; a plain
    `python train.py` is the only one). It alone speaks: N processes with the same bad input print one message."""
    return os.environ.get("RANK", "0") == "0"


def how_to_resume(cfg, why="interrupted"):
    """The one line a run that stops before its end (Ctrl-C, SIGTERM, a full disk) ends with."""
    if cfg is None:
        return f"train.py: {why}"
    found = runs.checkpoints(cfg.out_dir)
    if not found:
        again = f"; start again with --overwrite to replace what {cfg.out_dir} holds" if runs.run_outputs(
            cfg.out_dir) else ""
        return f"train.py: {why} before the first checkpoint (--save-every {cfg.save_every}): nothing to resume{again}"
    return (f"train.py: {why}; {list(found.values())[-1]} is the last checkpoint; continue with: "
            f"accelerate launch train.py --resume {cfg.out_dir}")


def stop(signum, frame):
    raise KeyboardInterrupt  # SIGTERM (a cluster's preemption) ends the run as Ctrl-C does


def main(argv=None):
    signal.signal(signal.SIGTERM, stop)
    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" / "Writing model shards" bar per save
    cfg = None
    try:
        cfg = parse_config(argv)
        return train(cfg)
    except (ConfigError, DatasetError, ModelError) as e:  # the user's input was wrong: one clear line, no traceback
        # every process checks the same input and fails alike, so the first one speaks for all; a damaged image
        # met during training is met by one process only, which speaks for itself
        sys.exit(f"train.py: error: {e}" if first_process() or isinstance(e, UndecodableImage) else 1)
    except OSError as e:  # a full disk: the checkpoint being written is unfinished, so never used
        if e.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        for bar in list(tqdm._instances):  # end the progress bar's line, so the message has its own
            bar.close()
        sys.exit(how_to_resume(cfg, f"error: {e.strerror} writing {e.filename} (free some space first)"))
    except KeyboardInterrupt:
        for bar in list(tqdm._instances):  # end the progress bar's line, so the message has its own
            bar.close()
        if first_process():
            print(how_to_resume(cfg), file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
    if torch.distributed.is_initialized():  # end gloo's threads now: left to the interpreter's exit, they can abort it
        torch.distributed.destroy_process_group()
