"""train.save_training_state / load_training_state under FSDP2, on 2 gloo processes; not a test itself.

    ACCELERATE_USE_CPU=1 python -m accelerate.commands.launch --multi_gpu --num_processes 2 \\
        tests/helpers/fsdp_state_worker.py MODEL_DIR FOLDER OUT.json

Accelerate 1.15 never selects FSDP on CPU, so the model is sharded with torch's fully_shard directly (as in
update_step_worker.py) and train.py's functions get a stand-in for the Accelerator with the attributes they read,
its distributed_type FSDP and a real FullyShardedDataParallelPlugin. One AdamW step is taken, the state saved,
then loaded into a second sharded model and optimizer that never stepped. Rank 0 writes to OUT.json whether
every process's optimizer shards came back equal, the scheduler's step, and the files the state folder holds.
"""
import json
import os
import sys
from types import SimpleNamespace

import torch
from accelerate import Accelerator
from accelerate.utils import DistributedType, FullyShardedDataParallelPlugin
from torch.distributed.fsdp import fully_shard

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # the repository root
import train  # noqa: E402
from model import load_model  # noqa: E402


def sharded_model_and_optimizer(model_dir):
    model = load_model(model_dir)
    model.model.visual.requires_grad_(False)
    for layer in model.model.language_model.layers:
        fully_shard(layer)
    fully_shard(model)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    return model, optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (step + 1))


def local(t):
    return t.to_local() if hasattr(t, "to_local") else t


if __name__ == "__main__":
    model_dir, folder, out = sys.argv[1:]
    state = Accelerator()  # gloo, 2 processes; its distributed_type is MULTI_CPU, the stand-in's FSDP
    torch.manual_seed(0)
    stand_in = SimpleNamespace(distributed_type=DistributedType.FSDP, process_index=state.process_index,
                               num_processes=state.num_processes, multi_device=False, step=0,
                               wait_for_everyone=state.wait_for_everyone,
                               state=SimpleNamespace(fsdp_plugin=FullyShardedDataParallelPlugin(
                                   fsdp_version=2, state_dict_type="SHARDED_STATE_DICT")))
    model, optimizer, scheduler = sharded_model_and_optimizer(model_dir)
    ids = torch.arange(12).reshape(1, 12)
    model(input_ids=ids, labels=ids).loss.backward()
    optimizer.step()
    scheduler.step()
    train.save_training_state(stand_in, model, optimizer, scheduler, folder)
    state.wait_for_everyone()

    model2, optimizer2, scheduler2 = sharded_model_and_optimizer(model_dir)
    train.load_training_state(stand_in, model2, optimizer2, scheduler2, folder)
    saved, loaded = optimizer.state_dict()["state"], optimizer2.state_dict()["state"]
    equal = saved.keys() == loaded.keys() and all(
        torch.equal(local(saved[k][name]), local(loaded[k][name])) for k in saved for name in ("exp_avg", "exp_avg_sq"))
    nonzero = any(local(saved[k]["exp_avg"]).abs().sum() > 0 for k in saved)
    everyone = [None] * torch.distributed.get_world_size()
    torch.distributed.all_gather_object(everyone, bool(equal and nonzero))
    if state.is_main_process:
        files = sorted(os.path.relpath(os.path.join(r, f), folder) for r, _, fs in os.walk(folder) for f in fs)
        json.dump({"equal_on_every_process": everyone, "scheduler_epoch": [scheduler.last_epoch, scheduler2.last_epoch],
                   "files": files}, open(out, "w"))
    if torch.distributed.is_initialized():  # before the interpreter's exit, which can abort on gloo's threads
        torch.distributed.destroy_process_group()
