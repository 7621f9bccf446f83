-- The service's group-commit INSERT (app/src/store/writer.rs, insert_rows) with 16 rows per statement:
-- the same table, columns, conflict target and RETURNING as a batch the writers send, prepared like
-- sqlx's. Each transaction stores 16 rows (report.py counts rows/s = tps x 16): the ceiling group
-- commit approaches when 16 requests share a round trip. Rows differ in content, length and SHA-256
-- fingerprint as in pgbench-insert.sql.
\set cid random(0, 1999)
\set n random(1, 9223372036854775790)
\set len random(0, 258)
INSERT INTO comments (content_id, email, comment, fingerprint, created_at)
VALUES
  ((:cid + 0) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 0) % 259 + 8) || (:n::int8 + 0), sha256(int8send(:n::int8 + 0)), now()),
  ((:cid + 125) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 16) % 259 + 8) || (:n::int8 + 1), sha256(int8send(:n::int8 + 1)), now()),
  ((:cid + 250) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 32) % 259 + 8) || (:n::int8 + 2), sha256(int8send(:n::int8 + 2)), now()),
  ((:cid + 375) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 48) % 259 + 8) || (:n::int8 + 3), sha256(int8send(:n::int8 + 3)), now()),
  ((:cid + 500) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 64) % 259 + 8) || (:n::int8 + 4), sha256(int8send(:n::int8 + 4)), now()),
  ((:cid + 625) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 80) % 259 + 8) || (:n::int8 + 5), sha256(int8send(:n::int8 + 5)), now()),
  ((:cid + 750) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 96) % 259 + 8) || (:n::int8 + 6), sha256(int8send(:n::int8 + 6)), now()),
  ((:cid + 875) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 112) % 259 + 8) || (:n::int8 + 7), sha256(int8send(:n::int8 + 7)), now()),
  ((:cid + 1000) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 128) % 259 + 8) || (:n::int8 + 8), sha256(int8send(:n::int8 + 8)), now()),
  ((:cid + 1125) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 144) % 259 + 8) || (:n::int8 + 9), sha256(int8send(:n::int8 + 9)), now()),
  ((:cid + 1250) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 160) % 259 + 8) || (:n::int8 + 10), sha256(int8send(:n::int8 + 10)), now()),
  ((:cid + 1375) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 176) % 259 + 8) || (:n::int8 + 11), sha256(int8send(:n::int8 + 11)), now()),
  ((:cid + 1500) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 192) % 259 + 8) || (:n::int8 + 12), sha256(int8send(:n::int8 + 12)), now()),
  ((:cid + 1625) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 208) % 259 + 8) || (:n::int8 + 13), sha256(int8send(:n::int8 + 13)), now()),
  ((:cid + 1750) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 224) % 259 + 8) || (:n::int8 + 14), sha256(int8send(:n::int8 + 14)), now()),
  ((:cid + 1875) % 2000 + 1, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), (:len + 240) % 259 + 8) || (:n::int8 + 15), sha256(int8send(:n::int8 + 15)), now())
ON CONFLICT (content_id, fingerprint) DO NOTHING
RETURNING id, created_at, content_id, fingerprint;
