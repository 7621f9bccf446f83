-- wrk: POST /api/comment/new with a body no other request sends (so every request stores a row,
-- as in pgbench's INSERT). Each thread numbers its own requests; a per-thread tag made of the
-- thread's index and the start time keeps threads and runs apart. Contents rotate over 1000 ids
-- from 3000001, away from the seeded lists.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tag", threads .. "-" .. os.time())
end

local counter = 0

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"email":"bench%d@example.com","comment":"wrk %s %d","content_id":%d}',
    counter % 997, tag, counter, 3000001 + counter % 1000)
  return wrk.format(nil, "/api/comment/new", nil, body)
end
