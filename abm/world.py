"""The world the agents live in: skill clusters, occupations, seniority levels and locations.

Everything here is *data* read from the CSV files shipped in ``abm/data`` (each value's source is
in ``abm/data/SOURCES.md``). The one piece of logic is the **skill gap**, the measure that drives
both matching (a worker is eligible for a job when the gap is small) and retraining (time grows
with the gap):

    gap(s, p) = Σ_k p_k · max(0, p_k − s_k) / Σ_k p_k²        ∈ [0, 1]

where ``p`` is the skill profile a job requires and ``s`` the worker's skills, both over the skill
clusters. A worker with ``s ≥ p`` everywhere has gap 0; a worker with none of the skills has gap 1.
The skill distance between two occupations is the gap of one's profile to the other's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import numpy as np
import pandas as pd

LEVELS = ("junior", "mid", "senior", "staff")
N_LEVELS = len(LEVELS)
JUNIOR, MID, SENIOR, STAFF = range(N_LEVELS)


def cell_index(firm: np.ndarray, occupation: np.ndarray, level: np.ndarray, n_occupations: int) -> np.ndarray:
    """Flat index of the (firm, occupation, seniority level) cell: ``(firm · O + occupation) · N_LEVELS + level``.

    The layout of every firm × occupation × level array (``shape (n_firms, O, N_LEVELS)``), so
    ``np.bincount(cell_index(...), minlength=n_firms * O * N_LEVELS)`` counts workers or jobs by cell.
    """
    return (np.asarray(firm).astype(np.int64) * n_occupations + occupation) * N_LEVELS + level


def cell_parts(cell: np.ndarray, n_occupations: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (firm, occupation, level) of flat cell indices: the inverse of :func:`cell_index`."""
    firm, rest = np.divmod(np.asarray(cell), n_occupations * N_LEVELS)
    occupation, level = np.divmod(rest, N_LEVELS)
    return firm, occupation, level


