"""GRPO from scratch: the rollout of a vision-language policy and the RL math, knowing no game.

Group Relative Policy Optimization (Shao et al. 2024, DeepSeekMath, arXiv 2402.03300 §4.1) as the two papers
use it (their settings are config.py's presets). For a prompt q, sample G completions o_1..o_G, score each (reward r_i), and push up the
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
completions) and `batch_logps` (the same over a whole batch without gradients: old and reference log-probs).
The training loop that strings them together, with Accelerate, is in train.py. Names follow TRL's GRPOConfig
so runs can be compared field by field.

`rollout` is a sampler of its own, not `generate`: each prompt's images go through the vision tower once and
the prompt is prefilled once, then its key/value cache is copied to its G completions (TRL, R1-V and EasyR1
repeat the prompt G times and do that work G times). With the tower frozen (both papers) the image features
are kept, and every log-prob pass reuses them instead of running the tower again. Its samples are the ones
`generate` on the repeated prompts draws, token for token under the same seed (tests/test_sampler.py). The
log-prob passes share prompts the same way: each prompt runs once, and its completions attend to its stored
keys and values (`prompt_pass`, `completion_pass`, `SharedPrompt`), with the repeated rows' log-probs and
gradients (tests/test_shared_prompt.py).
`restrict_vocabulary` (constrained decoding: answers from a fixed set of one-token words, the tiny demo's) masks
the logits inside the model, so sampling and every log-prob pass see the same distribution.
"""
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from transformers.cache_utils import DynamicCache, DynamicLayer
from transformers.modeling_outputs import BaseModelOutputWithPooling


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
    """The number each process divides its summed loss by, for one optimizer step.

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

    Left padding: generation appends on the right, so every prompt must end at the same
    column. blind=True replaces every image by a blank one of the same size (the no-vision control).
    Each sample's `images` are PIL images: the caller opens files (records.load_images), so this file knows
    no dataset format. Returns the processor's dict: input_ids, attention_mask (B*repeats, P), pixel_values,
    image_grid_thw, ...
    """
    texts, images = [], []
    for sample in samples:
        imgs = [im.convert("RGB") for im in sample["images"]]
        if blind:
            imgs = [im.point(lambda _: 255) for im in imgs]
        for _ in range(repeats):
            texts.append(chat_text(processor, sample, system_prompt))
            images.extend(imgs)
    return processor(text=texts, images=images or None, padding=True, padding_side="left", return_tensors="pt")


def answer_token_ids(tokenizer, words):
    """The token ids of comma-separated answer words ("UP,DOWN,LEFT,RIGHT"), one token each. ValueError names
    a word the tokenizer splits into several tokens (constrained decoding below picks exactly one token)."""
    ids = []
    for word in (w.strip() for w in words.split(",") if w.strip()):
        pieces = tokenizer.encode(word, add_special_tokens=False)
        if len(pieces) != 1:
            raise ValueError(f"answer word {word!r} is {len(pieces)} tokens for this tokenizer, not 1")
        ids.append(pieces[0])
    if not ids:
        raise ValueError(f"no answer words in {words!r}")
    return sorted(set(ids))


def restrict_vocabulary(model, token_ids):
    """Constrained decoding: from now on every forward pass gives -inf logits to all tokens but `token_ids`.

    A forward hook on the output layer, so the sampler, every log-prob pass (old, reference, update) and
    evaluation all see one and the same distribution, renormalised over the allowed tokens: the policy the
    gradient is taken of is exactly the one that sampled. (Masking only in the sampler would train a policy
    that differs from the sampling one.) The tiny demo uses it to make the answer one of four moves, so its
    step 0 is a random guess and everything it gains comes from reading the board. Returns the hook handle.
    """
    allowed = torch.zeros(model.get_output_embeddings().out_features, dtype=torch.bool)
    allowed[list(token_ids)] = True

    def mask_logits(module, inputs, logits):
        return logits.masked_fill(~allowed.to(logits.device), float("-inf"))
    return model.get_output_embeddings().register_forward_hook(mask_logits)


def vision_token_ids(processor):
    """Ids of the vision special tokens. They must never be sampled: a re-fed completion holding an
    <|image_pad|> breaks the image-token count check in the forward pass (a random model does sample them)."""
    tok = processor.tokenizer
    names = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>", "<|vision_pad|>"]
    ids = [tok.convert_tokens_to_ids(n) for n in names if n in tok.get_vocab()]
    return sorted(set(ids))


def completion_mask_from_eos(completion_ids, eos_token_ids):
    """(B, C) ids -> ((B, C) mask, (B,) truncated). The mask is 1 up to AND including the first EOS, so the
    policy learns to stop (EOS must never be masked as padding). A row with no EOS ran into
    the length limit: all ones, and truncated=True."""
    is_eos = torch.isin(completion_ids, torch.tensor(eos_token_ids, device=completion_ids.device))
    has_eos = is_eos.any(dim=1)
    first_eos = torch.where(has_eos, is_eos.int().argmax(dim=1), completion_ids.size(1) - 1)   # (B,)
    positions = torch.arange(completion_ids.size(1), device=completion_ids.device)
    mask = (positions.unsqueeze(0) <= first_eos.unsqueeze(1)).long()
    return mask, ~has_eos


