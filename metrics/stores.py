"""Where the request count lives: Redis when configured, the database otherwise.

Each store does one flush in one atomic step: it adds what a process
counted and records, for the read barrier, how far that process's flushes
reach. Flushes are idempotent: a process sends the running total it has
counted, the store remembers the total it applied for that process and adds
only the difference, so a flush retried after a lost reply adds nothing twice.

Times are the store's own ("store time"), opaque to the rest of the app:
they are only compared and handed back.
"""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import redis
from django.db import Error as DatabaseError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Now
from django.utils.dateparse import parse_datetime
from redis.backoff import NoBackoff
from redis.retry import Retry

from metrics.models import CounterProcess, RequestCounter

logger = logging.getLogger(__name__)

StoreTime = Any  # ordered; compared with `<` and `max()` only


class CounterUnavailable(Exception):
    """The counter's store cannot be read or written."""


@dataclass(frozen=True)
class Attempt:
    """One try of an exact read: `count` is None while a live process has not flushed past the read's start."""

    now: StoreTime
    count: int | None


class CounterStore(Protocol):
    # A store time before any other.
    floor: StoreTime
    # Whether a process with nothing to add must still flush on every tick.
    heartbeats_always: bool

    def flush(
        self, *, process_id: str | None, base: int, total: int, covered: StoreTime, leave: bool = False
    ) -> StoreTime:
        """Adds `total` minus what was applied for `process_id` (at least `base`, the acknowledged total).

        In the same atomic step records that every request the process
        counted before `covered` is in the count; with `leave`, forgets the
        process instead. Answers the store's time (only that without a `process_id`).
        """

    def add(self, *, amount: int) -> None:
        """Adds `amount` outright (for `REQUEST_COUNTER_FLUSH_MS=0`)."""

    def barrier_wanted(self, *, recorded: StoreTime) -> tuple[bool, StoreTime | None]:
        """Whether a read is waiting for a process whose flushes reach `recorded`, and the store's time."""

    def try_read(
        self,
        *,
        process_id: str | None,
        base: int,
        total: int,
        covered: StoreTime,
        since: StoreTime | None,
        reset: bool,
    ) -> Attempt:
        """Flushes `process_id` (if any), then reads (or clears) the count when every other live
        process has flushed past `since`; a process silent for the process timeout after `since` is gone.

        Without `since`, the read begins now: it succeeds at once when no other
        live process is known, and otherwise answers the time it began (`now`),
        the `since` of the attempts that follow."""

    def release(self) -> None:
        """Frees what the calling thread holds (its database connection)."""


# --- Redis

# KEYS[1] the count, KEYS[2] the clock, KEYS[3] a hash: process id -> "covered seen applied",
# KEYS[4] the latest reset: "token cleared-count".
# `covered` and the clock are logical (a counter bumped by every call), so
# ordering never depends on the server's wall clock; `seen` is Redis TIME in
# microseconds, used only to tell a gone process.
_REDIS_LIB = """
local function tick()
  local t = redis.call('TIME')
  return redis.call('INCR', KEYS[2]), tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function flush(process_id, base, total, covered, clock, now_us)
  local applied = base
  local entry = redis.call('HGET', KEYS[3], process_id)
  if entry then
    applied = math.max(applied, tonumber(string.match(entry, ' (%d+)$')))
  end
  if total > applied then
    redis.call('INCRBY', KEYS[1], total - applied)
    applied = total
  end
  redis.call('HSET', KEYS[3], process_id, string.format('%d %d %d', covered, now_us, applied))
end
"""

# ARGV: process id ("" for none), base, total, covered, leave ("1" or "0"). Answers {clock, now_us}.
_REDIS_FLUSH = (
    _REDIS_LIB
    + """
local clock, now_us = tick()
if ARGV[1] ~= '' then
  flush(ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), clock, now_us)
  if ARGV[5] == '1' then
    redis.call('HDEL', KEYS[3], ARGV[1])
  end
end
return {clock, now_us}
"""
)

# ARGV: process id ("" for none), base, total, covered, since (clock; "" for now), since (us),
# process timeout (us), reset token ("" for a plain read). Answers {clock, now_us, ready, count}.
_REDIS_READ = (
    _REDIS_LIB
    + """
local clock, now_us = tick()
local me, token = ARGV[1], ARGV[8]
if me ~= '' then
  flush(me, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), clock, now_us)
end
if token ~= '' then
  local last = redis.call('GET', KEYS[4])
  if last and string.match(last, '^(%S+) ') == token then
    return {clock, now_us, 1, string.match(last, ' (%d+)$')}  -- a retry of a reset that was done
  end
end
local since, since_us, timeout_us = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
if not since then
  since, since_us = clock, now_us  -- the read begins with this call
end
local ready = 1
local entries = redis.call('HGETALL', KEYS[3])
for i = 1, #entries, 2 do
  if entries[i] ~= me then
    local covered, seen = string.match(entries[i + 1], '^(%d+) (%d+) ')
    if now_us - math.max(tonumber(seen), since_us) > timeout_us then
      redis.call('HDEL', KEYS[3], entries[i])
    elseif tonumber(covered) <= since then
      ready = 0
    end
  end
end
if ready == 0 then
  return {clock, now_us, 0, '0'}
end
local count
if token ~= '' then
  count = redis.call('GETDEL', KEYS[1]) or '0'
  redis.call('SET', KEYS[4], token .. ' ' .. count)
else
  count = redis.call('GET', KEYS[1]) or '0'
end
return {clock, now_us, 1, count}
"""
)


