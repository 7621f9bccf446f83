-- wrk: the conditional GET of a polling client. Arguments after `--`: the path and the ETag its last
-- full answer carried; every request sends it in If-None-Match (bench.sh checks it gives 304).
local req

function init(args)
  req = wrk.format("GET", args[1], { ["If-None-Match"] = args[2] })
end

function request()
  return req
end
