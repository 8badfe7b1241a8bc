"""The text of ``mirror/tables.py``, derived from the SQLModel models (``tests/test_store.py`` compares)."""

from __future__ import annotations

import textwrap

from sqlalchemy import JSON, Boolean

from mirror.columns import ISODate, UTCDateTime
from mirror.fieldwork_models import FIELDWORK_MIRRORED
from mirror.models import MIRRORED

_HEAD = '''"""What saving rows needs to know of each mirrored table, as plain data.

The pull writes through plain ``sqlite3`` (:mod:`mirror.sqlite`), without importing SQLAlchemy
or the SQLModel models, so it cannot ask the models for their tables. This is what it would
ask: each entity's table, the table's columns in order with how a Python value is stored in
each (``name:utc`` a datetime as UTC text, ``:date`` a date as ``YYYY-MM-DD``, ``:json`` JSON
text, ``:bool`` 0/1; plain: as it is), and the value a column takes when a row leaves it out.

Derived from :mod:`mirror.models`: ``tests/test_store.py`` fails when the two disagree and
prints this module's new text (``python -m tests.tables_text`` prints it too).
"""

from __future__ import annotations

'''


def _kind(column_type) -> str:
    if isinstance(column_type, UTCDateTime):
        return ":utc"
    if isinstance(column_type, ISODate):
        return ":date"
    if isinstance(column_type, JSON):
        return ":json"
    if isinstance(column_type, Boolean):
        return ":bool"
    return ""


def _default(field):
    return field.default_factory() if field.default_factory else field.default


def tables_text() -> str:
    models = {**MIRRORED, **FIELDWORK_MIRRORED}
    out = [_HEAD, "#: Mirrored entity (as the pull names it) -> its table: the main pull's, in the order it pulls\n"
                  "#: them, then field work's.\nTABLES: dict[str, str] = {\n"]
    out += [f'    "{e}": "{m.__tablename__}",\n' for e, m in models.items()]
    out.append("}\n\n#: Per table, its columns in order.\nCOLUMNS: dict[str, str] = {\n")
    for model in models.values():
        words = " ".join(c.name + _kind(c.type) for c in model.__table__.c)
        lines = textwrap.wrap(words, 100, break_on_hyphens=False)
        out.append(f'    "{model.__tablename__}": (\n' + "".join(f'        "{line} "\n' for line in lines[:-1])
                   + f'        "{lines[-1]}"\n    ),\n')
    out.append("}\n\n#: Per table, the value a column takes when a row leaves it out (the models' defaults);\n"
               "#: a column not listed takes NULL.\nDEFAULTS: dict[str, dict[str, object]] = {\n")
    for model in models.values():
        defaults = {}
        for column in model.__table__.c:
            field = model.model_fields.get(column.name) or model.model_fields.get(column.name + "_")
            if field is not None and not field.is_required() and _default(field) is not None:
                defaults[column.name] = _default(field)
        items = [f'"{k}":\0{v!r}'.replace("'", '"') for k, v in defaults.items()]  # \0: no break there
        lines = textwrap.wrap(", ".join(items) + ",", 96, break_on_hyphens=False)
        body = "".join(f"        {line}\n".replace("\0", " ") for line in lines)
        out.append(f'    "{model.__tablename__}": {{\n{body}    }},\n')
    out.append("}\n")
    return "".join(out)


if __name__ == "__main__":
    print(tables_text(), end="")
