"""Firm AI-adoption strategies as small policy objects.

A strategy answers a firm's questions, vectorised over all firms that follow it:

* how far to adopt AI (``adoption_appetite`` × the exogenous AI capability),
* how many workers to keep by occupation × seniority (``headcount_target``) and how many to hire
  (``hiring_target``), given labour demand and AI productivity,
* how fast to cut an excess (``layoff_speed``) and how much excess to tolerate,
* what share of an excess to send to retraining instead of laying off (``sponsor_share``).

The phases call only this interface, so adding a strategy means adding a class here, registering
it in ``STRATEGIES`` and giving it a share parameter (``share_<name>``) — no phase changes.

Sources: cutting vs. counter-cyclical junior hiring and recomposition are the strategies the
articles contrast (FACTS.md: "Pipeline", "AI productivity"; seeds/000–002).
"""

from __future__ import annotations

import numpy as np

from abm.params import Params
from abm.world import JUNIOR


class Strategy:
    """Base strategy: adopt AI, take productivity gains as fewer workers, no junior freeze."""

    name = "base"
    label = "Base"
    adoption_appetite = 1.0

    def productivity_to_headcount(self, p: Params) -> float:
        """Share of AI productivity gains taken as fewer workers (the rest as more output)."""
        return 1.0

    def headcount_target(self, demand: np.ndarray, productivity: np.ndarray, base: np.ndarray, p: Params) -> np.ndarray:
        """Workers to keep, (n_firms, O, L): demand in 2022 worker units ÷ realised productivity."""
        share = self.productivity_to_headcount(p)
        return demand / (1.0 + (productivity - 1.0) * share)

    def hiring_target(self, target: np.ndarray, adoption: np.ndarray, base: np.ndarray, p: Params) -> np.ndarray:
        """Headcount the firm hires up to; by default the same as ``target``."""
        return target

    def layoff_speed(self, p: Params) -> float:
        return p.layoff_speed_default

    def layoff_tolerance(self, p: Params) -> float:
        return p.layoff_tolerance

    def sponsor_share(self, p: Params) -> float:
        return 0.0


class NonAdopting(Strategy):
    """Does not adopt AI: headcount follows market demand only."""

    name = "non_adopting"
    label = "Non-adopting"
    adoption_appetite = 0.0


class Cutting(Strategy):
    """Takes AI gains as headcount cuts, fast, and freezes junior hiring once it has adopted."""

    name = "cutting"
    label = "Cutting"

    def hiring_target(self, target, adoption, base, p):
        hire = target.copy()
        frozen = adoption > p.junior_freeze_adoption
        hire[frozen, :, JUNIOR] = 0.0
        return hire

    def layoff_speed(self, p):
        return p.layoff_speed_cutting


class CounterCyclical(Strategy):
    """Keeps hiring and mentoring juniors while they are cheap; cuts slowly; retrains incumbents."""

    name = "counter_cyclical"
    label = "Counter-cyclical"

    def productivity_to_headcount(self, p):
        return p.cc_productivity_to_headcount

    def headcount_target(self, demand, productivity, base, p):
        target = super().headcount_target(demand, productivity, base, p)
        target[:, :, JUNIOR] = np.maximum(target[:, :, JUNIOR], base[:, :, JUNIOR] * p.junior_hiring_boost)
        return target

    def layoff_tolerance(self, p):
        return 2.0 * p.layoff_tolerance

    def sponsor_share(self, p):
        return p.sponsor_share


class Recomposing(Strategy):
    """Cuts substitutable roles, hires AI-complement roles, sends part of the excess to retraining."""

    name = "recomposing"
    label = "Recomposing"

    def sponsor_share(self, p):
        return p.sponsor_share


#: Registered strategies; the index is the firm's ``strategy`` code.
STRATEGIES: tuple[Strategy, ...] = (NonAdopting(), Cutting(), CounterCyclical(), Recomposing())
STRATEGY_NAMES: tuple[str, ...] = tuple(s.name for s in STRATEGIES)


def strategy_shares(p: Params) -> np.ndarray:
    """Share of firms following each registered strategy, from the ``share_<name>`` parameters."""
    return np.array([getattr(p, f"share_{s.name}") for s in STRATEGIES], dtype=float)
