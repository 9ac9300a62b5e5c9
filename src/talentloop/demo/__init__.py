"""The demo company across every app: ``talentloop demo`` (the story behind the demo accounts) and
``talentloop seed`` (a synthetic company of any size, for benchmarks). It sits at the top of the layers,
beside ``config``, because it composes every app's own ``demo`` module; it owns no data."""
