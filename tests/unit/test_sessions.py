import datetime as dt

from litestar.stores.memory import MemoryStore

from portal.auth.sessions import SessionStore


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += dt.timedelta(**kwargs)


def make():
    clock = Clock()
    return SessionStore(MemoryStore(), now=clock), clock


async def test_sign_in_gives_a_new_id_and_ends_the_one_it_replaces():
    sessions, _ = make()
    first = await sessions.start("sub-1", "citizen", {"given_name": "Jānis"})
    second = await sessions.start("sub-1", "citizen", {}, replaces=first.id)
    assert second.id != first.id and len(second.id) >= 40
    assert await sessions.load(first.id, activity=True) is None
    assert (await sessions.load(second.id, activity=True)).data.subject == "sub-1"


async def test_citizens_time_out_after_30_idle_minutes_and_activity_keeps_them_in():
    sessions, clock = make()
    session = await sessions.start("sub-1", "citizen", {})
    clock.advance(minutes=29)
    assert await sessions.load(session.id, activity=True)
    clock.advance(minutes=29)
    assert await sessions.load(session.id, activity=False)  # activity 29 minutes ago renewed it
    clock.advance(minutes=2)
    assert await sessions.load(session.id, activity=False) is None


async def test_polling_is_not_activity():
    sessions, clock = make()
    session = await sessions.start("sub-1", "citizen", {})
    for _ in range(3):
        clock.advance(minutes=8)
        assert await sessions.load(session.id, activity=False)
    clock.advance(minutes=8)
    assert await sessions.load(session.id, activity=False) is None  # 32 minutes without the person


async def test_staff_time_out_after_15_idle_minutes():
    sessions, clock = make()
    session = await sessions.start("staff-1", "staff", {})
    clock.advance(minutes=16)
    assert await sessions.load(session.id, activity=True) is None


async def test_the_absolute_limit_is_12_hours_however_active():
    sessions, clock = make()
    session = await sessions.start("sub-1", "citizen", {})
    for _ in range(24):
        clock.advance(minutes=29)
        assert await sessions.load(session.id, activity=True), clock.now
    clock.advance(minutes=29)  # 12 h 25 min after sign-in
    assert await sessions.load(session.id, activity=True) is None


async def test_back_channel_logout_ends_every_session_of_the_person_only():
    sessions, _ = make()
    phone = await sessions.start("sub-1", "citizen", {})
    laptop = await sessions.start("sub-1", "citizen", {})
    other = await sessions.start("sub-2", "citizen", {})
    assert await sessions.end_all_for("sub-1") == 2
    assert await sessions.load(phone.id, activity=False) is None
    assert await sessions.load(laptop.id, activity=False) is None
    assert await sessions.load(other.id, activity=False)


async def test_unknown_and_absurd_ids_are_no_session():
    sessions, _ = make()
    assert await sessions.load("", activity=True) is None
    assert await sessions.load("x" * 5000, activity=True) is None
    assert await sessions.load("never-issued", activity=True) is None
