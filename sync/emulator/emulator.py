"""The :class:`Emulator`: seeded state + API + faults + live changes + HTTP server, in one object.

Constructing it prepares the state (seeding it, or reusing a state file seeded with the same
parameters); :meth:`Emulator.start` serves it on 127.0.0.1 from a background thread. Tests and
the demo drive it through the methods below, which act directly on the running instance; a
separate process is driven through the same operations over ``/_emulator`` (see ``process.py``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.emulator.api import API_PREFIX, Api
from sync.emulator.auth import Sessions
from sync.emulator.content import URL_BASE
from sync.emulator.control import Control
from sync.emulator.entities import ENTITIES, resolve
from sync.emulator.faults import FaultConfig, FaultInjector
from sync.emulator.live import LiveStream, Mutator
from sync.emulator.seed import fingerprint, load_plant, rng_for, seed_store
from sync.emulator.server import CONTROL_PREFIX, EmulatorHTTPServer
from sync.emulator.stats import Stats
from sync.emulator.store import Store
from sync.emulator.values import iso, resolve_epoch
from sync.emulator.writes import Writes

DEFAULT_EMAIL = "demo@upkeep.local"
DEFAULT_PASSWORD = "demo"


class Emulator:
    """An UpKeep API v2 account on 127.0.0.1, seeded deterministically from ``seed``.

    ``work_orders`` sets the scale (other entities follow proportionally). ``state`` is the SQLite
    file to keep the account in (default: a temporary file removed on :meth:`stop`); an existing
    file seeded with the same seed, scale, epoch and email is reused unless ``fresh``. ``port=0``
    picks a free port. ``max_page_size`` caps the objects one list answer carries, whatever
    ``limit`` asks (UpKeep's is 100, as integrators report; 50 plays a server that serves fewer).
    """

    def __init__(
        self,
        seed: int = 1,
        work_orders: int = 500,
        *,
        state: str | Path | None = None,
        fresh: bool = False,
        epoch: str | datetime | None = None,
        email: str = DEFAULT_EMAIL,
        password: str = DEFAULT_PASSWORD,
        token_ttl_s: float = 3600.0,
        changes_per_second: float = 0.0,
        faults: FaultConfig | None = None,
        default_limit: int = 100,
        max_page_size: int = 100,
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        if work_orders < 0:
            raise ValueError("work_orders must not be negative")
        if default_limit < 1 or max_page_size < 1:
            raise ValueError("default_limit and max_page_size must be at least 1")
        self.seed = seed
        self.work_orders = work_orders
        self.epoch = resolve_epoch(epoch)
        self.email, self.password = email, password
        self.requested_port = port
        self.verbose = verbose
        self.offline = False
        self._tmpdir: str | None = None
        if state:
            self.state_path = Path(state)
        else:
            self._tmpdir = tempfile.mkdtemp(prefix="upkeep-emulator-")
            self.state_path = Path(self._tmpdir) / "state.db"
        self.store = Store(self.state_path)
        try:
            if self.store.is_foreign():
                raise ValueError(f"{self.state_path} is not an emulator state file; refusing to overwrite it")
            expected = fingerprint(seed=seed, work_orders=work_orders, epoch=self.epoch, email=email)
            self.reused = not fresh and self.store.meta("fingerprint") == expected
            if self.reused:
                self.plant = load_plant(self.store, self.epoch, email)
            else:
                self.plant = seed_store(
                    self.store, seed=seed, work_orders=work_orders, epoch=self.epoch, email=email
                )
        except BaseException:
            self.store.close()
            if self._tmpdir:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
            raise
        run = int(self.store.meta("runs") or 0) + 1
        self.store.set_meta("runs", str(run))
        # A reused state must not replay the previous run's id sequence.
        self.sessions = Sessions(email, password, token_ttl_s)
        self.api = Api(
            self.store,
            self.sessions,
            Writes(self.store, rng_for(seed, f"api:{run}")),
            default_limit=default_limit,
            max_page_size=max_page_size,
            forbidden=lambda entity: entity in self.faults.config.forbidden_entities,
        )
        self.mutator = Mutator(self.store, self.plant, rng_for(seed, f"live:{run}"))
        self.live = LiveStream(self.mutator)
        self.faults = FaultInjector(faults)
        self.stats = Stats()
        self.control = Control(self)
        self._initial_rate = changes_per_second
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Serve on 127.0.0.1 from a daemon thread; returns self."""
        if self._server is not None:
            return self
        self._server = EmulatorHTTPServer(self.requested_port, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="upkeep-emulator",
            daemon=True,
        )
        self._thread.start()
        if self._initial_rate:
            self.live.set_rate(self._initial_rate)
        return self

    def stop(self) -> None:
        """Stop the stream and the server, close the state, delete it if it was temporary."""
        if self._closed:
            return
        self._closed = True
        self.live.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_all()
            self._server.server_close()
            assert self._thread is not None  # start() made it with the server
            self._thread.join(timeout=5)
        self.store.close()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (the API is under ``/api/v2``, control under ``/_emulator``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def control_url(self) -> str:
        return self.base_url + CONTROL_PREFIX

    @property
    def credentials(self) -> tuple[str, str]:
        return self.email, self.password

    # -- switches -------------------------------------------------------------------------------

    def set_offline(self, offline: bool = True) -> None:
        """Offline: every ``/api/v2`` request (also on a kept-alive connection) has its connection
        reset without an answer; ``/_emulator`` keeps answering."""
        self.offline = offline

    def set_faults(self, config: FaultConfig | None = None, **settings: Any) -> FaultConfig:
        """Replace all fault settings: a :class:`FaultConfig`, or its fields as keywords (none = no
        faults). Restarts the fault rng from the config's ``seed``."""
        config = config or FaultConfig.from_dict(settings)
        self.faults.configure(config)
        return config

    def set_max_page_size(self, size: int) -> None:
        """Serve at most ``size`` objects per list answer from now on (a larger ``limit`` is clamped)."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError("max_page_size must be an integer of at least 1")
        self.api.max_page_size = size

    @property
    def max_page_size(self) -> int:
        return self.api.max_page_size

    def set_live_rate(self, changes_per_second: float) -> None:
        """Start, retune or (0) stop the background stream of random changes."""
        self.live.set_rate(changes_per_second)

    def expire_sessions(self) -> int:
        """Expire every session token now (the next call with one gets 401)."""
        return self.sessions.expire_all()

    # -- data -----------------------------------------------------------------------------------

    def mutate(
        self,
        count: int | None = None,
        *,
        op: str | None = None,
        entity: str | None = None,
        id: str | None = None,
        fields: dict[str, Any] | None = None,
        at: int | None = None,
    ) -> list[dict]:
        """Apply ``count`` random live-style changes, or one specific change (``op`` = update,
        create or delete on ``entity``/``id`` with ``fields``); ``at`` (ms) replaces the wall clock
        as the change's ``updatedAt``. Returns ``[{"op", "entity", "id", ...}]``."""
        if op is None:
            return self.mutator.random_changes(1 if count is None else int(count), at=at)
        if entity is None:
            raise ValueError("a specific change needs an entity")
        return [self.mutator.apply(op, entity, id, fields, at=at)]

    def dump_json(self, entity: str) -> Iterator[str]:
        """Every stored object of ``entity`` as JSON text, in id order (file URLs as served)."""
        for text in self.store.iter_payloads(resolve(entity)):
            yield self._served(text)

    def _served(self, text: str) -> str:
        """Stored JSON with the file-URL placeholder replaced by this server's address, as answered."""
        if URL_BASE in text and self._server is not None:
            return text.replace(URL_BASE, self.base_url)
        return text

    def dump(self, entity: str) -> list[dict]:
        """Every object of ``entity`` (``work_orders`` or ``work-orders``...) as the API returns it."""
        return [json.loads(text) for text in self.dump_json(entity)]

    def get(self, entity: str, obj_id: str) -> dict | None:
        text = self.store.get_text(resolve(entity), obj_id)
        return None if text is None else json.loads(self._served(text))

    def messages(self, work_order_id: str) -> list[dict]:
        """Messages posted to a work order through ``update-messages``, oldest first."""
        return self.store.messages(work_order_id)

    def form_items(self, work_order_id: str) -> list[dict]:
        """A work order's form items (its checklist) as ``includes=formItems`` returns them."""
        return self.store.form_items(work_order_id)

    def downtime_events(self, asset_id: str | None = None) -> list[dict]:
        """Downtime events recorded through ``POST /assets/downtime`` (of one asset), oldest first."""
        return self.store.downtime_events(asset_id)

    def file_bytes(self, file_id: str) -> bytes | None:
        """The whole content of a file (generated or uploaded); None if there is no such file."""
        from sync.emulator.content import generated_range

        found = self.store.file_content(file_id)
        if found is None:
            return None
        size, mime, data = found
        return data if data is not None else b"".join(generated_range(file_id, size, mime))

    def counts(self) -> dict[str, int]:
        return {name: self.store.count(spec) for name, spec in ENTITIES.items()}

    def info(self) -> dict:
        return {
            "seed": self.seed,
            "workOrders": self.work_orders,
            "epoch": iso(self.epoch),
            "state": str(self.state_path),
            "reused": self.reused,
            "apiUrl": self.api_url if self._server else None,
            "email": self.email,
            "password": self.password,
            "offline": self.offline,
            "faults": self.faults.config.to_dict(),
            "changesPerSecond": self.live.rate,
            "maxPageSize": self.api.max_page_size,
            "counts": self.counts(),
        }
