"""The package's public names are exactly `__all__`, derived from the module, not a second hand-written list."""

import types

import rar_protocol


def test_all_exports_the_public_names_sorted():
    public = sorted(name for name, value in vars(rar_protocol).items() if not name.startswith("_") and not isinstance(value, types.ModuleType))
    assert sorted(rar_protocol.__all__) == public, "public names of rar_protocol not in __all__ (or in __all__ but not public)"
    assert rar_protocol.__all__ == sorted(rar_protocol.__all__), "__all__ is not sorted"
    assert len(set(rar_protocol.__all__)) == len(rar_protocol.__all__), "a name is in __all__ twice"


def test_every_name_in_all_exists():
    missing = [name for name in rar_protocol.__all__ if name not in vars(rar_protocol)]
    assert not missing, missing


def test_star_import_gives_exactly_all():
    namespace: dict[str, object] = {}
    exec("from rar_protocol import *", namespace)
    assert sorted(name for name in namespace if name != "__builtins__") == sorted(rar_protocol.__all__)
