"""The peer-bench PyTorch reference step under bfloat16 autocast.

Runs `torch_ref.py` from the peer-bench directory unchanged (same models,
arguments, timing and JSON output) except that every training step runs
inside ``torch.autocast("cpu", dtype=torch.bfloat16)``: PyTorch's counterpart
of Keras' ``mixed_bfloat16`` policy (float32 weights, bfloat16 compute).
`benchmarks/train_step.py --dtype_policy=mixed_bfloat16` runs it from the
peer-bench directory:

    cd ../shared/peer-bench && python /path/to/torch_autocast_ref.py --arch mocogan
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    sys.path.insert(0, os.getcwd())  # the peer-bench directory
    import torch
    import torch_ref

    make_step = torch_ref.make_step

    def autocast_step(*args, **kwargs):
        step = make_step(*args, **kwargs)

        def wrapped():
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return step()

        return wrapped

    torch_ref.make_step = autocast_step
    torch_ref.main()


if __name__ == "__main__":
    main()
