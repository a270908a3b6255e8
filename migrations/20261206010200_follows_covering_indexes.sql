-- The follow indexes by follower and by followed account also carry the other side
-- of each follow, so that walking the follow graph (friends of friends, "those who
-- follow X also follow": services::suggestions) reads the indexes alone. With 200
-- follows of 200 follows each, that is 40,000 entries read from the index instead of
-- 40,000 table rows (or a scan of the whole table, which the planner preferred):
-- 570 ms became 25 ms on the benchmark dataset (docs/benchmarks.md, B13).
DROP INDEX follows_target_idx;
CREATE INDEX follows_target_idx ON follows (target_account_id, accepted, id) INCLUDE (account_id);
DROP INDEX follows_account_idx;
CREATE INDEX follows_account_idx ON follows (account_id, accepted, id) INCLUDE (target_account_id);
