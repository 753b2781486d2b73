"""One optimizer step (train.update_step) on a fixed rollout batch, on 1 or W processes; not a test itself.

    python tests/helpers/update_step_worker.py BATCH.pt MODEL_DIR CONFIGS.json OUT.pt               # 1 process
    ACCELERATE_USE_CPU=1 python -m accelerate.commands.launch --multi_gpu --num_processes 2 \\
        tests/helpers/update_step_worker.py BATCH.pt MODEL_DIR CONFIGS.json OUT.pt                  # 2 gloo ranks

Process r of W trains on rows [r * N / W, (r + 1) * N / W) of the batch. For each config it starts from the
same saved weights, takes one step with plain SGD (so the parameters move by exactly -lr * gradient: no
Adam normalisation, no clipping, nothing that could hide a wrong scale) and rank 0 saves the trainable
parameters and the step's metrics to OUT.pt. tests/test_update_step_distributed.py compares the two runs.
A config's "mode" is "ddp" (accelerator.prepare: DistributedDataParallel) or "fsdp" (sharded with FSDP2
instead); an fsdp run records, after each micro-batch's backward, whether every trainable parameter already
holds its reduce-scattered gradient shard, with accelerator.no_sync doing what Accelerate 1.15's does under
FSDP2 (set_requires_gradient_sync(False)), so that a no_sync in train.update_step would show. First, every run
also decodes greedily, sharded on W > 1 processes, inside grpo.full_params_for_generation, and computes the
reference model's log-probs of the whole batch, sharded on W > 1 processes by train.shard_reference.
make_fixed_batch builds the batch file from the tiny model.
"""
import contextlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # the repository root
import grpo  # noqa: E402
import train  # noqa: E402
from config import Config  # noqa: E402
from data import make_sampler  # noqa: E402
from model import load_model, load_processor  # noqa: E402

# completion tokens that train, per row: ragged, 14 tokens in the first half and 29 in the second; "equal" has
# 18 in each half (the one split where bnpo's per-process denominator agrees with the full batch's)
MASK_LENGTHS = {"ragged": [8, 1, 2, 3, 8, 8, 7, 6], "equal": [8, 3, 5, 2, 4, 6, 1, 7]}


def make_fixed_batch(model_dir, path, completion_length=8):
    """8 completions (2 prompts x 4) sampled from the tiny model (image features kept, as train.py keeps them
    with the tower frozen), with random advantages, old log-probs moved off the current ones (so ratios differ
    from 1 and clipping engages) and reference log-probs for the KL."""
    cfg = Config()
    sample_at = make_sampler(cfg)
    model = load_model(model_dir)
    processor = load_processor(model_dir, cfg.min_pixels, cfg.max_pixels)
    torch.manual_seed(0)
    batch = grpo.rollout(model, processor, [sample_at(0), sample_at(1)], 4, completion_length, keep_image_features=True)
    batch.pop("texts")
    C = batch["completion_ids"].size(1)
    assert C == completion_length, "the tiny model stopped early; the masks below assume full-length rows"
    logps = grpo.batch_logps(model, batch, 8)
    g = torch.Generator().manual_seed(0)
    batch["old_logps"] = logps + 0.3 * torch.randn(logps.shape, generator=g)
    batch["ref_logps"] = logps + 0.5 * torch.randn(logps.shape, generator=g)
    batch["advantages"] = torch.randn(8, generator=g)
    positions = torch.arange(C).unsqueeze(0)
    masks = {name: (positions < torch.tensor(lengths).unsqueeze(1)).long() for name, lengths in MASK_LENGTHS.items()}
    torch.save({"batch": batch, "masks": masks}, path)


def step_config(**overrides):
    """The fields update_step reads, as a Config; max_grad_norm so large that clipping never acts, no entropy
    bonus (it is not homogeneous in the advantage, which the bnpo identity needs)."""
    return Config(**{**dict(micro_batch_size=8, temperature=1.0, epsilon=0.2, epsilon_high=0.28, delta=3.0,
                            beta=0.0, kl_estimator="k3", loss_type="dapo", max_completion_length=8,
                            max_grad_norm=1e9, entropy_coef=0.0), **overrides})


def shard(model):
    """FSDP2 as train.make_accelerator's plugin sets it up (decoder layers, then the root), applied with torch's
    fully_shard directly: Accelerate 1.15 never selects FSDP on CPU, torch's FSDP2 runs on gloo."""
    from torch.distributed.fsdp import fully_shard
    for layer in model.model.language_model.layers:
        fully_shard(layer)
    fully_shard(model)
    return model


