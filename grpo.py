"""GRPO from scratch: the rollout of a vision-language policy and the RL math, knowing no game.

Group Relative Policy Optimization (Shao et al. 2024, DeepSeekMath, arXiv 2402.03300 §4.1) as the two papers
use it (SPEC §5). For a prompt q, sample G completions o_1..o_G, score each (reward r_i), and push up the
log-probability of every token of o_i in proportion to its advantage A_i:

    A_i        = (r_i - mean(r)) / (std(r) + 1e-4)                      advantage_estimator="grpo"
               = r_i - mean_{j != i} r_j, then whitened over tokens      advantage_estimator="rloo"  (ViGaL)
    ratio_t    = exp(logp_t - old_logp_t)                               (1 with one update per rollout)
    loss_t     = -min(ratio_t * A, clip(ratio_t, 1 - epsilon, 1 + epsilon_high) * A)   [ratio capped at delta]
               + beta * KL_t(policy || reference)                       k3 (Schulman, joschu.net/blog/kl-approx.html)
    loss       = aggregate(loss_t over the completion mask)             loss_type grpo | bnpo | dr_grpo | dapo

This file holds (1) those formulas as pure tensor functions, each testable with hand-computed numbers, plus
the online accuracy filter, and (2) the model-facing pieces: `rollout` (prompts -> G sampled completions each,
with `full_params_for_generation` around it under FSDP2), `completion_logps` (per-token log-probs of given
completions) and `batch_logps` (the same over a whole batch without gradients: old and reference log-probs). The training loop that strings them together, with Accelerate,
is in train.py. Names follow TRL's GRPOConfig so runs can be compared field by field.
"""
from contextlib import contextmanager

import torch
import torch.nn.functional as F

from gameqa import load_images

# ---------------------------------------------------------------------------------------------------------
# Advantages: one number per completion, from the rewards of its group


def group_advantages(rewards, group_size, scale_rewards="group", eps=1e-4):
    """GRPO advantage. rewards: (N,) with N = num_prompts * group_size, groups contiguous. Returns (N,).

    A_i = r_i - mean(group);  divided by (std(group) + eps) if scale_rewards="group",
    by (std(all rewards) + eps) if "batch", not divided if "none" (Dr. GRPO, arXiv 2503.20783 §3.1).
    std is the unbiased sample std (torch default), as in TRL. All-equal groups get A = 0.
    """
    grouped = rewards.view(-1, group_size)                                    # (P, G)
    centered = _zero_if_all_equal(grouped, grouped - grouped.mean(dim=1, keepdim=True)).view(-1)   # (N,)
    if scale_rewards == "group":
        std = grouped.std(dim=1, keepdim=True).expand_as(grouped).reshape(-1)
    elif scale_rewards == "batch":
        std = rewards.std().expand_as(rewards)
    elif scale_rewards == "none":
        return centered
    else:
        raise ValueError(f"scale_rewards must be group, batch or none, got {scale_rewards!r}")
    return centered / (std + eps)


def rloo_advantages(rewards, group_size):
    """REINFORCE leave-one-out (Ahmadian et al. 2024, arXiv 2402.14740): A_i = r_i - mean_{j != i} r_j.

    rewards: (N,), groups contiguous. Returns (N,). Equals G/(G-1) * (r_i - mean(group)).
    """
    grouped = rewards.view(-1, group_size)                                    # (P, G)
    others_mean = (grouped.sum(dim=1, keepdim=True) - grouped) / (group_size - 1)
    return _zero_if_all_equal(grouped, grouped - others_mean).view(-1)


def _zero_if_all_equal(grouped, advantages):
    """A group whose rewards are all equal carries no signal: exactly 0, not float residue (1e-8 of it would
    be blown up by whitening or by a tiny batch std)."""
    all_equal = (grouped == grouped[:, :1]).all(dim=1, keepdim=True)         # (P, 1)
    return torch.where(all_equal, torch.zeros_like(advantages), advantages)


