"""The data layer: what goes into a run.

The config (:mod:`.config`), reading exports (:mod:`.reading`), checking them against the data
contract (:mod:`.validation`), the validated :class:`~.programme.Programme`
(:mod:`.programme`), the published figures shipped in ``data/public`` (:mod:`.public`), the
synthetic programme (:mod:`.synth`) and where the project's folders are (:mod:`.paths`).

Imports only :mod:`exitanalysis.errors`, :mod:`exitanalysis.text` and
:mod:`exitanalysis.models` (the prior-weight vocabulary).
"""
