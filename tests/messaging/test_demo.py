"""The messages demo is idempotent and leaves one family message unread by the clinic."""

from __future__ import annotations

from clinic.demo import seed_core
from messaging import demo
from messaging.models import Message, Side
from messaging.selectors import unread_count


def test_seed_twice_adds_one_conversation(db):
    world = seed_core()
    demo.seed(world)
    demo.seed(seed_core())
    assert Message.objects.count() == 3
    noah = world.patients["term"]
    assert unread_count(noah, Side.CLINIC) == 1 and unread_count(noah, Side.FAMILY) == 0
