"""A distributed work queue on a coordination service: workers claim tasks with ephemeral nodes.

The recipe (the seed's section 4.2, "Distributed queue": "claim by creating ephemeral node"). The
tasks are persistent nodes /tasks/t1..tK, there from the start (the service's ``present``); a worker w
  1. ``pick``     lists /tasks/ and /claim/ and picks a task tK that nobody has claimed;
  2. ``claim``    creates the ephemeral node /claim/tK, in one transaction with a check that
                  /tasks/tK still exists (ZooKeeper's multi with a check op, etcd's txn). The create
                  fails where the node exists (NodeExists): someone else holds tK, or the task is
                  gone; w picks again. So at most one worker holds a claim on a task at a time,
                  and the check stops a worker whose pick is stale (another worker has processed,
                  removed and released the task since) from claiming a finished task;
  3. ``process``  does the work (the side effect: ``processed[tK]`` counts how often it is done);
  4. ``remove``   deletes /tasks/tK: done, nobody picks it again;
  5. ``release``  deletes /claim/tK and is free for the next task.
The order of 3 and 4 is the delivery guarantee. Process, then remove (the recipe) is *at least
once*: a worker that crashes after processing but before removing (the fault "crash") leaves the
task in the queue; its session expires after ``ttl`` silent ticks, the service deletes its
ephemeral claim, and another worker takes the task and does it again. So ``processed_once`` holds
without crashes and fails with them (``specs/zk-queue-crash.toml``, 10 steps):
    pick w1 t1   pick w2 t1   claim w1 t1   process w1 t1   crash w1   tick   tick
    expire w1 (its claim goes)   claim w2 t1 (succeeds: no claim, the task still there)   process w2 t1
while ``no_task_lost`` holds with crashes: no coordination service gives exactly once; a task's
work must be idempotent, or its effect fenced, as a lock's writes are (``protocols/zk_lock.py``).
Remove, then process (``delete-first``) is *at most once*: ``processed_once`` holds even with
crashes, but a worker that crashes between the two steps loses the task (``no_task_lost``).

``read-then-write`` (the bug): the claim is a plain write after the read in ``pick``, a put that
creates /claim/tK or overwrites it (etcd's put with no txn, ZooKeeper's setData after exists), so
two workers that both saw no claim both "succeed" and both process the task, no crash needed:
    pick w1 t1   pick w2 t1   claim w1 t1   claim w2 t1 (overwrites)   process w1   process w2
(The overwritten node keeps w1's session as its owner: the service's setData.)

State: the service's (data, owner, revision, session) and per worker ``pc[w]`` (idle; picked: its
claim is next; claimed; processed / removed: one of steps 3 and 4 done; done: both, the claim is
still held) and ``job[w]`` (its task); per task ``processed[t]`` (how many times its work was done,
counted up to 2). Bound: ``max_revision`` = 3 writes per task and 2 per worker (an expiry, a re-claim).

Properties: ``processed_once`` (no task is processed twice), ``no_task_lost`` (every task removed
from the queue was processed, or is held by a worker that is still up to process it), and the
goal ``all_processed`` (every task is processed). Explored in full, without crashes: 19 states (2
workers, 1 task), 120 (2, 2), 584 (3, 2); the at-least-once check with crashes, 2 workers, 2 tasks:
2,810.

Variants:
  correct          claim with create (fails where the claim exists), process, then remove
  read-then-write  claim with a put after checking for no claim: two workers hold one task
  delete-first     remove the task before processing it: at most once, a crash loses the task
"""

from __future__ import annotations

from checker.dsl import *


