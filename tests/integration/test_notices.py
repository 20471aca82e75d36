"""Notices: the worker makes them from the kept sync answers on the sandbox's business clock, once per fact;
`/inbox` lists them unread first and opening one marks it read; each new one goes out by e-mail to a real SMTP
server on loopback when its person chose e-mail, and a refused e-mail is retried.

The tasks run here with a fixed `now` (no worker in the web process); the business date is the sandbox's
clock, which the tests move and put back.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from portal.applications.draft_models import Draft
from portal.applications.outbox_models import Submission
from portal.clock import SandboxClock
from portal.notices.facts import NewNotice
from portal.notices.mail import EAddressSender, LogSmsSender, SmtpSender
from portal.notices.models import Notice, NoticeMail
from portal.notices.store import NoticeStore
from portal.notices.worker import MailPolicy, NoticeMailTask, NoticeTask
from portal.sync.store import aware
from portal.sync.worker import SyncTask, sync_sources
from tests.integration.conftest import PORTAL_URL, start_sandbox
from tests.integration.test_journey import start
from tests.integration.test_representation import person_id
from tests.integration.test_sign_in import sign_in
from tests.servers import Server

# Claiming e-mails (conditional updates) and the unique fact must hold on PostgreSQL as on SQLite.
pytestmark = pytest.mark.postgres

JANIS, ANNA, PETERIS = "150162-12342", "050694-14213", "300978-15174"
ILZE, RASMA, EDGARS = "220470-16382", "011245-11123", "328804-19324"
T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
TODAY = "2026-11-20"


class _Today:
    async def today(self) -> dt.date:
        return dt.date.fromisoformat(TODAY)


@pytest.fixture(scope="module")
def live_sandbox(tmp_path_factory) -> Iterator[Server]:
    """A sandbox of this module's own: the notices follow the seeded persons (Anna's unclaimed birth benefits),
    which other modules' submissions to the session's sandbox change."""
    server = start_sandbox(tmp_path_factory.mktemp("notices-sandbox"))
    yield server
    server.stop()


@pytest.fixture
def live_settings(live_settings):
    """No worker in the web process: the tests run the tasks themselves."""
    return live_settings.model_copy(update={"worker_in_web": False})


@pytest.fixture
def business_day(live_sandbox) -> Iterator[callable]:
    def move(day: str) -> None:
        httpx.put(f"{live_sandbox.url}/_control/clock", json={"today": day}).raise_for_status()

    move(TODAY)
    yield move
    move(TODAY)


class Tasks:
    def __init__(self, client, sandbox_url: str, smtp_port: int) -> None:
        self.client = client
        app = client.app
        agencies = app.state.agencies
        self.http = httpx.AsyncClient(base_url=sandbox_url)
        sessions = app.state.db_sessions
        self.sync = SyncTask(sessions, sync_sources(agencies), agencies.population_register, _Today())
        self.notices = NoticeTask(sessions, SandboxClock(self.http, max_age=0))
        self.policy = MailPolicy()
        sender = SmtpSender("127.0.0.1", smtp_port, timeout=5)
        eadrese = EAddressSender(agencies.eadrese, PORTAL_URL)
        self.sms = LogSmsSender()
        self.mail = NoticeMailTask(
            sessions, sender, "pazinojumi@portals.example.lv", PORTAL_URL, self.policy, eadrese=eadrese, sms=self.sms
        )

    def run(self, task, now: dt.datetime = T0) -> int:
        return self.client.blocking_portal.call(task.run_once, now)

    def notices_of(self, code: str) -> list[Notice]:
        person = person_id(self.client, code)

        async def read() -> list[Notice]:
            async with self.client.app.state.db_sessions() as db:
                rows = await db.execute(select(Notice).where(Notice.person_id == person))
                return list(rows.scalars())

        return self.client.blocking_portal.call(read)

    def mails(self) -> list[NoticeMail]:
        async def read() -> list[NoticeMail]:
            async with self.client.app.state.db_sessions() as db:
                return list((await db.execute(select(NoticeMail))).scalars())

        return self.client.blocking_portal.call(read)


@pytest.fixture
def tasks(live_client, live_sandbox, smtp_server, business_day) -> Iterator[Tasks]:
    tasks = Tasks(live_client, live_sandbox.url, smtp_server[1])
    # The seeded mandate (Rasma's to Ilze) is noticed on the first pass: made here, so that each test counts
    # only what it brings about.
    tasks.run(tasks.notices)
    yield tasks
    live_client.blocking_portal.call(tasks.http.aclose)


def signed_in_and_synced(
    client, tasks: Tasks, code: str, email: str | None = None, channels=("email",), phone: str = ""
) -> None:
    sign_in(client, personal_code=code)
    if email is not None:
        page = client.get("/account/notifications")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token, "the form carries its CSRF token"
        saved = client.post(
            "/account/notifications",
            data={"_csrf_token": token.group(1), "email": email, "phone": phone, "channels": list(channels)},
            follow_redirects=False,
        )
        assert saved.status_code == 303
    assert tasks.run(tasks.sync) >= 1


def kinds(notices: list[Notice]) -> list[tuple[str, str]]:
    return sorted((n.kind, n.fact) for n in notices)


def test_peteris_is_reminded_three_months_and_again_one_month_before_his_term_ends(
    live_client, tasks, smtp_server, business_day
):
    smtp, _ = smtp_server
    signed_in_and_synced(live_client, tasks, PETERIS, email="peteris@example.lv")
    made = tasks.run(tasks.notices)
    first = tasks.notices_of(PETERIS)
    terms = [n for n in first if n.kind == "disability_term_ending"]
    assert [(n.params["valid_until"], n.params["months"]) for n in terms] == [("2027-02-10", 3)]
    assert terms[0].link == "/services/vdeavk-invaliditates-ekspertize"
    assert made == len(first) and any(n.params.get("code") == "transport_compensation" for n in first)
    assert tasks.run(tasks.mail) == len(first) and len(smtp.messages) == len(first)

    business_day("2027-01-09")
    assert tasks.run(tasks.notices) == 0, "a day before the 1-month reminder nothing is new"
    business_day("2027-01-10")
    assert tasks.run(tasks.notices) == 1
    new = [n for n in tasks.notices_of(PETERIS) if n.id not in {m.id for m in first}]
    assert [(n.kind, n.params["months"]) for n in new] == [("disability_term_ending", 1)]
    assert tasks.run(tasks.mail) == 1 and len(smtp.messages) == len(first) + 1
    # The same facts on later passes: nothing new, no e-mail.
    assert tasks.run(tasks.notices) == 0
    assert tasks.run(tasks.mail, T0 + dt.timedelta(hours=1)) == 0 and len(smtp.messages) == len(first) + 1


def test_the_email_says_only_that_there_is_a_notice_and_where(live_client, tasks, smtp_server):
    smtp, _ = smtp_server
    signed_in_and_synced(live_client, tasks, JANIS, email="janis@example.lv")
    tasks.run(tasks.notices)
    tasks.run(tasks.mail)
    (message,) = smtp.messages
    assert message["To"] == "janis@example.lv"
    body = message.get_content()
    assert f"{PORTAL_URL}/inbox" in body
    for personal in (JANIS, "Jānis", "Bērziņš", "pensij"):
        assert personal not in body and personal not in str(message["Subject"])


def test_no_email_without_the_choice(live_client, tasks, smtp_server):
    smtp, _ = smtp_server
    signed_in_and_synced(live_client, tasks, JANIS)
    assert tasks.run(tasks.notices) == 1
    assert tasks.run(tasks.mail) == 0 and smtp.messages == [] and tasks.mails() == []


def test_janis_is_invited_to_apply_for_the_old_age_pension(live_client, tasks):
    signed_in_and_synced(live_client, tasks, JANIS)
    tasks.run(tasks.notices)
    (notice,) = tasks.notices_of(JANIS)
    assert (notice.kind, notice.params["code"], notice.link) == (
        "entitlement",
        "old_age_pension",
        "/services/vecuma-pensija",
    )
    inbox = live_client.get("/inbox")
    assert inbox.status_code == 200 and "Jūs varat pieteikties vecuma pensijai" in inbox.text
    assert f'href="/inbox/{notice.id}"' in inbox.text and "Nelasīts" in inbox.text
    live_client.get("/inbox")
    assert tasks.notices_of(JANIS)[0].read_at is None, "listing the inbox marks nothing read"
    opened = live_client.get(f"/inbox/{notice.id}")
    assert opened.status_code == 200 and 'href="/services/vecuma-pensija"' in opened.text
    assert "vecuma pensijas vecumu" in opened.text, "VSAA's own explanation is shown"
    assert tasks.notices_of(JANIS)[0].read_at is not None
    assert "Nelasīts" not in live_client.get("/inbox").text
    english = live_client.get("/inbox?lang=en")
    assert "You may apply for the old-age pension" in english.text


def test_anna_is_told_of_the_birth_benefits_for_elza(live_client, tasks):
    signed_in_and_synced(live_client, tasks, ANNA)
    tasks.run(tasks.notices)
    found = {n.params["code"]: n for n in tasks.notices_of(ANNA)}
    assert set(found) == {"childbirth_benefit", "parental_benefit"}
    assert found["childbirth_benefit"].link == "/services/berna-piedzimsanas-pabalsts"
    assert ANNA not in str(found["childbirth_benefit"].fact) and "329011-52842" not in found["childbirth_benefit"].fact
    page = live_client.get(f"/inbox/{found['childbirth_benefit'].id}?lang=en")
    assert "It concerns Elza Kalniņa." in page.text and "Apply by 2 May 2027." in page.text


def test_a_refused_email_is_retried_and_the_notice_is_in_the_inbox(live_client, tasks, smtp_server):
    smtp, _ = smtp_server
    smtp.refusing = True
    signed_in_and_synced(live_client, tasks, JANIS, email="janis@example.lv")
    tasks.run(tasks.notices)
    assert tasks.run(tasks.mail) == 1 and smtp.messages == []
    (mail,) = tasks.mails()
    assert (mail.status, mail.attempts) == ("sending", 1) and mail.last_error
    (notice,) = tasks.notices_of(JANIS)
    assert f"/inbox/{notice.id}" in live_client.get("/inbox").text
    smtp.refusing = False
    assert tasks.run(tasks.mail, T0 + dt.timedelta(seconds=1)) == 0, "not before its retry is due"
    retry = T0 + tasks.policy.backoff_base
    assert tasks.run(tasks.mail, retry) == 1 and len(smtp.messages) == 1
    assert tasks.mails()[0].status == "sent"


def test_a_mail_refused_every_time_is_given_up(live_client, tasks, smtp_server):
    smtp, _ = smtp_server
    smtp.refusing = True
    signed_in_and_synced(live_client, tasks, JANIS, email="janis@example.lv")
    tasks.run(tasks.notices)
    now = T0
    for _ in range(tasks.policy.max_attempts):
        assert tasks.run(tasks.mail, now) == 1
        now += tasks.policy.backoff_cap
    assert tasks.mails()[0].status == "given_up" and tasks.run(tasks.mail, now) == 0


def test_another_persons_notice_is_refused(live_client, tasks):
    signed_in_and_synced(live_client, tasks, JANIS)
    tasks.run(tasks.notices)
    (notice,) = tasks.notices_of(JANIS)
    signed_in_and_synced(live_client, tasks, ANNA)
    assert live_client.get(f"/inbox/{notice.id}").status_code == 403
    assert live_client.get(f"/inbox/{notice.id}?for={person_id(live_client, JANIS)}").status_code == 403
    assert live_client.get(f"/inbox?for={person_id(live_client, JANIS)}").status_code == 403
    assert tasks.notices_of(JANIS)[0].read_at is None


def test_the_preferences_form_refuses_what_it_cannot_use(live_client, tasks):
    sign_in(live_client, personal_code=JANIS)
    page = live_client.get("/account/notifications")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    for data in ({"email": "", "channels": "email"}, {"email": "not an address", "channels": "sms"}):
        refused = live_client.post("/account/notifications", data={"_csrf_token": token, **data})
        assert refused.status_code == 400 and 'class="error-summary' in refused.text
    bad = live_client.post("/account/notifications", data={"_csrf_token": token, "channels": "pigeon"})
    assert bad.status_code == 400
    chosen = {"email": "a@b.lv", "phone": "+371 2000 0000", "channels": ["email", "sms"]}
    saved = live_client.post("/account/notifications", data={"_csrf_token": token, **chosen})
    assert saved.status_code == 200 and "Jūsu izvēle ir saglabāta" in saved.text
    assert 'value="a@b.lv"' in saved.text and 'value="+37120000000"' in saved.text


def add_notice(client, code: str, new: NewNotice) -> Notice:
    person = person_id(client, code)

    async def add() -> Notice:
        async with client.app.state.db_sessions() as db, db.begin():
            notice = await NoticeStore(db).add_once(person, new, dt.date(2026, 11, 20), T0)
            assert notice is not None
            return notice

    return client.blocking_portal.call(add)


def test_a_mandate_holder_sees_the_notices_of_the_matters_it_covers(live_client, tasks):
    """Rasma's mandate lets Ilze act in VSAA's matters only: VDEĀVK's notice is not hers to see."""
    sign_in(live_client, personal_code=ILZE)
    vsaa = add_notice(live_client, RASMA, NewNotice("entitlement", "disability_pension:2026-11-01", "vsaa", None))
    vdeavk = add_notice(live_client, RASMA, NewNotice("disability_term_ending", "2027-01-31:3", "vdeavk", None))
    rasma = person_id(live_client, RASMA)
    inbox = live_client.get(f"/inbox?for={rasma}")
    assert inbox.status_code == 200 and "Rasma Liepa" in inbox.text
    assert f"/inbox/{vsaa.id}?for={rasma}" in inbox.text and str(vdeavk.id) not in inbox.text
    assert live_client.get(f"/inbox/{vdeavk.id}?for={rasma}").status_code == 403
    assert live_client.get(f"/inbox/{vsaa.id}").status_code == 403, "Ilze's own inbox has no Rasma's notice"
    assert live_client.get(f"/inbox/{vsaa.id}?for={rasma}").status_code == 200
    assert [n.read_at is not None for n in sorted(tasks.notices_of(RASMA), key=lambda n: n.agency)] == [False, True]


