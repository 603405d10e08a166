-- wrk script for the mixed load of `BENCH_WHAT=mix scripts/bench.sh`: visitors browsing the
-- public pages (the directory with its common filters, and many doctors' pages) and signed-in
-- people whose every navigation asks who is signed in (`GET /api/me` with their session).
-- Counts the page cache's answers (the `x-page-cache` header: from this instance's memory, its
-- expired copy, the pages the instances share through Redis, or rendered) and prints the hit rate.
--
-- Settings (environment): MIX_DOCTORS (space-separated doctor ids), MIX_COOKIE (a signed-in
-- session, `clinic_session=...`), MIX_SIGNED_IN_SHARE (0..1, the share of /api/me requests).

local doctors = {}
for id in string.gmatch(os.getenv("MIX_DOCTORS") or "", "%d+") do
    doctors[#doctors + 1] = id
end
local cookie = os.getenv("MIX_COOKIE") or ""
local signed_in_share = tonumber(os.getenv("MIX_SIGNED_IN_SHARE") or "0.2")
local listings = {
    "/", "/doctors", "/doctors?sort=fee", "/doctors?within=3&sort=soonest",
    "/doctors?min_rating=4", "/doctors?q=son",
}

local threads = {}
function setup(thread)
    thread:set("id", #threads)
    threads[#threads + 1] = thread
end

function init(args)
    math.randomseed(os.time() + id)
    hit, stale, shared, miss, pass = 0, 0, 0, 0, 0
end

function request()
    local roll = math.random()
    if cookie ~= "" and roll < signed_in_share then
        return wrk.format("GET", "/api/me", { ["Cookie"] = cookie })
    end
    if #doctors > 0 and math.random() < 0.6 then
        -- Visitors look at a few doctors far more than at the rest, as people do.
        local n = math.floor(#doctors * math.random() ^ 3) + 1
        return wrk.format("GET", "/doctors/" .. doctors[n])
    end
    return wrk.format("GET", listings[math.random(#listings)])
end

function response(status, headers, body)
    local how = headers["x-page-cache"] or headers["X-Page-Cache"]
    if how == "hit" then hit = hit + 1
    elseif how == "stale" then stale = stale + 1
    elseif how == "shared" then shared = shared + 1
    elseif how == "miss" then miss = miss + 1
    else pass = pass + 1 end
end

function done(summary, latency, requests)
    local h, s, r, m, p = 0, 0, 0, 0, 0
    for _, thread in ipairs(threads) do
        h = h + thread:get("hit")
        s = s + thread:get("stale")
        r = r + thread:get("shared")
        m = m + thread:get("miss")
        p = p + thread:get("pass")
    end
    local public = h + s + r + m
    local rate = public > 0 and (h + s + r) / public or 0
    io.write(string.format("cache: %d hit, %d stale, %d shared, %d miss, %d not cacheable; hit rate %.1f%%\n",
        h, s, r, m, p, rate * 100))
end