class RedisStore:
    """The count in Redis under `<prefix>:{request-counter}:*`; no expiry ever applies to it.

    The `{...}` hash tag keeps the keys in one slot, as a Redis Cluster
    needs for a script that touches them all.
    """

    floor = (0, 0)
    heartbeats_always = True  # a flush costs Redis next to nothing

    def __init__(self, *, url: str, prefix: str, timeout_ms: int, process_timeout_ms: int) -> None:
        timeout = timeout_ms / 1000
        # One immediate retry, for a pooled connection that went stale (a
        # Redis restart). The scripts are idempotent, so a retry after a
        # lost reply adds nothing twice; only the per-request INCRBY of
        # REQUEST_COUNTER_FLUSH_MS=0 may.
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1)
        )
        base = f"{prefix}:{{request-counter}}"
        self.count_key = f"{base}:count"
        self.keys = [self.count_key, f"{base}:clock", f"{base}:processes", f"{base}:last-reset"]
        self._process_timeout_us = process_timeout_ms * 1000
        self._flush = self.client.register_script(_REDIS_FLUSH)
        self._read = self.client.register_script(_REDIS_READ)

    def flush(
        self, *, process_id: str | None, base: int, total: int, covered: StoreTime, leave: bool = False
    ) -> StoreTime:
        with redis_errors():
            clock, now_us = self._flush(keys=self.keys, args=[process_id or "", base, total, covered[0], int(leave)])
        return (clock, now_us)

    def add(self, *, amount: int) -> None:
        with redis_errors():
            self.client.incrby(self.count_key, amount)

    def barrier_wanted(self, *, recorded: StoreTime) -> tuple[bool, StoreTime | None]:
        return True, None

    def try_read(
        self,
        *,
        process_id: str | None,
        base: int,
        total: int,
        covered: StoreTime,
        since: StoreTime | None,
        reset: bool,
    ) -> Attempt:
        token = uuid.uuid4().hex if reset else ""
        since_clock, since_us = since or ("", 0)
        args = [process_id or "", base, total, covered[0], since_clock, since_us, self._process_timeout_us, token]
        with redis_errors():
            clock, now_us, ready, count = self._read(keys=self.keys, args=args)
        return Attempt(now=(clock, now_us), count=int(count) if ready else None)

    def release(self) -> None:
        pass


@contextmanager
def redis_errors() -> Iterator[None]:
    try:
        yield
    except redis.RedisError as error:
        raise CounterUnavailable(f"Redis: {error}") from error


# --- The database