def accuracy_filter(accuracy, group_size, low=0.0, high=1.0):
    """Online accuracy filter (MM-EUREKA, arXiv 2503.07365: low 0.1, high 0.9): keep a group only when its mean
    accuracy lies in [low, high]. A group the policy always or never solves teaches nothing and only dilutes
    the batch. accuracy: (N,), groups contiguous. Returns (N,) bool, the same for every member of a group.
    low=0, high=1 keeps everything (ViGaL, Game-RL).
    """
    group_mean = accuracy.view(-1, group_size).float().mean(dim=1, keepdim=True)       # (P, 1)
    keep = (group_mean >= low) & (group_mean <= high)
    return keep.expand(-1, group_size).reshape(-1)


def whiten_over_tokens(advantages, lengths, eps=1e-8):
    """ViGaL/OpenRLHF advantage whitening over all valid tokens of the rollout batch.

    Each completion's advantage is repeated on each of its `lengths[i]` tokens; the token-level mean and
    (biased) std are taken over all of them, and (A - mean) / (std + eps) is returned per completion. Call it
    on the batch gathered from every process, so that the statistics are global. Shapes: (N,), (N,) -> (N,).
    """
    w = lengths.to(advantages.dtype)
    mean = (advantages * w).sum() / w.sum().clamp(min=1)
    var = ((advantages - mean) ** 2 * w).sum() / w.sum().clamp(min=1)
    return (advantages - mean) / (var.sqrt() + eps)


# ---------------------------------------------------------------------------------------------------------
# Per-token losses


def kl_penalty(logps, ref_logps, estimator="k3"):
    """Per-token KL(policy || reference) estimate from log-probs of the sampled tokens. Shapes (B, T) -> (B, T).

    k1 = logp - ref                       (unbiased, can be negative)
    k3 = exp(ref - logp) - (ref - logp) - 1   (unbiased, always >= 0; Schulman 2020, joschu.net/blog/kl-approx.html)
    """
    if estimator == "k1":
        return logps - ref_logps
    if estimator == "k3":
        log_ratio = ref_logps - logps
        return torch.exp(log_ratio) - log_ratio - 1
    raise ValueError(f"kl_estimator must be k1 or k3, got {estimator!r}")


def clipped_policy_loss(logps, old_logps, advantages, epsilon=0.2, epsilon_high=None, delta=None):
    """PPO clipped surrogate per token (Schulman et al. 2017, arXiv 1707.06347, eq. 7), negated for descent.

    logps, old_logps: (B, T); advantages: (B,). Returns (loss (B, T), clipped (B, T) bool).
    loss_t = -min(r_t * A, clip(r_t, 1 - epsilon, 1 + epsilon_high) * A), r_t = exp(logp_t - old_logp_t).
    epsilon_high defaults to epsilon (symmetric); DAPO raises it ("clip-higher", arXiv 2503.14476 §3.1).
    delta: optional upper cap on the ratio for negative advantages too (dual clip, ViGaL/OpenRLHF use 3), so
    one runaway token cannot dominate: the unclipped term uses min(r_t, delta).
    `clipped` marks tokens where the clipped term was the one taken (its gradient is zero).
    """
    epsilon_high = epsilon if epsilon_high is None else epsilon_high
    ratio = torch.exp(logps - old_logps)                                      # (B, T)
    if delta is not None:
        ratio = torch.clamp(ratio, max=delta)
    adv = advantages.unsqueeze(1)                                             # (B, 1)
    unclipped = ratio * adv
    clipped = torch.clamp(ratio, 1 - epsilon, 1 + epsilon_high) * adv
    loss = -torch.min(unclipped, clipped)
    return loss, clipped < unclipped