def next_token_probs(logits, temperature=1.0, top_k=0, top_p=1.0, suppress_ids=()):
    """The sampling distribution (B, V) from next-token logits (B, V): suppress, then temperature, top-k, top-p,
    in the order Hugging Face's generate applies them (SuppressTokens, Temperature, TopK, TopP processors)."""
    logits = logits.float().clone()
    logits[:, list(suppress_ids)] = -float("inf")                 # never an image token (vision_token_ids says why)
    logits = logits / temperature
    if top_k > 0:  # keep the k largest (and any tied with the k-th)
        kth = torch.topk(logits, min(top_k, logits.size(-1))).values[:, -1:]
        logits = logits.masked_fill(logits < kth, -float("inf"))
    if top_p < 1.0:  # nucleus: drop the least likely tokens whose total mass is <= 1 - top_p, keep at least one
        sorted_logits, order = torch.sort(logits, descending=False)
        drop = sorted_logits.softmax(dim=-1).cumsum(dim=-1) <= 1 - top_p
        drop[:, -1] = False
        logits = logits.masked_fill(drop.scatter(1, order, drop), -float("inf"))
    return logits.softmax(dim=-1)


def sample_next_token(logits, temperature=1.0, top_k=0, top_p=1.0, suppress_ids=()):
    """One token per row (B,) from next-token logits (B, V), drawn from next_token_probs as generate draws it
    (torch.multinomial). temperature 0 is greedy, as generate's do_sample=False: the most likely token not
    suppressed."""
    if temperature > 0:
        return torch.multinomial(next_token_probs(logits, temperature, top_k, top_p, suppress_ids), 1).squeeze(1)
    logits = logits.float().clone()
    logits[:, list(suppress_ids)] = -float("inf")
    return logits.argmax(dim=-1)


def prompt_positions(model, prompts):
    """M-RoPE positions (3, B, P) of left-padded prompts (Qwen2-VL, arXiv 2409.12191 §2.1): an image's tokens get
    (time, height, width) grid positions, text one position a token on all three axes; padding gets 0. Computed
    here, not left to the model, because Qwen2.5-VL only builds them when handed mm_token_type_ids, and otherwise
    silently gives image tokens plain 1-D positions (and it caches rope_deltas on the module between calls)."""
    if "image_grid_thw" in prompts:
        return model.model.get_rope_index(prompts["input_ids"], prompts["mm_token_type_ids"], prompts["image_grid_thw"],
                                          attention_mask=prompts["attention_mask"])[0]
    text = (prompts["attention_mask"].cumsum(dim=1) - 1).clamp(min=0)
    return text.unsqueeze(0).expand(3, -1, -1)


def _images_of_rows(per_image, num_images, rows):
    """Concatenate, row after row, the per-image entries of each row's prompt (prompt p owns num_images[p]
    consecutive images). How one prompt's pixels, grids or features become those of its completions."""
    first = [0]
    for n in num_images:
        first.append(first[-1] + n)
    return torch.cat([per_image[k] for p in rows.tolist() for k in range(first[p], first[p + 1])])


