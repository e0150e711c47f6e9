"""The window's actions and their default shortcuts, as plain data (no Qt).

The menus, the cheat sheet, the shortcut editor and user overrides all read ``SPECS``,
so an action has one name, one shortcut and one place where it is defined. Shortcuts are
Qt "portable text" strings ("Ctrl+Shift+Z"); on macOS Qt shows Ctrl as ⌘. Keeping this
Qt-free lets a plain test check the defaults for duplicates and for keys the operating
system keeps for itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str  # menu text, "&" marks the mnemonic
    shortcuts: tuple[str, ...] = ()  # portable text; the first is shown in menus
    tip: str = ""
    group: str = "General"

    @property
    def plain_text(self) -> str:
        return self.text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "&Open…", ("Ctrl+O",), "Open a letter (PDF or text)", "File"),
    ActionSpec("open_db", "Open &Database…", (), "Use another annotation database", "File"),
    ActionSpec(
        "backup_now",
        "&Back Up Now",
        (),
        "Make a checked copy of the annotation database now",
        "File",
    ),
    ActionSpec(
        "restore_backup",
        "Restore from Bac&kup…",
        (),
        "Replace the annotation database with one of its backups",
        "File",
    ),
    ActionSpec(
        "export_data",
        "Export &Training Data…",
        ("Ctrl+Shift+E",),
        "Export annotations as training data (JSONL, spaCy, CoNLL, Label Studio, …)",
        "File",
    ),
    ActionSpec(
        "export_packet",
        "Export Case &Packet…",
        ("Ctrl+Shift+P",),
        "Write the open letter as a PDF with its annotations highlighted",
        "File",
    ),
    ActionSpec("import_files", "&Import Files…", ("Ctrl+I",), "Add letters to the library", "File"),
    ActionSpec(
        "import_folder",
        "Import &Folder…",
        ("Ctrl+Shift+I",),
        "Add every letter in a folder and its subfolders to the library",
        "File",
    ),
    ActionSpec("quit", "&Quit", ("Ctrl+Q",), "", "File"),
    ActionSpec("undo", "&Undo", ("Ctrl+Z",), "", "Edit"),
    ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "", "Edit"),
    ActionSpec("copy", "&Copy", ("Ctrl+C",), "Copy the selected text", "Edit"),
    ActionSpec("find", "&Find…", ("Ctrl+F",), "Find in the letter", "Edit"),
    ActionSpec("find_next", "Find &Next", ("F3", "Ctrl+G"), "", "Edit"),
    ActionSpec("find_prev", "Find &Previous", ("Shift+F3", "Ctrl+Shift+G"), "", "Edit"),
    ActionSpec(
        "delete_annotation",
        "&Delete Annotation",
        (),
        "Delete the annotation selected in the side panel",
        "Edit",
    ),
    ActionSpec(
        "reattach_annotation",
        "Re-&attach Annotation to Selection",
        ("Ctrl+R",),
        "Attach the annotation chosen under “Needs re-attaching” to the text selected "
        "in the letter",
        "Edit",
    ),
    ActionSpec("manage_labels", "Manage &Labels…", ("Ctrl+L",), "", "Edit"),
    ActionSpec(
        "preferences",
        "Pr&eferences…",
        ("Ctrl+,",),
        "Annotator, labels, theme, font size, shortcuts and backups",
        "Edit",
    ),
    ActionSpec("zoom_in", "Zoom &In", ("Ctrl++", "Ctrl+="), "", "View"),
    ActionSpec("zoom_out", "Zoom &Out", ("Ctrl+-",), "", "View"),
    ActionSpec("fit_width", "Fit &Width", ("Ctrl+0",), "", "View"),
    ActionSpec("fit_page", "Fit &Page", ("Ctrl+9",), "", "View"),
    ActionSpec("go_to_page", "&Go to Page…", ("Ctrl+Alt+G",), "", "View"),
    ActionSpec("prev_page", "Previous Page", ("PgUp",), "", "View"),
    ActionSpec("next_page", "Next Page", ("PgDown",), "", "View"),
    ActionSpec("toggle_panel", "Side &Panel", ("F9",), "Show or hide the side panel", "View"),
    ActionSpec("toggle_library", "&Library", ("F8",), "Show or hide the library", "Library"),
    ActionSpec(
        "next_document",
        "&Next Letter",
        ("Alt+Down",),
        "Open the next letter of the library list",
        "Library",
    ),
    ActionSpec(
        "prev_document",
        "&Previous Letter",
        ("Alt+Up",),
        "Open the previous letter of the library list",
        "Library",
    ),
    ActionSpec(
        "next_unlabeled",
        "Next &Unlabeled Letter",
        ("Alt+Shift+Down",),
        "Open the next letter of the list with no annotations that is not done",
        "Library",
    ),
    ActionSpec(
        "mark_done",
        "Mark Letter &Done",
        ("Ctrl+Shift+D",),
        "Set the open letter's status to done",
        "Library",
    ),
    ActionSpec(
        "statistics",
        "&Statistics…",
        ("Ctrl+Shift+T",),
        "Annotations, progress and outcome rates of the library",
        "Library",
    ),
    ActionSpec("show_case", "&Case", ("Ctrl+1",), "Show the case summary", "View"),
    ActionSpec("show_annotations", "&Annotations", ("Ctrl+2",), "Show the annotations", "View"),
    ActionSpec(
        "copy_summary",
        "Copy Case &Summary",
        ("Ctrl+Shift+C",),
        "Copy a plain-text summary of the case",
        "Edit",
    ),
    ActionSpec(
        "next_suggestion", "&Next Suggestion", ("N",), "Go to the next suggestion", "Suggestions"
    ),
    ActionSpec(
        "prev_suggestion",
        "&Previous Suggestion",
        ("Shift+N",),
        "Go to the previous suggestion",
        "Suggestions",
    ),
    ActionSpec(
        "accept_suggestion",
        "&Accept Suggestion",
        ("Return", "Enter"),
        "Make the current suggestion an annotation",
        "Suggestions",
    ),
    ActionSpec(
        "reject_suggestion",
        "&Reject Suggestion",
        ("Delete",),
        "Discard the current suggestion",
        "Suggestions",
    ),
    ActionSpec(
        "accept_all_label",
        "Accept All of This &Label",
        ("Ctrl+Shift+Return",),
        "Accept every suggestion with the current suggestion's label",
        "Suggestions",
    ),
    ActionSpec(
        "shortcuts_help",
        "&Keyboard Shortcuts",
        ("F1", "?"),
        "Every action with its shortcut, the label keys and the mouse gestures",
        "Help",
    ),
    ActionSpec("about", "&About IMR Desktop", (), "Version, license and notices", "Help"),
)

SPEC_BY_ID: dict[str, ActionSpec] = {spec.id: spec for spec in SPECS}
GROUP_ORDER: tuple[str, ...] = ("File", "Edit", "View", "Library", "Suggestions", "Help")

# Digits 1-9 tag the selection with the label holding that hotkey (see core.labels).
LABEL_KEYS: tuple[str, ...] = tuple(str(d) for d in range(1, 10))

# Keys the desktop takes before the app sees them (or that users expect to keep their
# system meaning). Portable text: on macOS "Ctrl" is ⌘, so the macOS entries are written
# with Ctrl. A shortcut with Meta (the Windows/Super key) is always refused as well.
RESERVED: dict[str, str] = {
    "Alt+F4": "closes the window on Windows and most Linux desktops",
    "Alt+Tab": "switches windows",
    "Alt+Shift+Tab": "switches windows",
    "Alt+Esc": "switches windows on Windows",
    "Alt+Space": "opens the window menu",
    "Alt+F1": "opens the desktop's menu on Linux",
    "Alt+F2": "opens the run dialog on Linux",
    "Alt+F7": "moves the window on Linux",
    "Alt+F8": "resizes the window on Linux",
    "Alt+F10": "maximises the window on Linux",
    "Ctrl+Esc": "opens the Start menu on Windows",
    "Ctrl+Shift+Esc": "opens the Task Manager on Windows",
    "Ctrl+Alt+Del": "is the secure attention key",
    "Ctrl+Alt+Backspace": "can kill the display server on Linux",
    "Ctrl+Alt+T": "opens a terminal on Ubuntu",
    "Ctrl+Alt+L": "locks the screen on Linux",
    "Ctrl+Alt+D": "shows the desktop on Linux (hides the Dock on macOS)",
    "Ctrl+Alt+Left": "switches workspace on Linux",
    "Ctrl+Alt+Right": "switches workspace on Linux",
    "Ctrl+Alt+Up": "switches workspace on Linux",
    "Ctrl+Alt+Down": "switches workspace on Linux",
    "Ctrl+Alt+Esc": "is Force Quit on macOS",
    "Ctrl+Tab": "is the app switcher on macOS (⌘Tab)",
    "Ctrl+Space": "is Spotlight on macOS and the input-method switch on Linux",
    "Ctrl+H": "hides the app on macOS (⌘H)",
    "Ctrl+Alt+H": "hides the other apps on macOS",
    "Ctrl+M": "minimises the window on macOS (⌘M)",
    "Ctrl+`": "cycles windows on macOS",
    "Ctrl+Shift+3": "takes a screenshot on macOS",
    "Ctrl+Shift+4": "takes a screenshot on macOS",
    "Ctrl+Shift+5": "takes a screenshot on macOS",
    "Print": "takes a screenshot",
    "Alt+Print": "takes a screenshot",
    "Shift+Print": "takes a screenshot",
    "Ctrl+Print": "takes a screenshot",
    **{f"Ctrl+Alt+F{n}": "switches to a text console on Linux" for n in range(1, 13)},
}
# Keys kept for one action only: users expect them to mean this and nothing else.
ONLY_FOR: dict[str, str] = {"Ctrl+Q": "quit"}

_MODIFIERS = ("ctrl", "alt", "shift", "meta")
_KEY_ALIASES = {
    "pageup": "pgup",
    "pagedown": "pgdown",
    "pgdn": "pgdown",
    "del": "delete",
    "esc": "escape",
    "ins": "insert",
    "return": "return",
    "control": "ctrl",
    "option": "alt",
    "cmd": "ctrl",
    "super": "meta",
    "win": "meta",
}


def normalize(sequence: str) -> str:
    """A canonical form of one key combination for comparing: "shift+ctrl+z" and
    "Ctrl+Shift+Z" give the same string. The empty string stays empty."""
    text = sequence.strip()
    if not text:
        return ""
    if text.endswith("++"):  # "Ctrl++": the key is "+" itself
        parts, key = text[:-2].split("+"), "+"
    elif text == "+":
        parts, key = [], "+"
    else:
        *parts, key = text.split("+")
    mods = {_KEY_ALIASES.get(p.strip().lower(), p.strip().lower()) for p in parts if p.strip()}
    ordered = [m for m in _MODIFIERS if m in mods] + sorted(mods - set(_MODIFIERS))
    key = _KEY_ALIASES.get(key.strip().lower(), key.strip().lower())
    return "+".join([*ordered, key])


def has_meta(sequence: str) -> bool:
    return "meta" in normalize(sequence).split("+")[:-1]


_RESERVED_NORMAL = {normalize(k): (k, why) for k, why in RESERVED.items()}
_ONLY_FOR_NORMAL = {normalize(k): (k, owner) for k, owner in ONLY_FOR.items()}
_LABEL_KEYS_NORMAL = {normalize(k) for k in LABEL_KEYS}


def effective_shortcuts(spec: ActionSpec, overrides: dict[str, str]) -> tuple[str, ...]:
    """The shortcuts an action has: the user's override ("" = none) or the defaults.

    An override may hold several alternatives separated by "; " (Qt's list format)."""
    if spec.id not in overrides:
        return spec.shortcuts
    return tuple(s.strip() for s in overrides[spec.id].split(";") if s.strip())


def refusal(action_id: str, sequence: str, taken: dict[str, tuple[str, ...]]) -> str | None:
    """Why ``sequence`` cannot be the shortcut of ``action_id``, or None if it can.

    ``taken`` maps every action id to its current shortcuts (the action itself included;
    its own entries are ignored)."""
    key = normalize(sequence)
    if not key:
        return None
    if has_meta(sequence):
        return f"{sequence} uses the Meta (Windows/Super) key, which belongs to the desktop."
    if key in _RESERVED_NORMAL:
        name, why = _RESERVED_NORMAL[key]
        return f"{name} is kept by the operating system: it {why}."
    if key in _ONLY_FOR_NORMAL and _ONLY_FOR_NORMAL[key][1] != action_id:
        name, owner = _ONLY_FOR_NORMAL[key]
        return f"{name} is kept for “{SPEC_BY_ID[owner].plain_text}”."
    if key in _LABEL_KEYS_NORMAL:
        return f"{sequence} tags the selection with the label that has hotkey {key}."
    for other_id, sequences in taken.items():
        if other_id == action_id:
            continue
        if any(normalize(s) == key for s in sequences):
            other = SPEC_BY_ID.get(other_id)
            name = other.plain_text if other else other_id
            group = f" ({other.group})" if other else ""
            return f"{sequence} is already the shortcut of “{name}”{group}."
    return None
