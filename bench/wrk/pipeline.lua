-- Pipelining for wrk: every write carries DEPTH requests (default 16), and
-- wrk counts each of the DEPTH responses. Usage:
--   wrk -t1 -c64 -d5s -s wrk/pipeline.lua http://127.0.0.1:PORT/ -- 16
-- wrk's latency percentiles are not valid with this script (they read 0).
init = function(args)
   local depth = tonumber(args[1]) or 16
   local r = {}
   for i = 1, depth do
      r[i] = wrk.format(nil)
   end
   req = table.concat(r)
end

request = function()
   return req
end
