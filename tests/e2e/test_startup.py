"""Start-up and shutdown as an operator sees them: `python -m bot bot` against the fake Bot API.
Every failure ends in one clear last line naming the cause, never a traceback with the token."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from testkit.bot_harness import SECRETARIAT_ID
from testkit.fake_telegram import FakeTelegram

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]


async def start_bot(server: FakeTelegram, tmp_path: Path, **env: str) -> asyncio.subprocess.Process:
    """The bot as a process, pointed at the fake server and a SQLite file, without any .env."""
    values = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "TELEGRAM_API_FILE_URL": server.base_file_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "LOG_LEVEL": "INFO",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "bot",
        cwd=tmp_path,
        env=values,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def finished(process: asyncio.subprocess.Process, timeout: float = 90.0) -> tuple[int, str]:
    """Wait for the process to end by itself; its exit code and stderr."""
    try:
        _, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the bot did not stop by itself") from None
    assert process.returncode is not None
    return process.returncode, err.decode()


def last_line(stderr: str) -> str:
    """The last line the process wrote."""
    return stderr.strip().splitlines()[-1]


async def test_rejected_token_ends_in_one_clear_line_without_the_token(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        token = server.token
        process = await start_bot(
            server, tmp_path, TELEGRAM_BOT_TOKEN="999999:revoked-" + token.split(":")[1]
        )
        code, err = await finished(process)
    assert code != 0
    assert "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized)" in last_line(err)
    assert "revoked-" not in err


async def test_unreachable_base_url_is_named(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        process = await start_bot(server, tmp_path, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
        code, err = await finished(process)
    assert code != 0
    assert "cannot reach the Bot API at TELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot" in (
        last_line(err)
    )
    assert server.token not in err


async def test_base_url_answering_404_is_named(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        process = await start_bot(
            server, tmp_path, TELEGRAM_API_BASE_URL=server.root_url + "/nope/bot"
        )
        code, err = await finished(process)
    assert code != 0
    assert "answered 404 Not Found: the base URL is wrong" in last_line(err)
    assert server.token not in err


async def test_unreachable_database_names_the_real_cause_not_the_travellers_message(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as server:
        process = await start_bot(
            server, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/missing-folder/bot.sqlite3"
        )
        code, err = await finished(process)
    assert code != 0
    line = last_line(err)
    assert "database unreachable" in line and "unable to open database file" in line
    assert "opslag" not in err


async def test_database_password_is_never_logged(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        url = "postgresql+psycopg://reisverslag:Geheim-Wachtwoord@127.0.0.1:9/reisverslag"
        process = await start_bot(server, tmp_path, DATABASE_URL=url)
        code, err = await finished(process)
    assert code != 0
    assert "database unreachable (postgresql+psycopg://reisverslag:***@127.0.0.1:9" in (
        last_line(err)
    )
    assert "Geheim-Wachtwoord" not in err


async def test_unknown_secretariat_chat_stops_the_start(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        process = await start_bot(server, tmp_path, SECRETARIAT_CHAT_ID="-100999")
        code, err = await finished(process)
    assert code != 0
    assert "secretariat chat missing: SECRETARIAT_CHAT_ID=-100999 cannot be reached" in (
        last_line(err)
    )


async def test_webhook_without_secret_refuses_to_start(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        process = await start_bot(server, tmp_path, WEBHOOK_URL="https://bot.example/telegram")
        code, err = await finished(process)
        assert server.calls_to("setWebhook") == []
    assert code != 0
    assert "WEBHOOK_SECRET_TOKEN is empty: refusing to start" in last_line(err)


async def test_token_revoked_while_running_exits_non_zero(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        process = await start_bot(server, tmp_path, TOKEN_CHECK_SECONDS="0.5")
        await server.wait_for_call("getUpdates", timeout=60, answered=False)
        assert process.returncode is None  # running and polling
        server.token = "111111:a-new-token-after-revoking"
        code, err = await finished(process, timeout=30)
    assert code != 0
    assert "Telegram rejected TELEGRAM_BOT_TOKEN while running" in last_line(err)


async def test_missing_secretariat_chat_id_is_warned_about(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        process = await start_bot(server, tmp_path, TOKEN_CHECK_SECONDS="0.5")
        await server.wait_for_call("getUpdates", timeout=60, answered=False)
        server.token = "111111:a-new-token-after-revoking"
        code, err = await finished(process, timeout=30)
    assert code != 0
    assert "SECRETARIAT_CHAT_ID is not set: reports go only to the traveller" in err


async def test_an_invalid_setting_is_named_without_its_value(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        process = await start_bot(server, tmp_path, SMTP_PORT="geheim-poort")
        code, err = await finished(process)
    assert code == 2
    assert last_line(err) == (
        "reisverslag: setting SMTP_PORT is invalid: "
        "Input should be a valid integer, unable to parse string as an integer"
    )
    assert "geheim-poort" not in err