class DatabaseStore:
    """The count in one `RequestCounter` row, `count = count + n`; processes in `CounterProcess` rows.

    Times are the database's clock (`Now()`), which every process and
    instance sharing the database shares. Every transaction starts with a
    write, so SQLite takes its write lock at once instead of failing to
    upgrade a read lock.
    """

    floor = datetime(1970, 1, 1, tzinfo=UTC)
    # A flush is a committed transaction (an fsync on SQLite): a process
    # with nothing to add flushes only when a read is waiting.
    heartbeats_always = False

    def __init__(self, *, key: str, timeout_ms: int, process_timeout_ms: int) -> None:
        self.key = key
        self._timeout_ms = timeout_ms
        self._process_timeout = timedelta(milliseconds=process_timeout_ms)
        self._sql: dict[str, str] = {}

    def flush(
        self, *, process_id: str | None, base: int, total: int, covered: StoreTime, leave: bool = False
    ) -> StoreTime:
        if process_id is None:
            with database_errors():
                self._ensure_counter()
                return self._now()
        with database_errors(), self._transaction():
            now = self._flush(process_id=process_id, base=base, total=total, covered=covered)
            if leave:
                self._processes().filter(process_id=process_id).delete()
        return now

    def add(self, *, amount: int) -> None:
        with database_errors(), connection.cursor() as cursor:
            cursor.execute(self._statement("add"), [self.key, amount])

    def barrier_wanted(self, *, recorded: StoreTime) -> tuple[bool, StoreTime | None]:
        with database_errors(), connection.cursor() as cursor:
            cursor.execute(self._statement("quiet"), [self.key])
            row = cursor.fetchone()
        if row is None:
            return False, None
        barrier_at, now = (as_datetime(value) for value in row)
        return barrier_at is not None and barrier_at >= recorded, now

    def try_read(
        self,
        *,
        process_id: str | None,
        base: int,
        total: int,
        covered: StoreTime,
        since: StoreTime | None,
        reset: bool,
    ) -> Attempt:
        if since is None:
            with database_errors():
                self._ensure_counter()
                since = self._now()
        with database_errors(), self._transaction():
            # Tells quiet processes that a read waits for them; also this transaction's first
            # write, which locks the counter row until the end (for the reset below).
            barrier_at = Greatest(Coalesce("barrier_at", Value(since)), Value(since))
            if not self._counter().update(barrier_at=barrier_at):
                self._ensure_counter()
                self._counter().update(barrier_at=barrier_at)
            if process_id:
                now = self._flush(process_id=process_id, base=base, total=total, covered=covered)
            else:
                now = self._now()
            if self._waiting(process_id=process_id, since=since, now=now):
                return Attempt(now=now, count=None)
            count = self._counter().values_list("count", flat=True).get()
            if reset:
                # Subtracting what was read keeps anything added since, were the row not locked.
                self._counter().update(count=F("count") - count)
        return Attempt(now=now, count=count)

    def release(self) -> None:
        connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A transaction whose lock waits are bounded (SQLite bounds them with its busy timeout)."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{self._timeout_ms}ms"])
            yield

    def _waiting(self, *, process_id: str | None, since: StoreTime, now: StoreTime) -> bool:
        waiting = False
        others = self._processes().exclude(process_id=process_id or "")
        for other, covered_at, seen_at in others.values_list("process_id", "covered_at", "seen_at"):
            if now - max(seen_at, since) > self._process_timeout:
                logger.info("Request counter: process %s is gone", other)
                # Unless it flushed meanwhile (`lte`: SQLite keeps Now() with fewer digits than a
                # parameter) or flushes now: a locked row would deadlock with its flush on PostgreSQL.
                gone = self._processes().filter(process_id=other, seen_at__lte=seen_at)
                CounterProcess.objects.filter(
                    pk__in=list(gone.select_for_update(skip_locked=True).values_list("pk", flat=True))
                ).delete()
            elif covered_at <= since:
                waiting = True
        return waiting

    def _flush(self, *, process_id: str, base: int, total: int, covered: StoreTime) -> StoreTime:
        """Plain SQL: this runs every flush interval in every busy process, and the ORM's
        statement building cost more than the statements (2.7 ms of CPU a flush against 0.8 here)."""
        covered_value = connection.ops.adapt_datetimefield_value(covered)
        with connection.cursor() as cursor:
            cursor.execute(self._statement("touch"), [covered_value, self.key, process_id])
            row = cursor.fetchone()
            if row is None:  # a new process, or one a read took for gone
                cursor.execute(self._statement("join"), [self.key, process_id, covered_value, base])
                row = cursor.fetchone()
            applied, now = row
            applied = max(applied, base)
            if total > applied:
                cursor.execute(self._statement("add"), [self.key, total - applied])
                cursor.execute(self._statement("applied"), [total, self.key, process_id])
        return as_datetime(now)

    def _statement(self, name: str) -> str:
        if not self._sql:
            names = {
                "counter": connection.ops.quote_name(RequestCounter._meta.db_table),
                "process": connection.ops.quote_name(CounterProcess._meta.db_table),
                "now": _sql_now(),
            }
            # Only table names and Django's own SQL for Now() go in; every value is a parameter.
            self._sql = {key: template.format(**names) for key, template in _DATABASE_STATEMENTS.items()}
        return self._sql[name]

    def _now(self) -> StoreTime:
        return self._counter().annotate(now=Now()).values_list("now", flat=True).get()

    def _ensure_counter(self) -> None:
        RequestCounter.objects.get_or_create(key=self.key)

    def _counter(self) -> Any:
        return RequestCounter.objects.filter(key=self.key)

    def _processes(self) -> Any:
        return CounterProcess.objects.filter(counter_key=self.key)


# The hot statements, for PostgreSQL and SQLite (3.35 or later: RETURNING).
_DATABASE_STATEMENTS = {
    "touch": 'UPDATE {process} SET "seen_at" = {now}, "covered_at" = %s '
    'WHERE "counter_key" = %s AND "process_id" = %s RETURNING "applied_total", "seen_at"',
    "join": 'INSERT INTO {process} ("counter_key", "process_id", "covered_at", "seen_at", "applied_total") '
    'VALUES (%s, %s, %s, {now}, %s) RETURNING "applied_total", "seen_at"',
    "add": 'INSERT INTO {counter} ("key", "count") VALUES (%s, %s) '
    'ON CONFLICT ("key") DO UPDATE SET "count" = {counter}."count" + EXCLUDED."count"',
    "applied": 'UPDATE {process} SET "applied_total" = %s WHERE "counter_key" = %s AND "process_id" = %s',
    "quiet": 'SELECT "barrier_at", {now} FROM {counter} WHERE "key" = %s',
}


def _sql_now() -> str:
    """The database's `Now()` as Django writes it for this backend."""
    query = RequestCounter.objects.all().query
    sql, params = query.get_compiler(connection=connection).compile(Now())
    assert not params
    return sql


def as_datetime(value: Any) -> datetime | None:
    """A time as the database answers it to plain SQL (SQLite: text, UTC) as an aware datetime."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC)


@contextmanager
def database_errors() -> Iterator[None]:
    try:
        yield
    except DatabaseError as error:
        raise CounterUnavailable(f"Database: {error}") from error