def aggregate_loss(per_token_loss, mask, loss_type, denominator):
    """Reduce a (B, T) per-token loss over its (B, T) completion mask to one scalar.

    loss_type="grpo":  sum_i (sum_t loss_it m_it / sum_t m_it) / denominator   (per-sequence means)
    otherwise:         sum_it loss_it m_it / denominator                        (token sums)
    The denominator is fixed once per optimizer step by `loss_denominator`, so the sums over micro-batches
    (gradient accumulation) and over processes (DDP averages gradients) add up to the full-batch loss.
    """
    mask = mask.to(per_token_loss.dtype)
    if loss_type == "grpo":
        per_seq = (per_token_loss * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        return per_seq.sum() / denominator
    return (per_token_loss * mask).sum() / denominator


def loss_denominator(loss_type, local_mask, global_num_seqs, global_num_tokens, num_processes, max_completion_length):
    """The number each process divides its summed loss by, for one optimizer step (SPEC §5).

    local_mask: this process's completion mask over ALL its micro-batches of the step (B_local, T).
    DDP then averages gradients over num_processes W, so a denominator of D/W gives sum_all / D.
      grpo:    mean over sequences          D = global_num_seqs
      bnpo:    tokens of the local batch    (per process, TRL's definition: not split-invariant)
      dr_grpo: B * max_completion_length    D = global_num_seqs * max_completion_length (arXiv 2503.20783)
      dapo:    tokens of the global batch   D = global_num_tokens (DAPO's token-level loss, arXiv 2503.14476)
    """
    if loss_type == "grpo":
        return max(global_num_seqs, 1) / num_processes
    if loss_type == "bnpo":
        return max(float(local_mask.sum()), 1.0)
    if loss_type == "dr_grpo":
        return max(global_num_seqs, 1) * max_completion_length / num_processes
    if loss_type == "dapo":
        return max(global_num_tokens, 1) / num_processes
    raise ValueError(f"loss_type must be grpo, bnpo, dr_grpo or dapo, got {loss_type!r}")


# ---------------------------------------------------------------------------------------------------------
# Rollout: prompts -> G sampled completions each


def chat_text(processor, sample, system_prompt=None):
    """The prompt as the model sees it: the chat template with the sample's images first in the user turn."""
    content = [{"type": "image"} for _ in sample["images"]] + [{"type": "text", "text": sample["prompt"]}]
    messages = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
        {"role": "user", "content": content}]
    return processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)


def encode_prompts(processor, samples, repeats=1, system_prompt=None, blind=False):
    """Tokenise prompts and preprocess their images, each sample repeated `repeats` times in a row.

    Left padding (SPEC §5 gotcha): generation appends on the right, so every prompt must end at the same
    column. blind=True replaces every image by a blank one of the same size (the no-vision control).
    Returns the processor's dict: input_ids, attention_mask (B*repeats, P), pixel_values, image_grid_thw, ...
    """
    texts, images = [], []
    for sample in samples:
        imgs = load_images(sample)
        if blind:
            imgs = [im.point(lambda _: 255) for im in imgs]
        for _ in range(repeats):
            texts.append(chat_text(processor, sample, system_prompt))
            images.extend(imgs)
    return processor(text=texts, images=images or None, padding=True, padding_side="left", return_tensors="pt")


def vision_token_ids(processor):
    """Ids of the vision special tokens. They must never be sampled: a re-fed completion holding an
    <|image_pad|> breaks the image-token count check in the forward pass (SPEC §5 gotchas, §8)."""
    tok = processor.tokenizer
    names = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>", "<|vision_pad|>"]
    ids = [tok.convert_tokens_to_ids(n) for n in names if n in tok.get_vocab()]
    return sorted(set(ids))