@torch.no_grad()
def rollout(model, processor, samples, num_generations, max_completion_length, temperature=1.0, top_p=1.0,
            top_k=0, system_prompt=None, blind=False, eos_token_ids=None, keep_image_features=False):
    """Sample completions for each sample; completions of one prompt are contiguous rows.

    num_generations: completions per sample, one number for all or a list with one count per sample (a group
    can be split over processes, so a process may hold 3 completions of one prompt and 5 of the next).

    Each prompt is encoded once: its images go through the vision tower once and the prompt is prefilled
    once; its key/value cache is then copied to each of its completions, which are decoded together, one
    token per step for all rows. Repeating the prompt G times (TRL, R1-V, EasyR1) does that work G times; the
    samples are distributed exactly as theirs (tests/test_sampler.py). temperature 0 is greedy (evaluation).

    Returns a dict of tensors on the model's device, N = sum of the counts:
      prompt_ids, prompt_mask          (N, P)     left-padded
      prompt_positions                 (N, 3, P)  M-RoPE positions of the prompt (prompt_positions)
      completion_ids, completion_mask  (N, C)     C <= max_completion_length; mask through the first EOS
      truncated                        (N,)       no EOS within the limit
      image_grid_thw, num_images       each row's images (games differ: Snake 1, Rotation 4); num_images (N,)
      pixel_values                     each row's image patches, or with keep_image_features=True
      image_embeds                     each row's vision-tower output instead, for log-prob passes that reuse
                                       it (only right while the tower is frozen)
    and "texts": the decoded completions (special tokens dropped) for the reward.
    """
    tok = processor.tokenizer
    eos_token_ids = eos_token_ids or _eos_ids(model, tok)
    counts = [num_generations] * len(samples) if isinstance(num_generations, int) else list(num_generations)
    prompts = encode_prompts(processor, samples, 1, system_prompt, blind).to(model.device)  # each prompt once (U, P)
    rows = torch.repeat_interleave(torch.arange(len(samples), device=model.device),
                                   torch.tensor(counts, device=model.device))              # (N,) row -> its prompt
    positions = prompt_positions(model, prompts)                                           # (3, U, P)
    has_images = "pixel_values" in prompts
    if has_images:  # the vision tower, once per image: one (tokens, hidden) tensor each
        features = model.model.get_image_features(prompts["pixel_values"], prompts["image_grid_thw"]).pooler_output

    # prefill each prompt once, then give each completion its prompt's cache (rows repeat their prompt's)
    cache = preallocated_cache(model, prompts["input_ids"].size(1) + max_completion_length)
    out = model(input_ids=prompts["input_ids"], attention_mask=prompts["attention_mask"], position_ids=positions,
                mm_encoder_outputs={"image": BaseModelOutputWithPooling(pooler_output=features)} if has_images else None,
                past_key_values=cache, use_cache=True, logits_to_keep=1)
    logits = out.logits[rows, -1]                                                          # (N, V)
    cache.batch_select_indices(rows)                       # every layer's keys and values: (U, ...) -> (N, ...)
    attention_mask = prompts["attention_mask"][rows]                                       # (A, P), grows a column a step
    next_position = positions.amax(dim=(0, 2))[rows] + 1    # (N,) text after the prompt: one position a token, all 3 axes

    # Decode all rows together. Every row draws a token every step, as in Hugging Face's generate, so the random
    # stream and the samples are generate's; a finished row's draw is replaced by padding. The model only runs
    # the rows still decoding (`active`): once a quarter of them have finished they leave the batch and its
    # cache (each departure copies the cache once, so a long tail of one slow row costs one row, not N).
    suppress, eos = vision_token_ids(processor), torch.tensor(eos_token_ids, device=model.device)
    finished = torch.zeros(len(rows), dtype=torch.bool, device=model.device)
    active = torch.arange(len(rows), device=model.device)                                 # (A,) rows in the cache
    tokens = []
    for t in range(max_completion_length):
        token = sample_next_token(logits, temperature, top_k, top_p, suppress)
        token = torch.where(finished, tok.pad_token_id, token)                            # (N,)
        tokens.append(token)
        finished |= torch.isin(token, eos)
        if finished.all() or t == max_completion_length - 1:
            break
        if 4 * int(finished[active].sum()) >= len(active):
            keep = (~finished[active]).nonzero().squeeze(1)
            cache.batch_select_indices(keep)
            active, attention_mask = active[keep], attention_mask[keep]
        attention_mask = torch.cat([attention_mask, attention_mask.new_ones(len(active), 1)], dim=1)
        step = model(input_ids=token[active].unsqueeze(1), attention_mask=attention_mask, past_key_values=cache,
                     position_ids=(next_position[active] + t).view(1, -1, 1).expand(3, -1, 1), use_cache=True)
        logits = step.logits.new_zeros(len(rows), step.logits.size(-1))   # rows that left draw from zeros: padded
        logits[active] = step.logits[:, -1]

    completion_ids = torch.stack(tokens, dim=1)                                            # (N, C)
    completion_mask, truncated = completion_mask_from_eos(completion_ids, eos_token_ids)
    texts = tok.batch_decode(completion_ids * completion_mask + tok.pad_token_id * (1 - completion_mask),
                             skip_special_tokens=True)
    num_images = [len(s["images"]) for s in samples]
    batch = {"prompt_ids": prompts["input_ids"][rows], "prompt_mask": prompts["attention_mask"][rows],
             "prompt_positions": positions[:, rows].transpose(0, 1),                   # (N, 3, P): rows first, for select_rows
             "completion_ids": completion_ids, "completion_mask": completion_mask, "truncated": truncated,
             "num_images": torch.tensor(num_images, device=model.device)[rows], "texts": texts,
             "prompt_index": rows}                                                     # (N,) completions of one prompt share it
    if has_images:
        grids = prompts["image_grid_thw"]
        batch["image_grid_thw"] = _images_of_rows(grids.split(1), num_images, rows)
        if keep_image_features:
            batch["image_embeds"] = _images_of_rows(features, num_images, rows)
        else:
            batch["pixel_values"] = _images_of_rows(prompts["pixel_values"].split(grids.prod(dim=1).tolist()), num_images, rows)
    return batch


