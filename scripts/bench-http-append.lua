-- wrk script for scripts/bench's HTTP scenario: each request appends one small ImageBuilt
-- event, each to a stream of its own, through POST /api/v1/events.
--
--   wrk -t2 -c64 -d10s -s scripts/bench-http-append.lua http://127.0.0.1:PORT -- DEPLOYER_TOKEN
--
-- Prints, once wrk stops, what the ledger check afterwards needs: how many requests were
-- sent, how many were acknowledged (201: committed), how many were answered otherwise, and
-- how long the run took.

local threads = {}

function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    sent, acknowledged, refused = 0, 0, 0
    wrk.method = "POST"
    wrk.path = "/api/v1/events"
    wrk.headers["Authorization"] = "Bearer " .. args[1]
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    sent = sent + 1
    local body = string.format(
        '{"stream":"build-%d-%d","type":"ImageBuilt","data":{"image":"ghcr.io/wordpress/openverse-api","tag":"bench-%d-%d"}}',
        id, sent, id, sent)
    return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
    if status == 201 then
        acknowledged = acknowledged + 1
    else
        refused = refused + 1
    end
end

function done(summary, latency, requests)
    local totals = {sent = 0, acknowledged = 0, refused = 0}
    for _, thread in ipairs(threads) do
        for name, _ in pairs(totals) do
            totals[name] = totals[name] + thread:get(name)
        end
    end
    io.write(string.format("sent %d\nacknowledged %d\nrefused %d\nseconds %.6f\n",
        totals.sent, totals.acknowledged, totals.refused, summary.duration / 1e6))
end