def completion_mask_from_eos(completion_ids, eos_token_ids):
    """(B, C) ids -> ((B, C) mask, (B,) truncated). The mask is 1 up to AND including the first EOS, so the
    policy learns to stop (SPEC §5 gotcha: EOS must never be masked as padding). A row with no EOS ran into
    the length limit: all ones, and truncated=True."""
    is_eos = torch.isin(completion_ids, torch.tensor(eos_token_ids, device=completion_ids.device))
    has_eos = is_eos.any(dim=1)
    first_eos = torch.where(has_eos, is_eos.int().argmax(dim=1), completion_ids.size(1) - 1)   # (B,)
    positions = torch.arange(completion_ids.size(1), device=completion_ids.device)
    mask = (positions.unsqueeze(0) <= first_eos.unsqueeze(1)).long()
    return mask, ~has_eos


@torch.no_grad()
def rollout(model, processor, samples, num_generations, max_completion_length, temperature=1.0, top_p=1.0,
            top_k=0, system_prompt=None, blind=False, eos_token_ids=None):
    """Sample `num_generations` completions for each sample. Completions of one prompt are contiguous.

    temperature 0 means greedy decoding (evaluation). Returns a dict of tensors on the model's device:
      prompt_ids, prompt_mask          (N, P)  left-padded, N = len(samples) * num_generations
      completion_ids, completion_mask  (N, C)  C <= max_completion_length; mask through the first EOS
      truncated                        (N,)    no EOS within the limit
      pixel_values, image_grid_thw     the images of each row, repeated per completion
      num_images                       (N,)    images of each row (games differ: Snake 1, Rotation 4)
    and "texts": the decoded completions (special tokens dropped) for the reward.
    """
    tok = processor.tokenizer
    eos_token_ids = eos_token_ids or _eos_ids(model, tok)
    batch = encode_prompts(processor, samples, num_generations, system_prompt, blind).to(model.device)
    sampling = dict(do_sample=True, temperature=temperature, top_p=top_p, top_k=top_k) if temperature > 0 else \
        dict(do_sample=False, temperature=None, top_p=None, top_k=None)
    out = model.generate(
        **batch, max_new_tokens=max_completion_length, eos_token_id=eos_token_ids, pad_token_id=tok.pad_token_id,
        suppress_tokens=vision_token_ids(processor), use_cache=True,
        # no per-token collective: under FSDP the weights are already gathered (full_params_for_generation)
        synced_gpus=False, **sampling)
    prompt_len = batch["input_ids"].size(1)
    completion_ids = out[:, prompt_len:]                                      # (N, C)
    completion_mask, truncated = completion_mask_from_eos(completion_ids, eos_token_ids)
    texts = tok.batch_decode(completion_ids * completion_mask + tok.pad_token_id * (1 - completion_mask),
                             skip_special_tokens=True)
    return {"prompt_ids": batch["input_ids"], "prompt_mask": batch["attention_mask"],
            "completion_ids": completion_ids, "completion_mask": completion_mask, "truncated": truncated,
            "pixel_values": batch["pixel_values"], "image_grid_thw": batch["image_grid_thw"],
            "num_images": torch.tensor([len(s["images"]) for s in samples for _ in range(num_generations)],
                                       device=completion_ids.device),
            "texts": texts}


@contextmanager
def full_params_for_generation(model):
    """Gather an FSDP2-sharded model's parameters for the duration of `generate`; a no-op otherwise.

    Under FSDP2 (torch.distributed.fsdp.fully_shard) each process holds 1/W of every parameter. Its hooks
    all-gather a layer around that layer's forward, but `generate` also calls modules outside the root
    forward (Qwen2.5-VL's vision patch embedding), and re-gathering every layer for every new token is slow.
    So: all-gather everything once, keep it gathered through all decoding steps, free it afterwards. Costs
    one full (unsharded) copy of the weights in memory while generating. Every process must enter together
    (the all-gather is a collective). After it, layers reshard after forward again and the root does not
    (fully_shard's own defaults).
    """
    from torch.distributed.fsdp import FSDPModule
    sharded = [m for m in model.modules() if isinstance(m, FSDPModule)]
    for m in sharded:
        m.set_reshard_after_forward(False, recurse=False)
        m.unshard()
    try:
        yield
    finally:
        for m in sharded:
            m.set_reshard_after_forward(m is not model, recurse=False)
            m.reshard()