class PreallocatedLayer(DynamicLayer):
    """One layer's key/value cache written in place into a buffer sized for prompt + completion.

    Hugging Face's DynamicLayer concatenates every new token's keys and values onto the old ones, which copies
    the whole cache at every decoded token (quadratic in the completion length); this one writes the token's
    column into a buffer allocated once and hands attention a view of the filled part. Rows leave it by
    `batch_select_indices` (one copy), as in DynamicLayer.
    """

    def __init__(self, capacity):
        super().__init__()
        self.capacity, self.length = capacity, 0

    def lazy_initialization(self, key_states, value_states):
        super().lazy_initialization(key_states, value_states)
        shape = lambda x: (*x.shape[:-2], self.capacity, x.shape[-1])
        self.key_buffer = key_states.new_empty(shape(key_states))
        self.value_buffer = value_states.new_empty(shape(value_states))

    def update(self, key_states, value_states, *args, **kwargs):
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        end = self.length + key_states.size(-2)
        if end > self.key_buffer.size(-2):  # more than was reserved: grow, at least doubling
            size = max(end, 2 * self.key_buffer.size(-2))
            grow = lambda b: torch.cat([b, b.new_empty(*b.shape[:-2], size - b.size(-2), b.size(-1))], dim=-2)
            self.key_buffer, self.value_buffer = grow(self.key_buffer), grow(self.value_buffer)
        self.key_buffer[..., self.length:end, :] = key_states
        self.value_buffer[..., self.length:end, :] = value_states
        self.length = end
        self.keys, self.values = self.key_buffer[..., :end, :], self.value_buffer[..., :end, :]
        return self.keys, self.values

    def batch_select_indices(self, indices):
        if self.is_initialized:
            self.key_buffer, self.value_buffer = self.key_buffer[indices], self.value_buffer[indices]
            self.keys, self.values = self.key_buffer[..., :self.length, :], self.value_buffer[..., :self.length, :]


def preallocated_cache(model, capacity):
    """A key/value cache for `model` whose every layer is a PreallocatedLayer of `capacity` positions."""
    cache = DynamicCache(config=_unwrapped(model).config)
    cache.layers = [PreallocatedLayer(capacity) for _ in cache.layers]
    return cache


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


