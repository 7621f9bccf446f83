-- wrk: GET /api/comment/list/{id} over the 200 contents seeded with 50 comments each (1000001..1000200).
local counter = 0

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/comment/list/" .. (1000001 + counter % 200))
end
