#!/usr/bin/env python3
"""How far PyTorch's chained warm-up + cosine schedule drifts from Myelin's closed form (--lr-warmup with
--schedule cosine): the largest relative difference over the epochs, for the five settings docs/training.md
quotes. Run: /usr/bin/python3 docs/scripts/warmup_drift.py (needs torch)."""
import math

import torch


def drift(lr, lr_min, epochs, warmup):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    chain = torch.optim.lr_scheduler.ChainedScheduler([
        torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / (warmup + 1), total_iters=warmup),
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=lr_min)])
    worst, at = 0.0, 0
    for e in range(epochs):  # e: finished epochs, as LrSchedule counts them
        torch_lr = opt.param_groups[0]["lr"]
        closed = (lr_min + (lr - lr_min) * (1 + math.cos(math.pi * e / epochs)) / 2) \
            * ((e + 1) / (warmup + 1) if e < warmup else 1)
        if abs(torch_lr / closed - 1) > worst:
            worst, at = abs(torch_lr / closed - 1), e + 1
        opt.step()
        chain.step()
    return worst, at


for setting in [(0.01, 0.002, 10, 3), (0.01, 0.005, 10, 3), (0.01, 0.009, 10, 3), (0.1, 0.01, 15, 5),
                (0.1, 0.02, 6, 3)]:
    worst, at = drift(*setting)
    print("--lr %g --lr-min %g --epochs %d --lr-warmup %d: %.2f %% (epoch %d)" % (setting + (100 * worst, at)))
