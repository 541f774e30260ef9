"""Learning-rate schedules of a run: reduce-on-plateau, or cosine with linear warm-up, per epoch.

The schedule counts epochs, not optimizer steps, so `--accumulate` (fewer, larger steps per
epoch) and the number of ranks leave it unchanged.
"""
from __future__ import annotations

import math

import torch

from vision.train.config import TrainConfig

Scheduler = torch.optim.lr_scheduler.LRScheduler | torch.optim.lr_scheduler.ReduceLROnPlateau


def make_scheduler(config: TrainConfig, optimizer: torch.optim.Optimizer) -> Scheduler | None:
    """The run's scheduler (None for `--scheduler none`)."""
    if config.scheduler == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="max", factor=config.plateau_factor, patience=config.plateau_patience
        )
    if config.scheduler == "cosine":
        warm, total = config.warmup_epochs, config.epochs

        def factor(epoch: int) -> float:  # epoch counts completed epochs
            if epoch < warm:
                return (epoch + 1) / (warm + 1)
            return 0.5 * (1 + math.cos(math.pi * (epoch - warm) / max(1, total - warm)))

        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    return None


def restretch(scheduler: Scheduler | None, optimizer: torch.optim.Optimizer, epoch: int) -> None:
    """On resume, take the next epoch's lr from the (possibly `--epochs`-stretched) schedule, not
    the saved one: a finished cosine run saved lr 0, which would waste an epoch."""
    if isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR):
        for group, base, factor in zip(optimizer.param_groups, scheduler.base_lrs, scheduler.lr_lambdas):
            group["lr"] = base * factor(epoch)


def step_scheduler(scheduler: Scheduler | None, val_top1: float) -> None:
    """Advance one epoch (plateau: on the validation top-1)."""
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(val_top1)
    elif scheduler is not None:
        scheduler.step()