def rows_images(batch, rows):
    """The image tensors of `rows` (row indices), each row's images in row order: image_grid_thw, and
    pixel_values or image_embeds; {} for text-only prompts.

    pixel_values stacks every image's patches (image k has prod(image_grid_thw[k]) of them), image_embeds
    every image's vision-tower tokens (prod / spatial_merge_size**2 of them: the ratio of the totals); row i owns
    batch["num_images"][i] consecutive images (the same number for every row when that key is absent).
    """
    if "image_grid_thw" not in batch:
        return {}
    grids, n_rows = batch["image_grid_thw"], batch["prompt_ids"].size(0)
    num_images = batch["num_images"].tolist() if "num_images" in batch else [grids.size(0) // n_rows] * n_rows
    rows = torch.as_tensor(list(rows), dtype=torch.long)
    patches = grids.prod(dim=1)                                               # (num_images,)
    out = {"image_grid_thw": _images_of_rows(grids.split(1), num_images, rows)}
    if "pixel_values" in batch:
        out["pixel_values"] = _images_of_rows(batch["pixel_values"].split(patches.tolist()), num_images, rows)
    if "image_embeds" in batch:
        tokens = patches * batch["image_embeds"].size(0) // patches.sum()
        out["image_embeds"] = _images_of_rows(batch["image_embeds"].split(tokens.tolist()), num_images, rows)
    return out


def take_rows(batch, rows):
    """The rows (indices, in the order given) of a rollout batch, with exactly those rows' images: every (N, ...)
    tensor of the batch indexed by `rows`, and the rows' images (rows_images)."""
    n_rows = batch["prompt_ids"].size(0)
    index = torch.as_tensor(list(rows), dtype=torch.long, device=batch["prompt_ids"].device)
    image_keys = ("pixel_values", "image_embeds", "image_grid_thw")
    out = {k: v[index] for k, v in batch.items() if torch.is_tensor(v) and v.dim() > 0 and v.size(0) == n_rows
           and k not in image_keys}
    return {**out, **rows_images(batch, index.tolist())}


def select_rows(batch, start, end):
    """Rows [start, end) of a rollout batch, with exactly those rows' images (take_rows); end may pass the last."""
    return take_rows(batch, range(start, min(end, batch["prompt_ids"].size(0))))


# ---------------------------------------------------------------------------------------------------------
# Log-probs of given completions: each prompt computed once for all of its completions, the output layer in chunks
#
# A rollout's G completions of one prompt share the prompt token for token (and its images). Computing the
# prompt G times, as a batch of G (prompt + completion) rows does (TRL, R1-V, EasyR1), repeats most of the
# work: a vigal Rotation prompt is ~1,500 tokens against a few hundred of completion. Instead the prompts run
# ONCE, alone (`prompt_pass`), and every layer's keys and values of the prompt are kept; each completion then
# runs as its own row that attends to its prompt's stored keys and values and to itself (`completion_pass`),
# at the positions it has in its own row. Every completion token attends to exactly the keys it attends to in
# the repeated row, so its log-prob is the same number; and since the stored keys and values stay in autograd's
# graph, the gradient that flows back into the prompt's activations is the sum over its completions, exactly
# the sum the repeated rows produce (tests/test_shared_prompt.py checks both). The KV cache of sampling, used
# for training: verl's shared-prefix GRPO and Hydragen (arXiv 2402.05099) share prefixes the same way.
#
# The prompt pass is shared by the micro-batches of a block (`micro_batch_blocks`): with 2 completions per
# micro-batch and G = 6 (the vigal preset), a prompt runs once for its three micro-batches, not three times.
# Each micro-batch still runs its own backward (memory holds one micro-batch of completions); the gradient it
# sends to the prompt's keys and values is collected on detached copies (`SharedPrompt.read`), and the block's
# last micro-batch reads the live ones and carries the collected gradient into the prompt pass's own backward,
# which so runs once, with that micro-batch's.

LOGITS_CHUNK = 1024  # completion tokens per call of the output layer: bounds the (tokens, vocabulary) logits held


def _unwrapped(model):
    """The model inside a DistributedDataParallel wrapper; FSDP2 shards in place and needs no unwrapping."""
    return getattr(model, "module", model)


def image_inputs(batch, rows):
    """The model's image arguments for the prompts of `rows`: the stored vision-tower features (frozen tower)
    in place of the tower, or the pixels and their grids; {} for text-only prompts."""
    images = rows_images(batch, rows)
    if "image_embeds" in images:
        return {"mm_encoder_outputs": {"image": BaseModelOutputWithPooling(pooler_output=(images["image_embeds"],))}}
    return images


def micro_batch_blocks(lengths, micro_batch_size, group_size):
    """The micro-batches of a pass over rows whose completions have `lengths`, as lists of row indices, in blocks
    that share one prompt pass: [[rows, rows, ...], ...].

    A block is the rows of ceil(G / micro_batch_size) consecutive micro-batches (one micro-batch when it holds a
    group or more), so a group that starts a block has its prompt computed once however the micro-batches cut
    it. Within a block the rows go longest first, so a micro-batch holds completions of similar lengths and pads
    little; the sums the micro-batches add up to do not depend on the order. How many micro-batches, and of what
    sizes, depends on the row count alone: under FSDP every process must run the same forward passes.
    """
    block_rows = micro_batch_size * -(-group_size // micro_batch_size)
    blocks = []
    for start in range(0, len(lengths), block_rows):
        rows = sorted(range(start, min(start + block_rows, len(lengths))), key=lambda i: -int(lengths[i]))
        blocks.append([rows[i:i + micro_batch_size] for i in range(0, len(rows), micro_batch_size)])
    return blocks


def _attention_mask(allowed, attn_implementation):
    """A (rows, queries, keys) boolean mask as the model takes it ready-made: (rows, 1, queries, keys), booleans
    for SDPA, 0 / -inf for eager attention (which adds the mask to its scores)."""
    if attn_implementation == "eager":
        return torch.zeros(allowed.shape, device=allowed.device).masked_fill(~allowed, float("-inf")).unsqueeze(1)
    return allowed.unsqueeze(1)


class _RecordKeysValues:
    """The key/value "cache" the prompt pass runs with: it keeps each layer's keys and values and hands them
    back unchanged to attention. It keeps the first it is given: under gradient checkpointing, backward reruns
    a layer's forward, which calls update again with the recomputed (equal) tensors."""

    def __init__(self, num_layers):
        self.keys, self.values = [None] * num_layers, [None] * num_layers

    def update(self, key_states, value_states, layer_idx, *args, **kwargs):
        if self.keys[layer_idx] is None:
            self.keys[layer_idx], self.values[layer_idx] = key_states, value_states
        return key_states, value_states


class _PrefixKeysValues:
    """The key/value "cache" a completion pass runs with: a layer's keys (values) are its rows' prompts' stored
    ones, then the completion's own. It stores nothing, so a checkpointed layer's rerun gets the same."""

    def __init__(self, keys, values, prompt_of_row):
        self.keys, self.values, self.prompt_of_row = keys, values, prompt_of_row

    def update(self, key_states, value_states, layer_idx, *args, **kwargs):
        # index_select, not x[rows]: the same rows, but its backward sums them with index_add, which is faster
        prompt = lambda x: x.index_select(0, self.prompt_of_row).to(key_states.dtype)
        return (torch.cat([prompt(self.keys[layer_idx]), key_states], dim=-2),
                torch.cat([prompt(self.values[layer_idx]), value_states], dim=-2))


@contextmanager
def _caches_kept_under_checkpointing(model):
    """Let checkpointed decoder layers use the caches above during a forward: Hugging Face drops a layer's cache
    under gradient checkpointing unless the layer says the rerun is safe (it would update a stored cache twice);
    ours are. The flag is read when the layer is called; backward's rerun reuses that call's arguments."""
    layers = _unwrapped(model).model.language_model.layers
    for layer in layers:
        layer._can_checkpoint_with_cache = True
    try:
        yield
    finally:
        for layer in layers:
            del layer._can_checkpoint_with_cache      # the class's own setting again


def prompt_pass(model, batch):
    """Run each distinct prompt of `batch` once (rows with one `prompt_index` share a prompt; rollout sets it).

    Returns the states the completion passes read, one entry per prompt (U of them, in order of first row):
      ids          (U,)                 the prompts' prompt_index
      keys/values  [(U, heads, P, d)]   every layer's keys and values (after rotary embedding)
      last_hidden  (U, H)               the final hidden state of the prompt's last token: it predicts token 0
      mask         (U, P)               the prompt's real (not padding) tokens
      after        (U,)                 the first text position after the prompt
    The images go through the model once per prompt too: pixels, or the stored features of a frozen tower.
    """
    _, first_of, counts = torch.unique_consecutive(batch["prompt_index"], return_inverse=True, return_counts=True)
    first = (counts.cumsum(0) - counts).tolist()                                         # each prompt's first row
    prompt_ids, mask = batch["prompt_ids"][first], batch["prompt_mask"][first].bool()
    if not torch.equal(batch["prompt_ids"], prompt_ids[first_of]):
        raise ValueError("rows with one prompt_index hold different prompts: they cannot share one")
    positions = batch["prompt_positions"][first].transpose(0, 1)                         # (3, U, P)
    inner = _unwrapped(model)
    layer_types = set(inner.config.get_text_config().layer_types)
    if mask.all() and inner.config._attn_implementation == "sdpa" and layer_types == {"full_attention"}:
        # no padding: the mask is plain causal, which SDPA's causal kernels compute without one (a dict of
        # masks per layer type is used as given; None lets SDPA set is_causal)
        attention_mask = {"full_attention": None}
    else:
        P = prompt_ids.size(1)
        q, k = torch.arange(P, device=mask.device)[:, None], torch.arange(P, device=mask.device)[None, :]
        allowed = ((k <= q) & mask[:, None, :]) | (q == k)   # causal over real tokens; the diagonal keeps padding finite
        attention_mask = _attention_mask(allowed, inner.config._attn_implementation)
    record = _RecordKeysValues(len(inner.model.language_model.layers))
    with _caches_kept_under_checkpointing(model):
        hidden = final_hidden_states(model, {
            "input_ids": prompt_ids, "attention_mask": attention_mask, "position_ids": positions,
            "past_key_values": record, **image_inputs(batch, first)})
    return {"ids": batch["prompt_index"][first], "keys": record.keys, "values": record.values,
            "last_hidden": hidden[:, -1], "mask": mask, "after": positions.amax(dim=(0, 2)) + 1}


class _CarryGradient(torch.autograd.Function):
    """x unchanged; in backward, the gradient arriving at x plus `carried` (what earlier backwards left on a copy)."""

    @staticmethod
    def forward(ctx, x, carried):
        ctx.save_for_backward(carried)
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad + ctx.saved_tensors[0], None


class SharedPrompt:
    """The prompts of one block of rows, run once by `prompt_pass` when the block's first micro-batch needs them,
    then read by every micro-batch of the block, which must together cover its rows (micro_batch_blocks).

    With gradients, each micro-batch runs its own backward, but the prompt pass must run backward only once and
    only after all of them: so every micro-batch but the last reads detached copies of the prompt states, on
    which its backward leaves its gradient (summing over micro-batches), and the last reads the live states
    through _CarryGradient, so that its backward goes on through the prompt pass with every micro-batch's
    gradient. Without gradients (old and reference log-probs) every micro-batch reads the states as they are.
    """

    def __init__(self, model, batch):
        self.model, self.batch, self.rows_left = model, batch, batch["prompt_ids"].size(0)
        self.states = self.copies = None

    def read(self, num_rows):
        """The prompt states for the block's next micro-batch of `num_rows` rows."""
        if self.states is None:
            self.states = prompt_pass(self.model, self.batch)
        if num_rows > self.rows_left:
            raise ValueError(f"{num_rows} rows read from a shared prompt with {self.rows_left} rows left")
        self.rows_left -= num_rows
        states = self.states
        trained = [k for k in ("keys", "values", "last_hidden") if _requires_grad(states[k])]
        if not torch.is_grad_enabled() or not trained:
            return states
        if self.rows_left > 0:                                   # more readers to come: leave this one's gradient
            if self.copies is None:                              # on copies, outside the prompt pass's graph
                self.copies = {k: _map(lambda x: x.detach().requires_grad_(), states[k]) for k in trained}
            return {**states, **self.copies}
        if self.copies is None:                                  # the only reader: the live states as they are
            return states
        carry = lambda x, copy: x if copy.grad is None else _CarryGradient.apply(x, copy.grad)
        return {**states, **{k: _map(carry, states[k], self.copies[k]) for k in trained}}


def _map(f, x, *others):
    """f over a tensor, or over the tensors of a list of them (one per layer) element by element."""
    return [f(*a) for a in zip(x, *others)] if isinstance(x, list) else f(x, *others)


def _requires_grad(x):
    return any(t.requires_grad for t in x) if isinstance(x, list) else x.requires_grad


def completion_pass(model, batch, prompt):
    """Final hidden states (B, C, H) whose output predicts each completion token: row i's token t is predicted
    by the prompt's last token (t = 0) or its own token t - 1, computed against its prompt's stored keys and
    values (`prompt`: prompt_pass's states). Query t attends to the prompt's real tokens and to completion
    tokens s <= t that exist, at the positions it has in its own (prompt + completion) row. The last column
    predicts nothing and no earlier token attends to it, so it is not run (nor is anything for one-token
    completions, which the prompt's last token predicts)."""
    completion_ids, completion_mask = batch["completion_ids"][:, :-1], batch["completion_mask"][:, :-1].bool()
    B, C = completion_ids.shape                                                          # C: the columns run
    match = batch["prompt_index"][:, None] == prompt["ids"][None, :]                     # (B, U)
    if not match.any(dim=1).all():
        raise ValueError("a row's prompt_index is not among the shared prompt's")
    u = match.int().argmax(dim=1)                                                        # (B,) each row's prompt
    last = prompt["last_hidden"].index_select(0, u)[:, None]                             # (B, 1, H)
    if C == 0:
        return last
    t = torch.arange(C, device=completion_ids.device)
    own = (t[None, :] <= t[:, None]) & completion_mask[:, None, :]                       # (B, C, C) causal, real
    own = own | torch.eye(C, dtype=torch.bool, device=own.device)                       # the diagonal: finite rows
    allowed = torch.cat([prompt["mask"][u][:, None, :].expand(-1, C, -1), own], dim=2)   # (B, C, P + C)
    positions = (prompt["after"][u][:, None] + t).unsqueeze(0).expand(3, -1, -1)         # (3, B, C)
    with _caches_kept_under_checkpointing(model):
        hidden = final_hidden_states(model, {
            "input_ids": completion_ids, "position_ids": positions,
            "attention_mask": _attention_mask(allowed, _unwrapped(model).config._attn_implementation),
            "past_key_values": _PrefixKeysValues(prompt["keys"], prompt["values"], u)})
    return torch.cat([last.to(hidden.dtype), hidden], dim=1)


def repeated_pass(model, batch):
    """The plain computation, for attention kernels that take no arbitrary mask (flash-attention): every row is
    (its own copy of the prompt + the completion); the final hidden states (B, C, H) that predict the tokens."""
    P, C = batch["prompt_ids"].size(1), batch["completion_ids"].size(1)
    positions = batch["prompt_positions"].transpose(0, 1)                                # (3, B, P)
    after = positions.amax(dim=(0, 2))[:, None] + 1 + torch.arange(C, device=positions.device)
    hidden = final_hidden_states(model, {
        "input_ids": torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1),
        "attention_mask": torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1),
        "position_ids": torch.cat([positions, after.unsqueeze(0).expand(3, -1, -1)], dim=2),
        **image_inputs(batch, range(batch["prompt_ids"].size(0)))})
    return hidden[:, P - 1:P - 1 + C]