def accelerate_fsdp2_no_sync(model):
    """What Accelerator.no_sync does when Accelerate runs FSDP2 (accelerate 1.15, accelerator.py): stop the
    gradient reduce-scatter, so FSDP2 accumulates whole unsharded gradients until it is turned back on."""
    @contextlib.contextmanager
    def no_sync(_):
        model.set_requires_gradient_sync(False)
        try:
            yield
        finally:
            model.set_requires_gradient_sync(True)
    return no_sync


def record_gradient_shards(accelerator, model):
    """Wrap accelerator.backward: after each call, append whether every trainable parameter's .grad is its
    reduce-scattered shard (a DTensor); under no_sync FSDP2 leaves .grad None and holds the unsharded sum."""
    from torch.distributed.tensor import DTensor
    after_each, backward = [], accelerator.backward

    def recording_backward(loss, **kwargs):
        backward(loss, **kwargs)
        after_each.append(all(isinstance(p.grad, DTensor) for p in model.parameters() if p.requires_grad))
    accelerator.backward = recording_backward
    return after_each


def full(tensor):
    return tensor.full_tensor() if hasattr(tensor, "full_tensor") else tensor


def main(batch_path, model_dir, configs_path, out_path):
    from accelerate import Accelerator
    accelerator = Accelerator(cpu=True)
    W, rank = accelerator.num_processes, accelerator.process_index
    saved = torch.load(batch_path, weights_only=True)
    results = {}
    # greedy decoding, sharded on W > 1 processes with the weights gathered: must equal the unsharded model's
    cfg = Config()
    sample_at = make_sampler(cfg)
    processor = load_processor(model_dir, cfg.min_pixels, cfg.max_pixels)
    model = shard(load_model(model_dir)) if W > 1 else load_model(model_dir)
    with grpo.full_params_for_generation(model):
        out = grpo.rollout(model, processor, [sample_at(2), sample_at(3)], 1, 6, temperature=0)
    results["greedy"] = accelerator.gather(out["completion_ids"])
    results["sharded"] = any(hasattr(p, "full_tensor") for p in model.parameters())
    # the reference model's log-probs (forward only), sharded on W > 1 processes as train.py shards it
    ref = load_model(model_dir).requires_grad_(False).eval()
    if W > 1:
        ref = train.shard_reference(ref)
    batch = saved["batch"]
    results["ref_logps"] = grpo.batch_logps(ref, batch, 3)
    results["ref_gathered_after_pass"] = [n for n, p in ref.named_parameters() if not hasattr(p, "full_tensor")]
    train.release_reference(ref)
    results["ref_local_fraction"] = (sum(p.to_local().numel() if hasattr(p, "to_local") else p.numel()
                                         for p in ref.parameters()) / sum(p.numel() for p in ref.parameters()))
    for run in json.load(open(configs_path)):
        batch = {**saved["batch"], "mask": saved["masks"][run.pop("mask")]}
        scale = run.pop("advantage_scale", None)  # per half of the batch, for the bnpo identity
        if scale:
            batch["advantages"] = batch["advantages"] * torch.tensor(scale).repeat_interleave(4)
        name, lr, mode = run.pop("name"), run.pop("lr"), run.pop("mode", "ddp")
        cfg = step_config(**run)
        model = load_model(model_dir)
        model.model.visual.requires_grad_(False)
        if cfg.gradient_checkpointing:   # as train.load_policy sets it up
            model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        if mode == "fsdp" and W > 1:
            model = shard(model)  # before the optimizer: fully_shard replaces the parameters by DTensor shards
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
        if mode == "ddp":
            model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
        elif W > 1:
            accelerator.no_sync = accelerate_fsdp2_no_sync(model)
            grads_sharded = record_gradient_shards(accelerator, model)
        n = batch["mask"].size(0)
        mine = grpo.select_rows(batch, rank * n // W, (rank + 1) * n // W)
        metrics = train.update_step(accelerator, model, optimizer, scheduler, mine, cfg)
        params = {k: full(p.detach()).clone() for k, p in accelerator.unwrap_model(model).named_parameters()
                  if p.requires_grad}
        results[name] = {"params": params, "metrics": metrics}
        if mode == "fsdp" and W > 1:
            results[name]["grads_sharded_after_each_micro_batch"] = grads_sharded
            del accelerator.no_sync, accelerator.backward  # the Accelerator's own methods again
        accelerator.free_memory(model, optimizer, scheduler)
    if accelerator.is_main_process:
        torch.save({"num_processes": W, "results": results}, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:])
    if torch.distributed.is_initialized():  # before the interpreter's exit, which can abort on gloo's threads
        torch.distributed.destroy_process_group()
