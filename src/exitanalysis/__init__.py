"""exitanalysis: early, quantified and repeatable evaluation of exit programmes.

>>> import exitanalysis as xa
>>> config = xa.load_config("configs/exitpakke.yaml")  # doctest: +SKIP
>>> programme = xa.load_programme(config)  # doctest: +SKIP

The names of ``xa.*`` are listed in ``__init__.pyi`` and imported on first use, so that
``import exitanalysis`` costs milliseconds: a notebook pays for pandera, scipy or matplotlib
only when it calls something that needs them. The layers behind these names are described
in ``docs/architecture.md``.
"""

from __future__ import annotations

import lazy_loader

_lazy_getattr, _, _public = lazy_loader.attach_stub(__name__, __file__)
__all__ = [*_public, "__version__"]


def __dir__() -> list[str]:
    return [*__all__]


def __getattr__(name: str) -> object:  # (typing is not imported: it costs 10 ms)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("exitanalysis")
        except PackageNotFoundError:  # running from a source tree without installing
            found = "0.0.0+unknown"
        globals()["__version__"] = found
        return found
    return _lazy_getattr(name)
