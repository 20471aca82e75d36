"""The worker's tasks, registered in one place.

To add a task: write an object with a `name` and `async run_once(now) -> int` (portal/worker/runner.py: `Task`),
and add one line to `build_tasks`, building it from what `WorkerContext` holds (the database, the agency clients,
the business clock, settings). The web process (embedded) and `portal worker` (services) both run this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.agencies.registry import Agencies
from portal.applications.delivery import deliverers
from portal.applications.drafts import DraftSweeper
from portal.applications.outbox import DeliveryPolicy, OutboxDelivery
from portal.applications.uploads import UploadSweeper
from portal.clock import Clock
from portal.documents.seal import seal_for
from portal.documents.service import DocumentRendering
from portal.notices.mail import EAddressSender, LogSmsSender, SmtpSender, UnconfiguredSms
from portal.notices.worker import NoticeMailTask, NoticeTask
from portal.settings import Settings
from portal.sync.worker import SyncTask, sync_sources
from portal.worker.runner import Task, Worker


@dataclass(frozen=True)
class WorkerContext:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    agencies: Agencies
    clock: Clock


def outbox_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        backoff_base=settings.outbox_backoff_base,
        backoff_cap=settings.outbox_backoff_cap,
        lease_seconds=settings.outbox_lease_seconds,
        batch_size=settings.outbox_batch_size,
    )


def smtp_sender(settings: Settings) -> SmtpSender:
    return SmtpSender(settings.smtp_host, settings.smtp_port)


def build_tasks(context: WorkerContext) -> list[Task]:
    return [
        OutboxDelivery(context.sessions, deliverers(context.agencies), outbox_policy(context.settings)),
        SyncTask(context.sessions, sync_sources(context.agencies), context.agencies.population_register, context.clock),
        DraftSweeper(context.sessions),
        DocumentRendering(context.sessions, seal_for(context.settings), context.settings.public_url),
        UploadSweeper(context.sessions, context.settings.uploads_path),
        NoticeTask(context.sessions, context.clock),
        NoticeMailTask(
            context.sessions,
            smtp_sender(context.settings),
            context.settings.mail_from,
            context.settings.public_url,
            eadrese=EAddressSender(context.agencies.eadrese, context.settings.public_url),
            sms=UnconfiguredSms() if context.settings.is_production else LogSmsSender(),
        ),
    ]


def build_worker(context: WorkerContext) -> Worker:
    return Worker(build_tasks(context), poll_interval=context.settings.worker_poll_interval)