def test_a_draft_about_to_expire_is_noticed_a_week_before(live_client, tasks):
    sign_in(live_client, personal_code=JANIS)
    draft_id, _ = start(live_client, "vecuma-pensija")

    async def expiry() -> dt.datetime:
        async with live_client.app.state.db_sessions() as db:
            return aware(await db.scalar(select(Draft.expires_at).where(Draft.id == uuid.UUID(draft_id))))

    expires = live_client.blocking_portal.call(expiry)
    assert tasks.run(tasks.notices, expires - dt.timedelta(days=7, minutes=1)) == 0, "more than a week before"
    assert tasks.run(tasks.notices, expires - dt.timedelta(days=6)) == 1
    assert tasks.run(tasks.notices, expires - dt.timedelta(days=5)) == 0, "the same draft and day: once"
    (notice,) = tasks.notices_of(JANIS)
    assert (notice.kind, notice.link) == ("draft_expiring", f"/applications/{draft_id}")
    page = live_client.get(f"/inbox/{notice.id}?lang=en")
    assert "Your draft application will be deleted on" in page.text and "Application: " in page.text
    assert f'href="/applications/{draft_id}"' in page.text


def test_edgars_is_told_vsaa_asks_for_information_by_its_deadline(live_client, tasks):
    signed_in_and_synced(live_client, tasks, EDGARS)
    tasks.run(tasks.notices)
    (notice,) = [n for n in tasks.notices_of(EDGARS) if n.kind == "information_requested"]
    assert notice.link == "/applications/sent/VSAA-2026-903118" and notice.params["deadline"] == "2026-12-04"
    page = live_client.get(f"/inbox/{notice.id}?lang=en")
    assert "VSAA asks for more information by 4 December 2026" in page.text
    assert 'href="/applications/sent/VSAA-2026-903118"' in page.text
    assert tasks.run(tasks.notices) == 0