def _eos_ids(model, tok):
    """The ids that end a completion: the generation config's EOS list (Qwen: <|im_end|>, <|endoftext|>)."""
    eos = model.generation_config.eos_token_id
    ids = list(eos) if isinstance(eos, (list, tuple)) else [eos]
    return sorted({i for i in ids + [tok.convert_tokens_to_ids("<|im_end|>"), tok.pad_token_id] if i is not None})


def select_rows(batch, start, end):
    """Rows [start, end) of a rollout batch, with exactly those rows' image patches (for micro-batches).

    pixel_values stacks every image's patches; image k has prod(image_grid_thw[k]) of them, and row i owns
    batch["num_images"][i] consecutive images (the same number for every row when that key is absent), so
    rows map to contiguous patch ranges. Every other (N, ...) tensor of the batch is sliced to the rows.
    """
    n_rows = batch["prompt_ids"].size(0)
    end = min(end, n_rows)                                                    # the last micro-batch may be short
    if "num_images" in batch:                                                 # (N,): rows of mixed games differ
        image_offsets = torch.cat([batch["num_images"].new_zeros(1), batch["num_images"].cumsum(0)])
        first_img, last_img = int(image_offsets[start]), int(image_offsets[end])
    else:
        images_per_row = batch["image_grid_thw"].size(0) // n_rows
        first_img, last_img = start * images_per_row, end * images_per_row
    patches = batch["image_grid_thw"].prod(dim=1)                             # (num_images,)
    offsets = torch.cat([patches.new_zeros(1), patches.cumsum(0)])
    out = {k: v[start:end] for k, v in batch.items() if torch.is_tensor(v) and v.dim() > 0 and v.size(0) == n_rows
           and k not in ("pixel_values", "image_grid_thw")}
    out["pixel_values"] = batch["pixel_values"][offsets[first_img]:offsets[last_img]]
    out["image_grid_thw"] = batch["image_grid_thw"][first_img:last_img]
    return out


# ---------------------------------------------------------------------------------------------------------
# Log-probs of given completions


def completion_logps(model, batch, temperature=1.0):
    """Per-token log-probs (B, C) of batch["completion_ids"] under `model`, prompt and images in context.

    Logits are divided by the sampling temperature before the softmax, so that logp is the log-prob of the
    distribution the tokens were actually sampled from (TRL and OpenRLHF do the same). Only the last C + 1
    positions' logits are computed (logits_to_keep) to save memory on long prompts.
    """
    input_ids = torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1)          # (B, P + C)
    attention_mask = torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1)   # (B, P + C)
    C = batch["completion_ids"].size(1)
    logits = model(input_ids=input_ids, attention_mask=attention_mask, pixel_values=batch["pixel_values"],
                   image_grid_thw=batch["image_grid_thw"], logits_to_keep=C + 1, use_cache=False).logits
    logits = logits[:, :-1].float() / max(temperature, 1e-6)                  # (B, C, V): position t predicts token t+1
    return torch.gather(F.log_softmax(logits, dim=-1), 2, batch["completion_ids"].unsqueeze(-1)).squeeze(-1)


@torch.no_grad()
def batch_logps(model, batch, micro_batch_size, temperature=1.0):
    """completion_logps over a whole rollout batch in micro-batches, without gradients: (N, C).

    Used for the reference model's log-probs, and for the old (sampling-policy) log-probs when a rollout is
    used for more than one optimizer step (steps_per_rollout > 1 or num_iterations > 1): they are computed
    ONCE, before any update, and stored, so every later pass measures its ratio against the policy that
    actually sampled the tokens.
    """
    n = batch["completion_ids"].size(0)
    return torch.cat([completion_logps(model, select_rows(batch, i, i + micro_batch_size), temperature)
                      for i in range(0, n, micro_batch_size)])
