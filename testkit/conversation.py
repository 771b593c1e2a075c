"""Reading the bot's side of a conversation in tests: questions, texts, documents."""

from __future__ import annotations

from typing import Protocol

from testkit.fake_telegram import BotMessage, FakeTelegram, UserClient

__all__ = ["answer", "documents", "reply_containing", "reply_with_buttons"]


class _Replies(Protocol):
    async def next_reply(self, timeout: float = 5.0) -> BotMessage:
        """The next bot event in the chat."""
        ...


async def reply_with_buttons(user: UserClient, timeout: float = 10.0) -> BotMessage:
    """Read replies until one carries a keyboard or is a question (bold text)."""
    while True:
        reply = await user.next_reply(timeout)
        if reply.event == "sent" and (reply.buttons or "<b>" in (reply.text or "")):
            return reply


async def answer(user: UserClient, text: str) -> BotMessage:
    """Type an answer and wait for the next question."""
    await user.send(text)
    return await reply_with_buttons(user)


async def reply_containing(chat: _Replies, text: str, timeout: float = 10.0) -> BotMessage:
    """The next message the bot sends (to a user or a watched chat) that contains `text`."""
    while True:
        reply = await chat.next_reply(timeout)
        if text in reply.plain_text and reply.event == "sent":
            return reply


async def documents(
    server: FakeTelegram, chat_id: int, count: int, timeout: float = 20.0
) -> list[BotMessage]:
    """Wait until `count` documents have arrived in the chat."""
    watcher = server.watch(chat_id, from_start=True)
    found: list[BotMessage] = []
    while len(found) < count:
        message = await watcher.next_reply(timeout)
        if message.document is not None and message.event == "sent":
            found.append(message)
    return found
