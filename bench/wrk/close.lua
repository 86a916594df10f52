-- Connection churn for wrk: every request asks the server to close the
-- connection after its response, so wrk opens a new connection per request.
-- Usage: wrk -t1 -c64 -d5s -s wrk/close.lua http://127.0.0.1:PORT/
wrk.headers["Connection"] = "close"
