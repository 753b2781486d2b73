"""Run train.py's training inside an `accelerate launch` process and report each rank's parameters.

Launched by tests/test_train_two_processes.py as a real 2-process gloo run on CPU; not a test itself.
Rank 0 writes, for every process, a fingerprint of every parameter (sum and sum of squares, in float64) to
the JSON file named by the last argument, so the test can compare the ranks.
"""
import json
import os
import sys

import torch
from accelerate import PartialState

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # the repository root
import train  # noqa: E402

if __name__ == "__main__":
    *args, report = sys.argv[1:]
    model = train.main(args)
    fingerprint = torch.stack([torch.stack([p.detach().double().sum(), p.detach().double().pow(2).sum()])
                               for p in model.parameters()])                       # (num_params, 2)
    state = PartialState()
    everyone = [torch.zeros_like(fingerprint) for _ in range(state.num_processes)]
    torch.distributed.all_gather(everyone, fingerprint)
    if state.is_main_process:
        json.dump({"num_processes": state.num_processes, "fingerprints": [f.tolist() for f in everyone]}, open(report, "w"))
    torch.distributed.destroy_process_group()  # before the interpreter's exit, which can abort on gloo's threads
