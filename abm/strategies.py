"""Firm AI-adoption strategies as small policy objects.

A strategy answers a firm's questions, vectorised over all firms that follow it:

* how far to adopt AI (``adoption_appetite`` × the exogenous AI capability),
* how many workers to keep by occupation × seniority (``headcount_target``) and how many to hire
  (``hiring_target``), given labour demand and AI productivity,
* how fast to cut an excess (``layoff_speed``) and how much excess to tolerate,
* what share of an excess to send to retraining instead of laying off (``sponsor_share``).

Each strategy also carries its identity — ``name`` (the code used in tables and files), ``label``
(for people), ``colour`` (Okabe & Ito's colour-blind-safe palette, one colour per strategy) and a
one-line ``description`` — so charts, the app and reports read them from here.

The phases call only this interface, so adding a strategy means adding a class here, registering
it in ``STRATEGIES`` and giving it a share parameter (``share_<name>``, its :attr:`Strategy.share`)
in :class:`abm.params.Params` — no phase changes. The share names of ``abm.params.STRATEGY_SHARES``
are derived from this registry, in its order.

Sources: cutting vs. counter-cyclical junior hiring and recomposition are the strategies the
articles contrast (FACTS.md: "Pipeline", "AI productivity"; seeds/000–002).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.world import JUNIOR

if TYPE_CHECKING:  # params.py derives its share names from this registry: no import at run time
    from abm.params import Params

#: The Okabe & Ito (2008) colour-blind-safe palette ("Color Universal Design").
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}


class Strategy:
    """Base strategy: adopt AI, take productivity gains as fewer workers, no junior freeze."""

    name = "base"
    label = "Base"
    colour = OKABE_ITO["black"]
    description = "Adopts AI and takes the productivity gains as fewer workers."
    adoption_appetite = 1.0

    @property
    def share(self) -> str:
        """The parameter that sets the share of firms following this strategy."""
        return f"share_{self.name}"

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
    colour = OKABE_ITO["black"]
    description = "Does not adopt AI: headcount follows market demand only."
    adoption_appetite = 0.0


class Cutting(Strategy):
    """Takes AI gains as headcount cuts, fast, and freezes junior hiring once it has adopted."""

    name = "cutting"
    label = "Cutting"
    colour = OKABE_ITO["vermillion"]
    description = "Takes AI productivity gains as headcount cuts and freezes junior hiring."

    def hiring_target(self, target: np.ndarray, adoption: np.ndarray, base: np.ndarray, p: Params) -> np.ndarray:
        hire = target.copy()
        frozen = adoption > p.junior_freeze_adoption
        hire[frozen, :, JUNIOR] = 0.0
        return hire

    def layoff_speed(self, p: Params) -> float:
        return p.layoff_speed_cutting


class CounterCyclical(Strategy):
    """Keeps hiring and mentoring juniors while they are cheap; cuts slowly; retrains incumbents."""

    name = "counter_cyclical"
    label = "Counter-cyclical"
    colour = OKABE_ITO["bluish_green"]
    description = "Keeps hiring and mentoring juniors while they are cheap."

    def productivity_to_headcount(self, p: Params) -> float:
        return p.cc_productivity_to_headcount

    def headcount_target(self, demand: np.ndarray, productivity: np.ndarray, base: np.ndarray, p: Params) -> np.ndarray:
        target = super().headcount_target(demand, productivity, base, p)
        target[:, :, JUNIOR] = np.maximum(target[:, :, JUNIOR], base[:, :, JUNIOR] * p.junior_hiring_boost)
        return target

    def layoff_tolerance(self, p: Params) -> float:
        return 2.0 * p.layoff_tolerance

    def sponsor_share(self, p: Params) -> float:
        return p.sponsor_share


class Recomposing(Strategy):
    """Cuts substitutable roles, hires AI-complement roles, sends part of the excess to retraining."""

    name = "recomposing"
    label = "Recomposing"
    colour = OKABE_ITO["blue"]
    description = "Cuts substitutable roles, hires AI-complement roles and retrains incumbents."

    def sponsor_share(self, p: Params) -> float:
        return p.sponsor_share


#: Registered strategies; the index is the firm's ``strategy`` code.
STRATEGIES: tuple[Strategy, ...] = (NonAdopting(), Cutting(), CounterCyclical(), Recomposing())
STRATEGY_NAMES: tuple[str, ...] = tuple(s.name for s in STRATEGIES)
BY_NAME: dict[str, Strategy] = {s.name: s for s in STRATEGIES}


def strategy_shares(p: Params) -> np.ndarray:
    """Share of firms following each registered strategy, from the ``share_<name>`` parameters."""
    return np.array([getattr(p, s.share) for s in STRATEGIES], dtype=float)
