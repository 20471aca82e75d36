"""The worker: periodic background tasks (outbox delivery, agency sync, …) run by one small loop.

In the embedded topology the web process runs it in its lifespan; in the services topology `portal worker`
runs it as its own process, and several may run at once (each task is safe to run concurrently: the outbox
claims rows with a lease). Tasks are registered in portal/worker/tasks.py.
"""
