"""The default shortcuts, checked without Qt: no duplicates, nothing the OS keeps."""

from __future__ import annotations

import subprocess
import sys

import pytest

from imr_desktop.core import keymap
from imr_desktop.core.keymap import SPECS, effective_shortcuts, normalize, refusal

DEFAULTS = {spec.id: spec.shortcuts for spec in SPECS}


def test_keymap_needs_no_qt() -> None:
    # the CLI and the core read the registry; importing it must not pull Qt in
    code = (
        "import sys, imr_desktop.core.keymap; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_action_ids_are_unique_and_grouped() -> None:
    ids = [spec.id for spec in SPECS]
    assert len(ids) == len(set(ids))
    assert {spec.group for spec in SPECS} <= set(keymap.GROUP_ORDER)


def test_no_default_shortcut_is_used_twice() -> None:
    seen: dict[str, str] = {}
    for spec in SPECS:
        for seq in spec.shortcuts:
            key = normalize(seq)
            assert key not in seen, f"{seq} is the default of both {seen[key]} and {spec.id}"
            seen[key] = spec.id


def test_no_default_shortcut_is_reserved_by_the_os() -> None:
    reserved = {normalize(k) for k in keymap.RESERVED}
    for spec in SPECS:
        for seq in spec.shortcuts:
            assert normalize(seq) not in reserved, (spec.id, seq)
            assert not keymap.has_meta(seq), (spec.id, seq)
            assert normalize(seq) not in {normalize(d) for d in keymap.LABEL_KEYS}, spec.id
            # and the defaults pass the same check the shortcut editor applies
            assert refusal(spec.id, seq, DEFAULTS) is None, (spec.id, seq)


def test_ctrl_q_is_quit_only() -> None:
    assert "Ctrl+Q" in keymap.SPEC_BY_ID["quit"].shortcuts
    message = refusal("find", "Ctrl+Q", DEFAULTS)
    assert message is not None and "Quit" in message


@pytest.mark.parametrize(
    ("sequence", "needle"),
    [
        ("Alt+F4", "operating system"),
        ("alt+tab", "operating system"),
        ("Ctrl+Alt+Delete", "operating system"),
        ("Ctrl+Alt+T", "terminal"),
        ("Meta+E", "Meta"),
        ("Shift+Meta+Left", "Meta"),
        ("Ctrl+F", "Find"),  # another action's default
        ("4", "hotkey 4"),  # a label key
    ],
)
def test_refusals_say_why(sequence: str, needle: str) -> None:
    message = refusal("open_db", sequence, DEFAULTS)
    assert message is not None and needle in message, message


def test_normalize_ignores_order_case_and_aliases() -> None:
    assert normalize("shift+ctrl+z") == normalize("Ctrl+Shift+Z")
    assert normalize("Ctrl+PageUp") == normalize("Ctrl+PgUp")
    assert normalize("Ctrl++") == "ctrl++"
    assert normalize("Ctrl+=") != normalize("Ctrl++")
    assert normalize("") == ""


def test_overrides_replace_defaults_and_can_clear() -> None:
    spec = keymap.SPEC_BY_ID["redo"]
    assert effective_shortcuts(spec, {}) == ("Ctrl+Shift+Z", "Ctrl+Y")
    assert effective_shortcuts(spec, {"redo": "Ctrl+R"}) == ("Ctrl+R",)
    assert effective_shortcuts(spec, {"redo": ""}) == ()
    assert effective_shortcuts(spec, {"redo": "F5; Ctrl+R"}) == ("F5", "Ctrl+R")
