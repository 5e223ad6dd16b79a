"""One GPT training step against PyTorch: parity_gpt_dump (gpt_dump.c) runs
for a few shapes; here torch runs nanoGPT's model (nanogpt.py) on the weights it
printed and compares in float64, relative 1e-10:
the loss, every parameter's grad, the global grad norm, and every
parameter after clipping and one AdamW step (decay on tensors of 2 or more
dims only, as nanoGPT's groups)."""
import pytest
import torch
import torch.nn.functional as F

import cli
import compare
import nanogpt

TOL = 1e-10
SHAPES = [  # layers heads embd vocab context B T
    [2, 2, 8, 11, 6, 3, 6],
    [1, 1, 4, 5, 4, 2, 3],    # one head: the head transposes are views
    [3, 4, 16, 27, 8, 2, 5],  # T shorter than the context
]


def close(ours, theirs):
    return compare.close(ours, theirs, TOL, 0.0)


def compare_tensor(what, ours, theirs, problems):
    """Relative to each element or, for elements that are rounding noise
    around 0, to the largest of the tensor: the key bias's grad is 0 in exact
    arithmetic (a softmax ignores a shift of its row), so both sides hold
    rounding errors of about 1e-18 there."""
    problems += compare.tensor_problems(what, ours, theirs, TOL, relative_to_largest=True)


def replay(case):
    problems = []
    B, T = case["B"], case["T"]
    ids = torch.tensor(case["ids"]).view(B, T)
    targets = torch.tensor(case["targets"])
    params = {}
    for rec in case["params"]:
        params[rec["label"]] = torch.tensor(rec["data"]).view(rec["shape"]).requires_grad_()
    logits = nanogpt.forward(params, case, ids)
    loss = F.cross_entropy(logits.view(B * T, -1), targets)
    loss.backward()
    if not close(case["loss"], loss.item()):
        problems.append(f"loss: ours {case['loss']!r}, torch {loss.item()!r}")
    for rec in case["params"]:
        compare_tensor("grad " + rec["label"], rec["grad"], params[rec["label"]].grad, problems)
    leaves = list(params.values())
    norm = torch.nn.utils.clip_grad_norm_(leaves, case["clip"])
    if not close(case["grad_norm"], norm.item()):
        problems.append(f"grad norm: ours {case['grad_norm']!r}, torch {norm.item()!r}")
    groups = [{"params": [t for t in leaves if t.dim() >= 2], "weight_decay": case["weight_decay"]},
              {"params": [t for t in leaves if t.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=case["lr"], betas=(0.9, 0.999), eps=1e-8)
    opt.step()
    for rec in case["after"]:
        compare_tensor("after AdamW " + rec["label"], rec["data"], params[rec["label"]], problems)
    return problems


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "layers{} heads{} embd{} vocab{} "
                         "context{} B{} T{}".format(*s))
def test_gpt_step_agrees_with_pytorch(gpt_dump, shape):
    case, = cli.run_dump(gpt_dump, *shape)
    problems = replay(case)
    assert not problems, f"loss {case['loss']!r}:\n" + "\n".join(problems)