def test_a_notice_reaches_the_e_address_of_whom_chose_it(live_client, tasks, smtp_server):
    smtp, _ = smtp_server
    signed_in_and_synced(live_client, tasks, PETERIS, email="", channels=("eadrese",))
    made = tasks.run(tasks.notices)
    assert made >= 2 and tasks.run(tasks.mail) == made
    sent = tasks.mails()
    assert {(m.channel, m.status, m.address) for m in sent} == {("eadrese", "sent", None)} and len(sent) == made
    assert smtp.messages == [], "e-mail was not chosen"


def test_a_closed_e_address_is_not_tried_again_and_the_notice_stays(live_client, tasks, business_day):
    signed_in_and_synced(live_client, tasks, EDGARS, email="", channels=("eadrese",))
    assert tasks.run(tasks.notices) == 1
    business_day("2026-11-23")  # Edgars closed his e-address on 22 November
    assert tasks.run(tasks.mail) == 1
    (mail,) = tasks.mails()
    assert (mail.channel, mail.status, mail.attempts) == ("eadrese", "given_up", 1)
    assert mail.last_error == "no active e-address"
    assert tasks.run(tasks.mail, T0 + tasks.policy.backoff_cap) == 0
    (notice,) = tasks.notices_of(EDGARS)
    assert f"/inbox/{notice.id}" in live_client.get("/inbox").text


