"""Long HTML reaches Telegram in parts it accepts, the buttons under the last one."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.chat import TELEGRAM_MESSAGE_LIMIT, utf16_length
from bot.telegram.sending import send_html_to
from testkit.fake_telegram import FakeTelegram
from testkit.render_readback import squash, telegram_plain_text


async def test_long_html_goes_in_parts_with_the_buttons_on_the_last(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.user(7, "Jan")
    lines = [f"<b>Reis {n}</b> naar Wenen &amp; Bratislava 🚆 <i>{'x' * 60}</i>" for n in range(90)]
    text = "\n".join(lines)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Klaar", callback_data="a|q|0")]])
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        await send_html_to(bot, 7, text, keyboard)
    sent = fake_telegram.calls_to("sendMessage")
    assert len(sent) >= 2 and all(call.status == 200 for call in sent)
    parts = [str(call.params["text"]) for call in sent]
    assert all(utf16_length(part) <= TELEGRAM_MESSAGE_LIMIT for part in parts)
    assert [("reply_markup" in call.params) for call in sent] == [False] * (len(sent) - 1) + [True]
    joined = "".join(telegram_plain_text(part) for part in parts)
    assert squash(joined) == squash(telegram_plain_text(text))