def shares_prompts(model, batch):
    """Whether the passes can share prompts: rows know their prompt, and attention takes a ready-made mask."""
    return "prompt_index" in batch and _unwrapped(model).config._attn_implementation in ("sdpa", "eager")


def final_hidden_states(model, inputs):
    """Run the model on `inputs` and return its final hidden states (S, L, H), the output layer's input, taken
    by a hook on the last norm. The model itself computes logits for one position only (logits_to_keep=1):
    the full-vocabulary logits of every position are never formed here (token_logps forms them in chunks)."""
    captured = []
    norm = _unwrapped(model).model.language_model.norm
    handle = norm.register_forward_hook(lambda module, args, out: captured.append(out))
    try:
        model(**inputs, logits_to_keep=1, use_cache=False)
    finally:
        handle.remove()
    return captured[-1]


def token_logps(model, hidden, targets, temperature=1.0, with_entropy=False, entropy_grad=True):
    """Log-probs (T,) of `targets` (T,) given final hidden states (T, H), LOGITS_CHUNK tokens at a time.

    Logits are divided by the sampling temperature before the softmax, so that logp is the log-prob of the
    distribution the tokens were actually sampled from (TRL and OpenRLHF do the same). A chunk's logits
    (LOGITS_CHUNK, V) are freed after use and, under autograd, recomputed in backward (activation
    checkpointing) rather than kept: memory grows with the number of tokens, not tokens x vocabulary (152K
    for Qwen2.5-VL: ~5 MB a token in float32 logits and their softmax). With entropy: also the entropy of each
    position's whole next-token distribution (T,), a bonus with a gradient when entropy_grad, else a metric.
    """
    head = _unwrapped(model).get_output_embeddings()   # its forward hooks (restrict_vocabulary) apply

    def chunk(h, y):
        logps = F.log_softmax(head(h).float() / max(temperature, 1e-6), dim=-1)          # (chunk, V)
        picked = logps.gather(1, y[:, None]).squeeze(1)
        if not with_entropy:
            return picked, picked.new_zeros(0)
        finite = torch.where(torch.isfinite(logps), logps, 0.0)                           # masked tokens: 0 log 0 = 0
        entropy = -(logps.exp() * finite).sum(dim=-1)
        return picked, entropy if entropy_grad else entropy.detach()

    picked, entropies = [], []
    for h, y in zip(hidden.split(LOGITS_CHUNK), targets.split(LOGITS_CHUNK)):
        if torch.is_grad_enabled():
            p, e = torch.utils.checkpoint.checkpoint(chunk, h, y, use_reentrant=False)
        else:
            p, e = chunk(h, y)
        picked.append(p)
        entropies.append(e)
    logps = torch.cat(picked)
    return (logps, torch.cat(entropies)) if with_entropy else logps