class ZkQueue(Protocol):
    """A work queue: tasks claimed with ephemeral nodes /claim/tK, processed, then removed."""

    small_instance = {"workers": 2, "tasks": 1}

    workers = Param(2, "number of workers w1..wN", min=1)
    tasks = Param(1, "number of tasks t1..tK in the queue", min=1)
    ttl = Param(2, "session timeout in ticks (a crashed worker's claim goes after it)", min=1)
    variant = Variant(correct="claim with create (NodeExists where taken), process, then remove the task")

    def setup(self) -> None:
        self.Worker = Nodes("w", self.workers)
        self.Task = Nodes("t", self.tasks)
        paths = [*(self.task(k) for k in self.Task), *(self.claim_of(k) for k in self.Task)]
        # writes: a claim, a remove and a release per task, an expiry and a re-claim per crashed worker
        self.zk = CoordinationService(self, self.Worker, paths=paths, present=[self.task(k) for k in self.Task],
                                      ttl=self.ttl, max_revision=3 * self.tasks + 2 * self.workers)
        self.components = (self.zk,)
        self.var("pc", Map(self.Worker, Enum("idle", "picked", "claimed", "processed", "removed", "done")),
                 init="idle")
        self.var("job", Map(self.Worker, Option(self.Task)), init=None)
        self.var("processed", Map(self.Task, Range(0, 2)), init=0)
        self.environment = self.zk.environment("Worker")

    def task(self, k) -> str:
        return f"/tasks/{k}"

    def claim_of(self, k) -> str:
        return f"/claim/{k}"

    # -- the recipe --------------------------------------------------------------------------

    @action(w="Worker", k="Task")
    def pick(self, s, w, k):
        """w lists the queue: task k is there and nobody has claimed it; w will claim it."""
        if s.guard(And(s.pc[w] == "idle", self.zk.ready(s, w), self.zk.exists(s, self.task(k)),
                       Not(self.zk.exists(s, self.claim_of(k))))):
            return s.update(pc=s.pc.set(w, "picked"), job=s.job.set(w, k))

    @action(w="Worker", k="Task")
    def claim(self, s, w, k):
        """w claims task k; where the claim fails (taken, or the task gone) it picks again."""
        if s.guard(And(s.pc[w] == "picked", s.job[w] == k, self.zk.ready(s, w))):
            t = self.write_claim(s, w, k)
            if t is not None:
                return t.update(pc=s.pc.set(w, "claimed"))
            return s.update(pc=s.pc.set(w, "idle"), job=s.job.set(w, None))

    def write_claim(self, s, w, k):
        """One transaction: /tasks/k still exists, and create the ephemeral /claim/k (NodeExists where
        another worker holds it)."""
        if s.guard(self.zk.exists(s, self.task(k))):
            return self.zk.create(s, w, self.claim_of(k), ephemeral=True)
        return None

    @variant("read-then-write", "claims with a put after seeing no claim: a second claimer overwrites the first")
    def write_claim(self, s, w, k):
        """/tasks/k still exists, and put /claim/k: create it, or overwrite it where it exists (the
        check for a claim was the earlier read, in ``pick``)."""
        if s.guard(self.zk.exists(s, self.task(k))):
            if s.guard(self.zk.exists(s, self.claim_of(k))):
                return self.zk.set(s, w, self.claim_of(k), s.data[self.claim_of(k)])
            return self.zk.create(s, w, self.claim_of(k), ephemeral=True)
        return None

    def first_step(self) -> str:
        """What a worker does first with a claimed task: process it (then remove it: at least once)."""
        return "process"

    @variant("delete-first", "removes the task before processing it: at most once, a crash in between loses it")
    def first_step(self) -> str:
        """Remove the task first, then process it (at most once)."""
        return "remove"

    @action(w="Worker", k="Task")
    def process(self, s, w, k):
        """w does task k's work (no call to the service: it only has to be running)."""
        before, after = ("claimed", "processed") if self.first_step() == "process" else ("removed", "done")
        if s.guard(And(s.pc[w] == before, s.job[w] == k, self.zk.running(s, w))):
            return s.update(pc=s.pc.set(w, after),
                            processed=s.processed.set(k, If(s.processed[k] < 2, s.processed[k] + 1, 2)))

    @action(w="Worker", k="Task")
    def remove(self, s, w, k):
        """w deletes /tasks/k: the task leaves the queue."""
        before, after = ("processed", "done") if self.first_step() == "process" else ("claimed", "removed")
        if s.guard(And(s.pc[w] == before, s.job[w] == k)):
            t = self.zk.delete(s, w, self.task(k))
            if t is not None:
                return t.update(pc=s.pc.set(w, after))

    @action(w="Worker", k="Task")
    def release(self, s, w, k):
        """w deletes its claim /claim/k and is free for the next task."""
        if s.guard(And(s.pc[w] == "done", s.job[w] == k)):
            t = self.zk.delete(s, w, self.claim_of(k))
            if t is not None:
                return t.update(pc=s.pc.set(w, "idle"), job=s.job.set(w, None))

    # -- properties --------------------------------------------------------------------------

    @always
    def processed_once(self, s):
        """No task is processed twice (exactly once, with ``no_task_lost``)."""
        return ForAll(self.Task, lambda k: s.processed[k] <= 1)

    def explain_processed_once(self, s) -> str:
        twice = [str(k) for k in self.Task if s.processed[k] > 1]
        return (f"task {', '.join(twice)} was processed twice: two workers each believed they held its claim, or "
                "its first worker crashed after processing it, before removing it, and its claim expired")

    @always
    def no_task_lost(self, s):
        """Every task removed from the queue was processed, or a worker that is still up holds it and
        will (at least once)."""
        return ForAll(self.Task, lambda k: Or(
            self.zk.exists(s, self.task(k)), s.processed[k] >= 1,
            Exists(self.Worker, lambda w: And(s.job[w] == k, self.faults.up(s, w)))))

    def explain_no_task_lost(self, s) -> str:
        lost = [str(k) for k in self.Task if s.data[self.task(k)] is None and s.processed[k] == 0]
        return (f"task {', '.join(lost)} left the queue unprocessed: its worker removed it first and crashed before "
                "doing the work")

    @sometimes
    def all_processed(self, s):
        """Every task was processed."""
        return ForAll(self.Task, lambda k: s.processed[k] >= 1)
