-- The recovery limit counts only recoveries in a row after which the experiment got no further
-- than before, so that a long experiment that is killed now and then, but moves on each time,
-- is not failed.
alter table experiment add column stalled_recoveries integer default 0 not null;

alter table experiment add column units_at_recovery bigint;