def completion_logps(model, batch, temperature=1.0, with_entropy=False, entropy_grad=True, prompt=None,
                     share_prompt=True):
    """Per-token log-probs (B, C) of batch["completion_ids"] under `model`, prompt and images in context.

    Each prompt runs once for all of its completions (prompt_pass, then completion_pass): the batch's own prompts,
    or `prompt`, a SharedPrompt of a block of rows that holds this batch's (the micro-batches of a block share
    it). share_prompt=False, or an attention kernel that takes no ready-made mask: every row repeats its prompt
    (repeated_pass), the same numbers. The output layer runs in chunks (token_logps); columns after the longest
    completion's end are not computed (0 there, as at any position the mask drops). The positions are the
    sampler's (rollout): the prompt's M-RoPE positions, then one text position a token. With image_embeds in
    the batch (frozen vision tower) the stored features stand in for the tower, which then does not run.
    """
    B, C = batch["completion_ids"].shape
    # Columns past every row's end (completions of very different lengths share the batch's width) are cut
    # before the pass: causal attention means no kept token sees them. Their log-probs come back as 0.
    width = int(batch["completion_mask"].sum(dim=1).max())
    if width < C:
        batch = {**batch, "completion_ids": batch["completion_ids"][:, :width],
                 "completion_mask": batch["completion_mask"][:, :width]}
    if share_prompt and shares_prompts(model, batch):
        states = (prompt or SharedPrompt(model, batch)).read(B)
        hidden = completion_pass(model, batch, states)                                   # (B, width, H)
    else:
        hidden = repeated_pass(model, batch)
    out = token_logps(model, hidden.reshape(B * width, -1), batch["completion_ids"].reshape(-1), temperature,
                      with_entropy, entropy_grad)
    pad = lambda x: F.pad(x.view(B, width), (0, C - width))                              # (B, C)
    return (pad(out[0]), pad(out[1])) if with_entropy else pad(out)


