-- The service's INSERT (app/src/store/mod.rs, insert_or_get): same table, columns, conflict target
-- and RETURNING, as a prepared statement (-M prepared) like sqlx's. The fingerprint is a SHA-256 as
-- the service computes; comment lengths average ~140 characters like the load generator's.
\set cid random(1, 2000)
\set n random(1, 9223372036854775806)
\set len random(8, 266)
INSERT INTO comments (content_id, email, comment, fingerprint, created_at)
VALUES (:cid, 'pgbench' || :client_id || '@example.com', left(repeat('pgbench comment ', 20), :len) || :n,
        sha256(int8send(:n)), now())
ON CONFLICT (content_id, fingerprint) DO NOTHING
RETURNING id, created_at;
