"""The run's configuration: the papers' presets field by field against the papers' settings (the README's
"Presets beside the papers" table)."""
import train


def test_presets_match_spec_table():
    vigal, gamerl = train.PRESETS["vigal"], train.PRESETS["gamerl"]
    assert {k: vigal[k] for k in ("model", "advantage_estimator", "whiten_advantages", "beta", "epsilon", "epsilon_high",
                                  "delta", "num_generations", "prompts_per_step", "steps_per_rollout", "temperature",
                                  "learning_rate", "lr_scheduler", "min_lr_ratio", "warmup_ratio",
                                  "max_completion_length", "freeze_vision", "max_pixels", "fsdp")} == dict(
        model="Qwen/Qwen2.5-VL-7B-Instruct", advantage_estimator="rloo", whiten_advantages=True, beta=0.0, epsilon=0.2,
        epsilon_high=0.2, delta=3.0, num_generations=6, prompts_per_step=120, steps_per_rollout=1, temperature=1.0,
        learning_rate=1e-6, lr_scheduler="cosine", min_lr_ratio=0.1, warmup_ratio=0.03, max_completion_length=3000,
        freeze_vision=True, max_pixels=640 * 28 * 28, fsdp=True)
    assert {k: gamerl[k] for k in ("model", "games", "gameqa_games", "advantage_estimator", "scale_rewards", "beta",
                                   "kl_estimator", "epsilon", "epsilon_high", "num_generations", "prompts_per_step",
                                   "temperature", "top_p", "top_k", "learning_rate", "lr_scheduler", "warmup_ratio",
                                   "max_completion_length", "freeze_vision", "max_pixels", "fsdp")} == dict(
        model="Qwen/Qwen2.5-VL-7B-Instruct", games="gameqa", gameqa_games="in-domain", advantage_estimator="grpo",
        scale_rewards="group", beta=0.04, kl_estimator="k3", epsilon=0.2, epsilon_high=0.2, num_generations=12,
        prompts_per_step=2, temperature=1.0, top_p=0.85, top_k=50, learning_rate=5e-7, lr_scheduler="constant",
        warmup_ratio=0.05, max_completion_length=2048, freeze_vision=True, max_pixels=1280 * 28 * 28, fsdp=True)
    for preset in (vigal, gamerl):  # every preset field is a real Config field and passes validation's choices
        assert set(preset) <= {f for f in train.Config.__dataclass_fields__}