def micro_batches(model, batch, micro_batch_size, group_size):
    """The micro-batches of a pass over a rollout batch, as micro_batch_blocks plans them: yields (rows, the
    micro-batch, its block's SharedPrompt, whether it is the pass's last). A block's prompts run when its first
    micro-batch reads them, inside whatever context the caller runs that micro-batch in (autocast, no_sync)."""
    blocks = micro_batch_blocks(batch["completion_mask"].sum(dim=1).tolist(), micro_batch_size, group_size)
    for block in blocks:
        prompt = SharedPrompt(model, take_rows(batch, sorted(sum(block, []))))      # the block's rows, in order
        for rows in block:
            yield rows, take_rows(batch, rows), prompt, rows is blocks[-1][-1]


@torch.no_grad()
def batch_logps(model, batch, micro_batch_size, temperature=1.0, group_size=1):
    """completion_logps over a whole rollout batch in micro-batches, without gradients: (N, C). Each block of
    micro-batches (micro_batch_blocks, for groups of `group_size` rows) runs its prompts once.

    Used for the reference model's log-probs, and for the old (sampling-policy) log-probs when a rollout is
    used for more than one optimizer step (steps_per_rollout > 1 or num_iterations > 1): they are computed
    ONCE, before any update, and stored, so every later pass measures its ratio against the policy that
    actually sampled the tokens.
    """
    out = torch.zeros(batch["completion_ids"].shape, device=batch["completion_ids"].device)
    for rows, micro, prompt, _ in micro_batches(model, batch, micro_batch_size, group_size):
        out[rows] = completion_logps(model, micro, temperature, prompt=prompt)
    return out
