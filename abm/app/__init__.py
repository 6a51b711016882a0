"""The browser app: a Solara page to run the model live, one model per visitor.

    abm app                      # or: solara run abm.app.page

Modules:
    scenarios    the presets: every shipped scenario and lesson with a ``[scenario]`` table, and the
                 built-in single-strategy worlds used by the comparison mode
    session      ``Simulation``: the per-visitor models, stepping, the play loop, immutable ``Frame`` s
    chart_view   the parts that change every frame (registry charts drawn by Vega-Lite, the date,
                 the numbers), updated by the frames themselves, not by re-rendering the page
    lesson_view  a lesson's card, its things to try and the comparison a thing to try opens
    seeds        both worlds of a comparison on several seeds, in the background (``abm.runs``)
    links        settings links (the world as a URL query) and back
    exports      the visible charts as PNG, their data as CSV
    page         the Solara page (``Page`` is the app)
    cli          the ``abm app`` command

The charts themselves are the project's chart registry, ``abm.charts``. See ``docs/app.md``.
"""