def test_a_text_message_says_only_that_there_is_a_notice(live_client, tasks, smtp_server):
    signed_in_and_synced(live_client, tasks, JANIS, email="", channels=("sms",), phone="20 123 456")
    assert tasks.run(tasks.notices) == 1 and tasks.run(tasks.mail) == 1
    assert list(tasks.sms.sent) == [("+37120123456", f"Jums portālā ir jauns paziņojums: {PORTAL_URL}/inbox")]
    assert [(m.channel, m.status) for m in tasks.mails()] == [("sms", "sent")]
    assert 'value="+37120123456"' in live_client.get("/account/notifications").text


def test_text_messages_need_a_latvian_mobile_number(live_client, tasks):
    sign_in(live_client, personal_code=JANIS)
    page = live_client.get("/account/notifications")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    for phone in ("", "12345678", "+3712012345", "+44 20 1234 5678"):
        data = {"_csrf_token": token, "phone": phone, "channels": "sms"}
        refused = live_client.post("/account/notifications", data=data)
        assert refused.status_code == 400 and 'href="#phone"' in refused.text, phone


def test_an_application_the_agency_refused_is_noticed_once(live_client, tasks):
    sign_in(live_client, personal_code=JANIS)
    janis = person_id(live_client, JANIS)

    async def submitted(status: str, reference: str) -> None:
        async with live_client.app.state.db_sessions() as db, db.begin():
            db.add(
                Submission(
                    id=uuid.uuid4(),
                    agency="vsaa",
                    service="vecuma-pensija",
                    reference=reference,
                    idempotency_key=f"notice-test-{status}",
                    payload={},
                    applicant_id=janis,
                    about_person_id=None,
                    filer_id=janis,
                    basis="self",
                    status=status,
                    refusal_reason="Refused." if status == "not_delivered" else None,
                    attempts=1,
                    next_attempt_at=T0,
                    created_at=T0,
                )
            )

    live_client.blocking_portal.call(submitted, "not_delivered", "VSAA-2026-700013")
    live_client.blocking_portal.call(submitted, "received", "VSAA-2026-700014")
    assert tasks.run(tasks.notices) == 1 and tasks.run(tasks.notices) == 0
    (notice,) = tasks.notices_of(JANIS)
    assert (notice.kind, notice.link) == ("not_delivered", "/applications")
    assert notice.params["reference"] == "VSAA-2026-700013"
    page = live_client.get(f"/inbox/{notice.id}?lang=en")
    assert "Your application VSAA-2026-700013 was not delivered" in page.text


