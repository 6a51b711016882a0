"""The browser app: a Solara page to run the model live, one model per visitor.

    abm app                      # or: solara run abm.app.page

Modules:
    scenarios   the presets: every ``experiments/*.toml`` with a ``[scenario]`` table, and the
                built-in single-strategy worlds used by the comparison mode
    session     ``Simulation``: the per-visitor models, stepping, and immutable ``Frame`` snapshots
    charts      matplotlib charts drawn from a ``Frame`` (reusing ``abm.plots`` where it fits)
    page        the Solara components (``Page`` is the app)
    cli         the ``abm app`` command

See ``docs/app.md``.
"""
