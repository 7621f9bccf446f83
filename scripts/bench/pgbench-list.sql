-- The service's list query (app/src/store/mod.rs, list_page, first page): the comments of one
-- content, oldest first, limit + 1 rows (default page 100) through the (content_id, id) index.
-- Contents :first..:last hold 50 comments each (seeded by bench.sh).
\set cid random(:first, :last)
SELECT id, email, comment, created_at FROM comments WHERE content_id = :cid ORDER BY id ASC LIMIT 101;