def test_ilze_is_told_of_the_mandate_rasma_granted_her(live_client, tasks):
    sign_in(live_client, personal_code=ILZE)
    tasks.run(tasks.notices)
    (notice,) = [n for n in tasks.notices_of(ILZE) if n.kind == "mandate_granted"]
    assert notice.link == "/representation" and notice.params["name"] == "Rasma Liepa"
    assert not [n for n in tasks.notices_of(RASMA) if n.kind.startswith("mandate")], "the grantor knows"
    page = live_client.get(f"/inbox/{notice.id}?lang=en")
    assert "Rasma Liepa has granted you a mandate" in page.text and 'href="/representation"' in page.text


def test_the_overview_shows_new_notices_and_drafts_first(live_client, tasks):
    signed_in_and_synced(live_client, tasks, PETERIS)
    tasks.run(tasks.notices)
    live_client.cookies.set("lang", "en", domain="127.0.0.1")
    made = tasks.notices_of(PETERIS)
    assert len(made) >= 2  # the term ending and the transport compensation he has not claimed
    overview = live_client.get("/overview").text
    assert f"Inbox: {len(made)} unread notices" in overview
    links = re.findall(r'href="(/inbox/[0-9a-f-]{36})"', overview)
    assert len(links) == min(len(made), 3)
    live_client.get(links[0])  # opening a notice reads it
    overview = live_client.get("/overview").text
    assert f"Inbox: {len(made) - 1} unread notice" in overview and links[0] not in overview
    # A draft not sent yet is listed, linked to where it stands.
    draft_id, _ = start(live_client, "invalida-kopsanas-pabalsts")
    assert f'href="/applications/{draft_id}"' in live_client.get("/overview").text
