"""Configuration: XDG location, env override, atomic saves, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from mailtriage.checks.atomic import atomic_write_text
from mailtriage.tui.config import Config, ConfigError, config_path, load_config, save_config


def test_env_override_and_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILTRIAGE_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "mailtriage" / "config.toml"
    monkeypatch.setenv("MAILTRIAGE_CONFIG", str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"
    assert load_config() == Config()


def test_round_trip_and_int_to_float(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    save_config(Config(resolver="127.0.0.1:5353", timeout=1.5, offline=True), path)
    assert load_config(path) == Config(resolver="127.0.0.1:5353", timeout=1.5, offline=True)
    path.write_text("timeout = 3\n")
    assert load_config(path).timeout == 3.0
    path.write_text("resolvr = '1.1.1.1'\n")
    with pytest.raises(ConfigError, match="unknown setting 'resolvr'"):
        load_config(path)


@pytest.mark.parametrize("text", ["timeout = [", "offline = 'yes'"])
def test_bad_config_is_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "\n" not in str(err.value)


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    atomic_write_text(path, "first")

    with pytest.raises(TypeError):
        atomic_write_text(path, 42)  # type: ignore[arg-type]
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("text", ["timeout = -1", "deadline = 0", "timeout = nan"])
def test_non_positive_limits_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="positive"):
        load_config(path)
