"""The package's public surface is explicit and sorted; a change to it is a deliberate one."""

import rar_protocol


def test_public_names_are_pinned():
    assert rar_protocol.__all__ == [
        "InputError",
        "Problem",
        "ReportContext",
        "Review",
        "district_review",
        "finance",
        "inventory",
        "load_review",
        "open_report",
        "outcomes",
        "privacy",
        "protocol",
        "schema",
    ]
    for name in rar_protocol.__all__:
        assert hasattr(rar_protocol, name)
