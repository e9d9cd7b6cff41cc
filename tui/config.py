"""User configuration: a TOML file in the XDG config directory.

The file is ``$XDG_CONFIG_HOME/mailtriage/config.toml`` (``~/.config`` when the
variable is unset). ``MAILTRIAGE_CONFIG`` names another file; the tests use it so they
never read the developer's own settings. A missing file means defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailtriage.checks.dns.resolver import Flights, Resolver

ENV_VAR = "MAILTRIAGE_CONFIG"
DATA_ENV = "MAILTRIAGE_DATA"


class ConfigError(Exception):
    """The configuration file exists but cannot be used (one-line message)."""


@dataclass(frozen=True)
class Config:
    """Settings read from config.toml; every field has a safe default.

    Attributes:
        resolver: ``HOST[:PORT]`` of the DNS server for live checks; "" = system resolvers.
        timeout: Seconds one DNS query may take.
        deadline: Seconds all live checks of one sample may take together.
        offline: Never run live DNS checks.
        theme: Textual theme name.
        notes_dir: Where ticket notes are saved; "" = XDG data dir.
        show_timings: Show DNS round-trip times (off makes screens reproducible).
        dnsbl_zones: DNSBL zones to ask about each sample's connecting IP; none by
            default (many lists refuse public resolvers or need a key).
    """

    resolver: str = ""
    timeout: float = 2.0
    deadline: float = 10.0
    offline: bool = False
    theme: str = "textual-dark"
    notes_dir: str = ""
    show_timings: bool = True
    dnsbl_zones: tuple[str, ...] = ()


def make_resolver(
    server: tuple[str, int] | None, cfg: Config, flights: Flights | None = None
) -> Resolver:
    """A fresh resolver for ``(host, port)`` (``None`` = the system's) with the
    configured per-query timeout and overall deadline, joining ``flights`` when given.

    Raises:
        DnsError: The system resolvers cannot be read, or the limits are invalid.
    """
    from mailtriage.checks.dns.resolver import Resolver  # dnspython loads only when a lookup is due

    hosts = [server[0]] if server else None
    port = server[1] if server else 53
    return Resolver(hosts, port=port, timeout=cfg.timeout, deadline=cfg.deadline, flights=flights)


def config_path() -> Path:
    """Return the config file path, honouring ``MAILTRIAGE_CONFIG`` and XDG."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mailtriage" / "config.toml"


def data_dir() -> Path:
    """Return the data directory: tickets and saved notes live here.

    ``MAILTRIAGE_DATA`` names it (the tests use it so they never touch the developer's
    own tickets); otherwise ``$XDG_DATA_HOME/mailtriage`` (``~/.local/share`` when unset).
    """
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mailtriage"


def load_config(path: Path | None = None) -> Config:
    """Read the configuration; unknown keys, wrong types and bad values raise.

    Raises:
        ConfigError: The file is not valid TOML or a value has the wrong type.
    """
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    import tomllib  # only when there is a file to read

    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8", "replace"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from None
    cfg = Config()
    known = {f.name: f for f in fields(Config)}
    updates: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"config {path}: unknown setting {key!r} (known: {', '.join(known)})")
        default = getattr(cfg, key)
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(default, tuple) and isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise ConfigError(f"config {path}: {key} should be a list of strings")
            value = tuple(value)
        if type(value) is not type(default):
            raise ConfigError(
                f"config {path}: {key} should be {type(default).__name__}, "
                f"not {type(value).__name__}"
            )
        updates[key] = value
    for key in ("timeout", "deadline"):
        value = updates.get(key)
        if value is not None and not value > 0:  # also rejects NaN
            raise ConfigError(f"config {path}: {key} must be a positive number of seconds")
    return replace(cfg, **updates)


def save_config(cfg: Config, path: Path | None = None) -> Path:
    """Write the configuration atomically and return the path written."""
    path = path or config_path()
    data = {f.name: getattr(cfg, f.name) for f in fields(Config)}
    import tomli_w
    from mailtriage.checks.atomic import atomic_write_text  # tempfile, shutil: only to save

    text = tomli_w.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in data.items()})
    atomic_write_text(path, text)
    return path
