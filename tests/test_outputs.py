"""The output contract: every documented column is produced and every produced column documented."""

from pathlib import Path

import numpy as np

from abm import LaborMarket, docs, metrics

ROOT = Path(__file__).resolve().parents[1]


def test_tables_match_their_documentation():
    m = LaborMarket(seed=4, n_workers=2000, worker_agents=False).run(14)
    assert list(m.model_metrics().columns) == list(metrics.MODEL_COLUMNS)
    for df, cols, key, n in (
        (m.cluster_metrics(), metrics.CLUSTER_COLUMNS, "cluster", m.world.n_clusters),
        (m.firm_metrics(), metrics.FIRM_COLUMNS, "strategy", 4),
        (m.location_metrics(), metrics.LOCATION_COLUMNS, "location", m.world.n_locations),
        (m.pay_metrics(), metrics.PAY_COLUMNS, "cluster", m.world.n_clusters),
        (m.flow_metrics(), metrics.FLOW_COLUMNS, "from_strategy", 4),
    ):
        assert list(df.columns) == list(cols)
        assert df[key].nunique() == n
        assert len(df) % 15 == 0 and df["month"].max() == 14


def test_cluster_stocks_add_up_to_model_stocks():
    m = LaborMarket(seed=4, n_workers=2000, worker_agents=False).run(6)
    cm = m.cluster_metrics().groupby("month")[["employed", "unemployed", "vacancies"]].sum()
    md = m.model_metrics()
    assert (cm["employed"].to_numpy() == md["employed"].to_numpy()).all()
    assert (cm["unemployed"].to_numpy() == md["unemployed"].to_numpy()).all()
    assert (cm["vacancies"].to_numpy() == md["vacancies"].to_numpy()).all()
    fm = m.firm_metrics().groupby("month")["headcount"].sum()
    assert np.allclose(fm.to_numpy()[1:], md["employed"].to_numpy()[1:])


def test_generated_docs_are_current():
    assert (ROOT / "docs" / "parameters.md").read_text() == docs.parameters_md(), "run: python -m abm.docs"
    assert (ROOT / "docs" / "outputs.md").read_text() == docs.outputs_md(), "run: python -m abm.docs"


def test_agents_are_views_on_the_state():
    from abm import Firm, Worker

    m = LaborMarket(seed=4, n_workers=1000).run(3)
    workers = m.agents_by_type[Worker]
    assert len(workers) == m.workers.n
    w = next(iter(workers))
    assert w.wage == m.workers.wage[w.index] and w.seniority in ("junior", "mid", "senior", "staff")
    firms = m.agents_by_type[Firm]
    assert sum(f.headcount for f in firms) == m.current["employed"]
    unemployed = workers.select(lambda a: a.state.name == "UNEMPLOYED")
    assert len(unemployed) == m.current["unemployed"]