def _read(name: str) -> pd.DataFrame:
    with resources.files("abm.data").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def skill_gap(skills: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    """Skill gap of each worker (rows of ``skills``, shape (n, K)) to each profile (shape (m, K)).

    Returns an (n, m) float32 array in [0, 1]; see the module docstring for the formula.
    """
    skills = np.asarray(skills, dtype=np.float32)
    profiles = np.asarray(profiles, dtype=np.float32)
    norm = (profiles**2).sum(axis=1)  # (m,)
    shortfall = np.maximum(profiles[None, :, :] - skills[:, None, :], 0.0)  # (n, m, K)
    return np.einsum("nmk,mk->nm", shortfall, profiles) / norm


def skill_gap_rows(skills: np.ndarray, profiles: np.ndarray, norm: np.ndarray | None = None) -> np.ndarray:
    """Skill gap of each worker (row of ``skills``) to its own profile (same row of ``profiles``);
    ``norm``, each profile's squared length, when the caller has it."""
    if norm is None:
        norm = (profiles**2).sum(axis=1)
    shortfall = profiles - skills
    np.maximum(shortfall, 0.0, out=shortfall)
    shortfall *= profiles
    return shortfall.sum(axis=1) / norm


@dataclass(frozen=True)
class World:
    """Skill clusters, occupations, seniority levels and locations as arrays."""

    clusters: pd.DataFrame
    occupations: pd.DataFrame
    seniority: pd.DataFrame
    locations: pd.DataFrame

    @classmethod
    def load(cls) -> World:
        clusters = _read("clusters.csv")
        occupations = _read("occupations.csv")
        seniority = _read("seniority.csv")
        locations = _read("locations.csv")
        world = cls(clusters, occupations, seniority, locations)
        world.validate()
        return world

    def validate(self) -> None:
        """Check the shipped data is coherent (shares sum to one, profiles non-empty)."""
        for table, col in (
            (self.occupations, "employment_share"),
            (self.occupations, "graduate_share"),
            (self.locations, "workforce_share"),
            (self.locations, "firm_share"),
            (self.seniority, "workforce_share"),
        ):
            total = float(table[col].sum())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"world data: {col} sums to {total}, must sum to 1")
        if (self.profiles.sum(axis=1) <= 0).any():
            raise ValueError("world data: an occupation has an empty skill profile")
        if self.n_occupations > 32:
            raise ValueError("world data: at most 32 occupations (eligibility is cached as 64 bits)")
        if list(self.seniority["level"]) != list(LEVELS):
            raise ValueError(f"world data: seniority levels must be {LEVELS}")

    # --- names -------------------------------------------------------------------------------
    @cached_property
    def cluster_names(self) -> list[str]:
        return list(self.clusters["cluster"])

    @cached_property
    def occupation_names(self) -> list[str]:
        return list(self.occupations["occupation"])

    @cached_property
    def location_names(self) -> list[str]:
        return list(self.locations["location"])

    @property
    def n_clusters(self) -> int:
        return len(self.clusters)

    @property
    def n_occupations(self) -> int:
        return len(self.occupations)

    @property
    def n_locations(self) -> int:
        return len(self.locations)

    # --- arrays ------------------------------------------------------------------------------
    @cached_property
    def profiles(self) -> np.ndarray:
        """(O, K) skill profile each occupation requires."""
        return self.occupations[self.cluster_names].to_numpy(np.float32)

    @cached_property
    def occupation_cluster(self) -> np.ndarray:
        """(O,) the primary skill cluster of each occupation (largest profile entry)."""
        return self.profiles.argmax(axis=1).astype(np.int16)

    @cached_property
    def ai_cluster(self) -> int:
        return int(np.flatnonzero(self.clusters["ai_cluster"].to_numpy() == 1)[0])

    @cached_property
    def is_ai_occupation(self) -> np.ndarray:
        """(O,) occupations whose primary cluster is ML/AI."""
        return self.occupation_cluster == self.ai_cluster

    @cached_property
    def premium_reference(self) -> np.ndarray:
        """(O,) non-AI occupations paid as software developers (SOC 15-1252): the AI premium's comparison group."""
        return (self.occupations["soc_code"].to_numpy() == "15-1252") & ~self.is_ai_occupation

    @cached_property
    def premium_group(self) -> np.ndarray:
        """(O,) 1 for ML/AI occupations, 2 for the AI premium's reference developers, 0 otherwise."""
        return np.where(self.is_ai_occupation, 1, np.where(self.premium_reference, 2, 0)).astype(np.int64)

    @cached_property
    def legacy_clusters(self) -> np.ndarray:
        """Indices of the legacy-exposed skill clusters (``legacy_exposed`` in clusters.csv): the roles
        the articles name among those AI exposes most (QA, program management, docs, generalist front-end)."""
        return np.flatnonzero(self.clusters["legacy_exposed"].to_numpy() == 1)

    @cached_property
    def legacy_cluster_names(self) -> tuple[str, ...]:
        """Names of :attr:`legacy_clusters`, in the data's order."""
        return tuple(self.cluster_names[i] for i in self.legacy_clusters)

    @cached_property
    def base_pay(self) -> np.ndarray:
        """(O, L) annual pay in 2022 US dollars at national level, by occupation × seniority."""
        return self.occupations[[f"pay_{lv}" for lv in LEVELS]].to_numpy(np.float64)

    @cached_property
    def ai_substitution(self) -> np.ndarray:
        return self.occupations["ai_substitution"].to_numpy(np.float64)

    @cached_property
    def ai_complementarity(self) -> np.ndarray:
        return self.occupations["ai_complementarity"].to_numpy(np.float64)

    @cached_property
    def level_substitution_scale(self) -> np.ndarray:
        return self.seniority["ai_substitution_scale"].to_numpy(np.float64)

    @cached_property
    def skill_proficiency(self) -> np.ndarray:
        """(L,) skill level relative to the occupation profile, by seniority."""
        return self.seniority["skill_proficiency"].to_numpy(np.float32)

    @cached_property
    def months_to_promotion(self) -> np.ndarray:
        return self.seniority["months_to_promotion"].to_numpy(np.int32)

    @cached_property
    def promotion_hazard(self) -> np.ndarray:
        return self.seniority["promotion_hazard"].to_numpy(np.float64)

    @cached_property
    def graduate_share(self) -> np.ndarray:
        return self.occupations["graduate_share"].to_numpy(np.float64)

    @cached_property
    def workforce_share(self) -> np.ndarray:
        """(M,) share of workers living in each location."""
        return self.locations["workforce_share"].to_numpy(np.float64)

    @cached_property
    def pay_index(self) -> np.ndarray:
        """(M,) local pay relative to the US national median."""
        return self.locations["pay_index"].to_numpy(np.float64)

    @cached_property
    def region_codes(self) -> np.ndarray:
        """(M,) 0 for US metros, 1 nearshore, 2 offshore."""
        mapping = {"us": 0, "nearshore": 1, "offshore": 2}
        return self.locations["region"].map(mapping).to_numpy(np.int8)

    @cached_property
    def occupation_distance(self) -> np.ndarray:
        """(O, O) skill gap from occupation i's profile to occupation j's requirements."""
        return skill_gap(self.profiles, self.profiles)
